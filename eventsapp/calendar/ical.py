"""RFC 5545 calendars, built as a pure function: plain event data in, bytes out.

Written by hand rather than through a general library so that every property is
under control: text escaping and folding at 75 octets (never inside a UTF-8
sequence), times with the visit's TZID and a VTIMEZONE for every TZID built from the
zone's real transitions, and a body that depends only on the data (DTSTAMP is the
event's last change, never "now"), so identical data gives identical bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

PRODID = "-//eventsapp//delegation visits//EN"


class Organizer(NamedTuple):
    """ORGANIZER (RFC 5546 3.2.1 requires it with METHOD:PUBLISH): a name and an address."""

    name: str
    email: str


@dataclass(frozen=True)
class Event:
    uid: str
    sequence: int
    summary: str
    starts: datetime  # aware
    ends: datetime  # aware
    tzid: str
    created: datetime
    last_modified: datetime
    status: str = "CONFIRMED"  # CONFIRMED | TENTATIVE | CANCELLED
    description: str = ""
    location: str = ""
    geo: tuple[float, float] | None = None
    url: str = ""
    categories: tuple[str, ...] = ()
    organizer: Organizer | None = None


@dataclass(frozen=True)
class Calendar:
    name: str
    timezone: str  # X-WR-TIMEZONE: the zone calendars should show by default
    events: Sequence[Event] = field(default_factory=tuple)
    description: str = ""
    refresh: timedelta = timedelta(hours=1)


# --- text ---------------------------------------------------------------------------------


# Control characters a calendar must not carry (line breaks and tabs are kept).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def escape_text(value: str) -> str:
    """TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma, newline."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    )


def fold(line: str) -> bytes:
    """Fold a content line at 75 octets, never splitting a UTF-8 character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return encoded + b"\r\n"
    parts: list[bytes] = []
    limit = 75
    start = 0
    while start < len(encoded):
        end = min(start + limit, len(encoded))
        # Step back to a character boundary (continuation bytes are 0b10xxxxxx).
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(encoded[start:end])
        start = end
        limit = 74  # continuation lines start with a space
    return b"\r\n ".join(parts) + b"\r\n"


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _when(name: str, value: datetime, tzid: str) -> str:
    """DTSTART/DTEND with the TZID, except for the second occurrence of a wall time
    repeated when clocks go back: a TZID time means the first one (RFC 5545 3.3.5),
    so that instant is written in UTC instead."""
    local = value.astimezone(ZoneInfo(tzid))
    if local.fold and local.replace(fold=0).utcoffset() != local.utcoffset():
        return f"{name}:{_utc(value)}"
    return f"{name};TZID={tzid}:{local:%Y%m%dT%H%M%S}"


def _duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    return f"PT{hours}H" if not minutes else f"PT{hours}H{minutes}M"


def _offset(delta: timedelta) -> str:
    total = int(delta.total_seconds())
    sign = "+" if total >= 0 else "-"
    total = abs(total)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


# --- time zones ------------------------------------------------------------------------------


def _transitions(zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    """UTC instants in [start, end) at which the zone's offset or name changes."""
    found: list[datetime] = []

    def state(instant: datetime):
        local = instant.astimezone(zone)
        return local.utcoffset(), local.tzname(), local.dst()

    step = timedelta(days=1)
    cursor = start
    before = state(cursor)
    while cursor < end:
        nxt = min(cursor + step, end)
        after = state(nxt)
        if after != before:
            low, high = cursor, nxt
            while high - low > timedelta(seconds=1):
                mid = low + (high - low) / 2
                if state(mid) == before:
                    low = mid
                else:
                    high = mid
            found.append(high.replace(microsecond=0))
        before = after
        cursor = nxt
    return found


@lru_cache(maxsize=64)
def vtimezone(tzid: str, first_year: int, last_year: int) -> tuple[str, ...]:
    """VTIMEZONE content lines for ``tzid`` covering the given years, with one
    STANDARD or DAYLIGHT observance per real transition."""
    zone = ZoneInfo(tzid)
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tzid}"]

    def observance(instant: datetime, offset_from: timedelta) -> list[str]:
        local = instant.astimezone(zone)
        kind = "DAYLIGHT" if local.dst() else "STANDARD"
        # DTSTART is the local time just before the change, in TZOFFSETFROM.
        wall = (instant.astimezone(UTC) + offset_from).replace(tzinfo=None)
        return [
            f"BEGIN:{kind}",
            f"DTSTART:{wall:%Y%m%dT%H%M%S}",
            f"TZOFFSETFROM:{_offset(offset_from)}",
            f"TZOFFSETTO:{_offset(local.utcoffset())}",
            f"TZNAME:{escape_text(local.tzname() or tzid)}",
            f"END:{kind}",
        ]

    initial_offset = start.astimezone(zone).utcoffset()
    lines += observance(start, initial_offset)
    for instant in _transitions(zone, start, end):
        previous = (instant - timedelta(seconds=1)).astimezone(zone).utcoffset()
        lines += observance(instant, previous)
    lines.append("END:VTIMEZONE")
    return tuple(lines)


# --- events and calendars ----------------------------------------------------------------------


def _event_lines(event: Event) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(event.uid)}",
        f"DTSTAMP:{_utc(event.last_modified)}",
        _when("DTSTART", event.starts, event.tzid),
        _when("DTEND", event.ends, event.tzid),
        f"SEQUENCE:{event.sequence}",
        f"STATUS:{event.status}",
        f"SUMMARY:{escape_text(event.summary)}",
    ]
    if event.organizer is not None and event.organizer.email:
        lines.append(_organizer(event.organizer))
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.geo is not None:
        lines.append(f"GEO:{event.geo[0]:.6f};{event.geo[1]:.6f}")
    if event.url:
        lines.append(f"URL:{event.url}")
    if event.categories:
        lines.append("CATEGORIES:" + ",".join(escape_text(c) for c in event.categories))
    lines += [
        f"CREATED:{_utc(event.created)}",
        f"LAST-MODIFIED:{_utc(event.last_modified)}",
        "TRANSP:OPAQUE" if event.status != "CANCELLED" else "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]
    return lines


def _param(value: str) -> str:
    """A parameter value (RFC 5545 3.2): quoted when it holds , ; or :, never a quote."""
    value = _CONTROL.sub("", value).replace('"', "'").replace("\n", " ").replace("\t", " ")
    return f'"{value}"' if any(c in value for c in ",;:") else value


def _organizer(organizer: Organizer) -> str:
    email = _CONTROL.sub("", organizer.email).strip()
    cn = f";CN={_param(organizer.name)}" if organizer.name.strip() else ""
    return f"ORGANIZER{cn}:mailto:{email}"


def years_of(events: Iterable[Event]) -> tuple[int, int]:
    years = [e.starts.year for e in events] + [e.ends.year for e in events]
    return min(years) - 1, max(years) + 1


def event_bytes(event: Event) -> bytes:
    """One VEVENT, folded: calendars are put together from these (``assemble``)."""
    return b"".join(fold(line) for line in _event_lines(event))


def head(calendar: Calendar, years: tuple[int, int] | None = None) -> bytes:
    """Everything before the events: the calendar's properties and a VTIMEZONE for
    each TZID the events use, covering ``years`` (by default the events' own)."""
    events = list(calendar.events)
    zones = sorted({e.tzid for e in events})
    refresh = _duration(calendar.refresh)
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(calendar.name)}",
        f"X-WR-TIMEZONE:{calendar.timezone}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{refresh}",
        f"X-PUBLISHED-TTL:{refresh}",
    ]
    if calendar.description:
        lines.append(f"X-WR-CALDESC:{escape_text(calendar.description)}")
    if zones:
        first, last = years or years_of(events)
        for tzid in zones:
            lines += vtimezone(tzid, first, last)
    return b"".join(fold(line) for line in lines)


END = b"END:VCALENDAR\r\n"


def assemble(calendar_head: bytes, events: Iterable[bytes]) -> bytes:
    return calendar_head + b"".join(events) + END


def build(calendar: Calendar) -> bytes:
    """The whole VCALENDAR as bytes. Events keep the order given."""
    return assemble(head(calendar), (event_bytes(event) for event in calendar.events))


def last_modified(calendar: Calendar) -> datetime | None:
    return max((e.last_modified for e in calendar.events), default=None)
