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
