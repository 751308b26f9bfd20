"""SQLite writers take turns through an flock (eventsapp.db.WriterTurns): the
next writer starts as soon as the last one's connection is back in the pool, nobody
waits on themselves, and SQLite's own locking still decides."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from eventsapp.db import WRITE_OPTION, configure_engine


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'turns.sqlite3'}")
    configure_engine(engine, busy_timeout_ms=300)
    with engine.connect() as conn:
        conn.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, who TEXT)"))
        conn.commit()
    yield engine
    engine.dispose()


def lock_is_free(path: str) -> bool:
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def write(engine, who: str, hold: float = 0.0) -> None:
    with engine.connect() as conn:
        conn = conn.execution_options(**{WRITE_OPTION: True})
        conn.execute(text("INSERT INTO events (who) VALUES (:who)"), {"who": who})
        time.sleep(hold)
        conn.commit()


def test_a_turn_is_held_from_begin_until_the_connection_is_back(engine):
    path = f"{engine.url.database}-writers.lock"
    with engine.connect() as conn:
        conn = conn.execution_options(**{WRITE_OPTION: True})
        conn.execute(text("INSERT INTO events (who) VALUES ('first')"))
        assert not lock_is_free(path)
        conn.commit()
    assert lock_is_free(path)


def test_a_second_writer_waits_its_turn_and_then_writes(engine):
    order: list[str] = []
    started = threading.Event()

    def first():
        with engine.connect() as conn:
            conn = conn.execution_options(**{WRITE_OPTION: True})
            conn.execute(text("INSERT INTO events (who) VALUES ('first')"))
            started.set()
            time.sleep(0.2)
            order.append("first commits")
            conn.commit()

    thread = threading.Thread(target=first)
    thread.start()
    started.wait(5)
    began = time.monotonic()
    write(engine, "second")
    waited = time.monotonic() - began
    order.append("second wrote")
    thread.join()

    assert order == ["first commits", "second wrote"]
    assert 0.15 < waited < 1.0  # its turn came when the first was done, not before
    with engine.connect() as conn:
        assert conn.execute(text("SELECT who FROM events ORDER BY id")).scalars().all() == [
            "first", "second"]


def test_a_write_inside_a_write_does_not_wait_on_itself(engine):
    """Left to SQLite's busy timeout (300 ms here), as without turns: an error, never a
    hang."""
    with engine.connect() as outer:
        outer = outer.execution_options(**{WRITE_OPTION: True})
        outer.execute(text("INSERT INTO events (who) VALUES ('outer')"))
        began = time.monotonic()
        # (raised by the driver from the engine's begin hook, as before turns)
        with pytest.raises((OperationalError, sqlite3.OperationalError), match="locked"):
            write(engine, "inner")
        assert time.monotonic() - began < 5
        outer.commit()


def test_many_writers_in_threads_all_write(engine):
    threads = [threading.Thread(target=write, args=(engine, f"w{n}", 0.002))
               for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM events")).scalar() == 8
