"""Two independent readers of our calendars: icalendar and vobject."""

from __future__ import annotations

from datetime import UTC

import icalendar
import vobject


def parse_icalendar(body: bytes) -> dict[str, dict]:
    """{uid: {start, end (UTC), summary, status, sequence, ...}} via icalendar."""
    calendar = icalendar.Calendar.from_ical(body)
    events = {}
    for event in calendar.walk("VEVENT"):
        uid = str(event["UID"])
        assert uid not in events, f"duplicate UID {uid}"
        events[uid] = {
            "start": event.decoded("DTSTART").astimezone(UTC),
            "end": event.decoded("DTEND").astimezone(UTC),
            "summary": str(event["SUMMARY"]),
            "description": str(event.get("DESCRIPTION", "")),
            "location": str(event.get("LOCATION", "")),
            "status": str(event["STATUS"]),
            "sequence": int(event["SEQUENCE"]),
            "tzid": event["DTSTART"].params.get("TZID"),
        }
    return events


def parse_vobject(body: bytes) -> dict[str, dict]:
    calendar = vobject.readOne(body.decode("utf-8"))
    events = {}
    for event in calendar.contents.get("vevent", []):
        uid = event.uid.value
        assert uid not in events, f"duplicate UID {uid}"
        events[uid] = {
            "start": event.dtstart.value.astimezone(UTC),
            "end": event.dtend.value.astimezone(UTC),
            "summary": event.summary.value,
            "description": event.description.value if hasattr(event, "description") else "",
            "status": event.status.value,
            "sequence": int(event.sequence.value),
        }
    return events


def tzids_and_vtimezones(body: bytes) -> tuple[set[str], set[str]]:
    calendar = icalendar.Calendar.from_ical(body)
    used = {str(e["DTSTART"].params["TZID"]) for e in calendar.walk("VEVENT")
            if "TZID" in e["DTSTART"].params}
    used |= {str(e["DTEND"].params["TZID"]) for e in calendar.walk("VEVENT")
             if "TZID" in e["DTEND"].params}
    defined = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    return used, defined


def parse_both(body: bytes) -> dict[str, dict]:
    """Parse with both readers; assert they agree on every instant and text."""
    first, second = parse_icalendar(body), parse_vobject(body)
    assert first.keys() == second.keys()
    for uid, event in first.items():
        other = second[uid]
        for key in ("start", "end", "summary", "status", "sequence", "description"):
            assert event[key] == other[key], (uid, key, event[key], other[key])
    used, defined = tzids_and_vtimezones(body)
    assert used <= defined, f"TZIDs without VTIMEZONE: {used - defined}"
    return first
