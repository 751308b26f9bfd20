"""Built once per content version: values kept in Flask-Caching (``extensions.cache``)
under keys that hold the content version they were built from.

A caller reads the current stamp (for a visit: its content version, read from the
database on every request) and passes a builder. The key holds the stamp, so a change
committed by any worker is seen at the next request everywhere and nothing is
invalidated by hand; entries of older versions age out (CACHE_DEFAULT_TIMEOUT, and
CACHE_THRESHOLD in a process's SimpleCache). With CACHE_TYPE=RedisCache every worker
and host shares one copy.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from eventsapp.extensions import cache

T = TypeVar("T")


def key_for(what: Iterable[Hashable], stamp: Iterable[Hashable]) -> str:
    return "|".join(str(part) for part in (*what, "v", *stamp))


def built_once(what: tuple[Hashable, ...], stamp: tuple[Hashable, ...],
               build: Callable[[], T]) -> T:
    """``build()``'s value for ``what`` at this ``stamp``, built only when no worker
    has stored it yet (two workers asking at once may each build it once)."""
    key = key_for(what, stamp)
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value)
    return value


# --- kept only for eventsapp/registration/rules/setup.py, which the `register` branch of
# issue 14 removes; delete everything below with it. ---------------------------------------


import threading  # noqa: E402
from collections import OrderedDict  # noqa: E402
from typing import Any  # noqa: E402


class StampedCache:
    def __init__(self, max_entries: int = 256):
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[Hashable, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.builds = 0  # for tests and the benchmarks

    def get(self, key: Hashable, stamp: Hashable, build: Callable[[], Any]) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] == stamp:
                self._entries.move_to_end(key)
                return entry[1]
        # Built outside the lock: two threads may build the same entry once each.
        value = build()
        with self._lock:
            self.builds += 1
            self._entries[key] = (stamp, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def peek(self, key: Hashable) -> Any:
        """The entry's value whatever its stamp (None when there is none): for a caller
        that will check the stamp itself later, as services.registration.register does."""
        with self._lock:
            entry = self._entries.get(key)
        return entry[1] if entry is not None else None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


visit_content = StampedCache(max_entries=64)
