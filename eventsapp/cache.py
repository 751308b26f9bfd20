"""A small in-process cache whose entries carry the stamp they were built from.

Each worker process keeps its own entries. A caller reads the current stamp (for a
visit: its content version, read from the database on every request) and passes a
builder; an entry is reused only while its stamp is equal, so a change committed by
any worker is seen at the next request everywhere, and nothing is invalidated by
hand. The least recently used entries are dropped beyond ``max_entries``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


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


# One cache per process for what is built from a visit's content (calendars, JSON,
# the public agenda's HTML): a few hundred kilobytes per visit.
visit_content = StampedCache(max_entries=64)
