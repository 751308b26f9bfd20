"""local://, the default rate-limit store (eventsapp.web.ratelimits.LocalStorage): fixed
windows counted in the process, expired when touched, with no thread of its own."""

from __future__ import annotations

import threading

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from eventsapp.web.ratelimits import LocalStorage


def test_the_scheme_names_the_local_store():
    assert isinstance(storage_from_string("local://"), LocalStorage)


def test_a_window_counts_then_starts_again(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("eventsapp.web.ratelimits.time.time", lambda: clock[0])
    store = LocalStorage()
    limiter = FixedWindowRateLimiter(store)
    two_a_minute = parse("2 per minute")

    assert [limiter.hit(two_a_minute, "198.51.100.7") for _ in range(3)] == [True, True, False]
    assert limiter.hit(two_a_minute, "203.0.113.9")  # another address has its own count
    clock[0] += 59
    assert not limiter.hit(two_a_minute, "198.51.100.7")
    clock[0] += 2  # the window that began at the first hit is over
    assert limiter.hit(two_a_minute, "198.51.100.7")
    assert limiter.get_window_stats(two_a_minute, "198.51.100.7").remaining == 1


def test_expiry_and_clearing(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("eventsapp.web.ratelimits.time.time", lambda: clock[0])
    store = LocalStorage()
    assert store.incr("k", 60) == 1
    assert store.incr("k", 60, amount=2) == 3
    assert store.get("k") == 3
    assert store.get_expiry("k") == 1060.0
    clock[0] = 1060.0
    assert store.get("k") == 0
    assert store.get_expiry("k") == 1060.0  # now: nothing left to wait for
    store.incr("k", 60)
    store.clear("k")
    assert store.get("k") == 0
    store.incr("a", 60)
    store.incr("b", 60)
    assert store.reset() == 2
    assert store.check()


def test_forgotten_clients_are_swept_inline(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("eventsapp.web.ratelimits.time.time", lambda: clock[0])
    store = LocalStorage()
    for n in range(100):
        store.incr(f"client-{n}", 10)
    clock[0] += LocalStorage.SWEEP_EVERY + 1
    store.incr("client-new", 10)
    assert len(store._counts) == 1  # noqa: SLF001 - what is kept in memory


def test_no_thread_is_started():
    before = threading.active_count()
    store = LocalStorage()
    for n in range(50):
        store.incr(f"k{n % 3}", 1)
    assert threading.active_count() == before


def test_parallel_hits_are_all_counted():
    store = LocalStorage()

    def hit():
        for _ in range(500):
            store.incr("shared", 60)

    threads = [threading.Thread(target=hit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.get("shared") == 2000
