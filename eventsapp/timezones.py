"""Local wall time <-> UTC instants, with daylight-saving edges handled.

Pure functions, no Flask: used by services, exports and templates alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


class NonexistentLocalTime(ValueError):
    """A wall time skipped when the clocks went forward."""


@lru_cache(maxsize=1)
def all_zone_names() -> tuple[str, ...]:
    return tuple(sorted(name for name in available_timezones() if "/" in name))


def is_known_zone(name: str) -> bool:
    if not name or name != name.strip() or name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """Interpret a naive wall time in ``zone`` and return the UTC instant.

    An ambiguous time (clocks going back) is taken as the first occurrence; a
    time that does not exist (clocks going forward) raises NonexistentLocalTime.
    """
    if local.tzinfo is not None:
        return local.astimezone(UTC)
    aware = local.replace(tzinfo=zone, fold=0)
    round_trip = aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != local:
        raise NonexistentLocalTime(
            f"{local:%H:%M} on {local:%d %B %Y} does not exist in {zone.key}: "
            "the clocks go forward then."
        )
    return aware.astimezone(UTC)


def to_local(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone)


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants at which a local calendar day starts and ends."""
    start = datetime.combine(day, time.min).replace(tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min).replace(tzinfo=zone)
    return start, end.astimezone(UTC)


def zone_abbreviation(instant: datetime, zone: ZoneInfo) -> str:
    """'BST' or 'GMT' for London; falls back to the UTC offset where a zone has none."""
    local = instant.astimezone(zone)
    abbr = local.tzname() or ""
    if not abbr or abbr[0] in "+-":
        offset = local.strftime("%z")
        return f"UTC{offset[:3]}:{offset[3:]}"
    return abbr


@dataclass(frozen=True)
class LocalRange:
    """A start and end in a zone, each with its own abbreviation (they differ when the
    clocks change in between). ``str()`` gives the label every page and email shows."""

    start: datetime
    end: datetime
    start_zone: str
    end_zone: str
    end_text: str  # 'HH:MM', or with the day when the range ends on another day

    @property
    def start_text(self) -> str:
        return f"{self.start:%H:%M}"

    @property
    def zones_differ(self) -> bool:
        return self.start_zone != self.end_zone

    def __str__(self) -> str:
        if self.zones_differ:
            return f"{self.start_text} {self.start_zone} – {self.end_text} {self.end_zone}"
        return f"{self.start_text}–{self.end_text} {self.start_zone}"


def _short_day(local: datetime) -> str:
    return f"{local:%a %d %b}"


def local_range(starts: datetime, ends: datetime, zone: ZoneInfo,
                day: Callable[[datetime], str] = _short_day) -> LocalRange:
    """'09:30–10:15 BST'; '01:00 EST – 04:00 EDT' across a clock change; the end's day
    (written by ``day``) is named when the range ends on another local day."""
    start, end = to_local(starts, zone), to_local(ends, zone)
    end_text = f"{end:%H:%M}" if end.date() == start.date() else f"{day(end)} {end:%H:%M}"
    return LocalRange(start, end, zone_abbreviation(starts, zone),
                      zone_abbreviation(ends, zone), end_text)
