"""Local wall time <-> UTC instants, with daylight-saving edges handled.

Pure functions, no Flask: used by services, exports and templates alike.
"""

from __future__ import annotations

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
