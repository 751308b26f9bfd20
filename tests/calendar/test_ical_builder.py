"""The pure iCalendar builder: escaping, folding, time zones, determinism."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from eventsapp.calendar import ical
from tests.calendar.readers import parse_both

LONDON = ZoneInfo("Europe/London")


def event(**overrides) -> ical.Event:
    start = datetime(2026, 6, 10, 9, 30, tzinfo=LONDON)
    fields = dict(
        uid="item-1@eventsapp", sequence=0, summary="Welcome", starts=start,
        ends=start + timedelta(hours=1), tzid="Europe/London",
        created=datetime(2026, 5, 1, tzinfo=UTC), last_modified=datetime(2026, 5, 2, tzinfo=UTC),
    )
    fields.update(overrides)
    return ical.Event(**fields)


def build(*events, **calendar) -> bytes:
    return ical.build(ical.Calendar(name=calendar.get("name", "Visit"),
                                    timezone="Europe/London", events=list(events)))


def test_calendar_has_the_required_properties():
    body = build(event()).decode()
    for line in ("PRODID:-//eventsapp//delegation visits//EN", "VERSION:2.0",
                 "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:Visit",
                 "X-WR-TIMEZONE:Europe/London", "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
                 "X-PUBLISHED-TTL:PT1H", "BEGIN:VTIMEZONE", "TZID:Europe/London"):
        assert line + "\r\n" in body
    assert "DTSTART;TZID=Europe/London:20260610T093000" in body
    assert "DTSTAMP:20260502T000000Z" in body
    assert "CREATED:20260501T000000Z" in body


def test_identical_data_gives_identical_bytes():
    assert build(event()) == build(event())


def test_every_line_is_folded_at_75_octets_without_splitting_characters():
    long = "Café ☕ " * 300
    body = build(event(summary=long, description=long))
    for raw in body.split(b"\r\n"):
        assert len(raw) <= 75
        raw.decode("utf-8")  # no line ends inside a multi-byte character


def test_awkward_text_round_trips_unchanged_in_both_readers():
    text = ("Smaller cities, creative economy; skills\nand policy — 🎬🏺 «quoted» \\ back"
            * 40)[:2000]
    assert len(text) == 2000
    events = parse_both(build(event(summary=text, description=text, location=text)))
    parsed = events["item-1@eventsapp"]
    assert parsed["summary"] == text
    assert parsed["description"] == text
    assert parsed["location"] == text


def test_control_characters_are_dropped_not_emitted():
    body = build(event(summary="Bell\x07 and NUL\x00 gone\r\nnext"))
    events = parse_both(body)
    assert events["item-1@eventsapp"]["summary"] == "Bell and NUL gone\nnext"


def test_item_across_the_end_of_british_summer_time():
    # 00:30 BST (23:30Z the day before) to 02:30 GMT (02:30Z) on 25 October 2026.
    starts = datetime(2026, 10, 25, 0, 30, tzinfo=LONDON)
    ends = datetime(2026, 10, 25, 2, 30, tzinfo=LONDON)
    events = parse_both(build(event(starts=starts, ends=ends)))
    parsed = events["item-1@eventsapp"]
    assert parsed["start"] == datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
    assert parsed["end"] == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)
    assert parsed["end"] - parsed["start"] == timedelta(hours=3)


def test_second_occurrence_of_a_repeated_wall_time_is_written_in_utc():
    second = datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON)  # 01:30 GMT
    body = build(event(starts=second, ends=second + timedelta(minutes=30)))
    assert b"DTSTART:20261025T013000Z" in body
    parsed = parse_both(body)["item-1@eventsapp"]
    assert parsed["start"] == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_vtimezone_transitions_are_the_real_ones():
    body = build(event()).decode()
    # Clocks go forward at 01:00 GMT on 29 March 2026 and back at 02:00 BST on 25 Oct.
    assert "DTSTART:20260329T010000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100" in body
    assert "DTSTART:20261025T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000" in body


@pytest.mark.parametrize("tzid", ["America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"])
def test_other_zones_read_back_at_the_same_instants(tzid):
    zone = ZoneInfo(tzid)
    starts = [datetime(2026, month, 3, 10, 0, tzinfo=zone) for month in (1, 4, 7, 10)]
    events = [event(uid=f"e{n}@x", starts=s, ends=s + timedelta(hours=1), tzid=tzid)
              for n, s in enumerate(starts)]
    parsed = parse_both(ical.build(ical.Calendar(name="x", timezone=tzid, events=events)))
    assert [parsed[f"e{n}@x"]["start"] for n in range(4)] == [s.astimezone(UTC) for s in starts]


def test_geo_url_and_categories():
    body = build(event(geo=(53.00905, -2.17795), url="https://example.org/visits/x/#item-1",
                       categories=("Talk", "Policy, regions"))).decode()
    assert "GEO:53.009050;-2.177950" in body
    assert "URL:https://example.org/visits/x/#item-1" in body
    assert "CATEGORIES:Talk,Policy\\, regions" in body


def test_empty_calendar_is_valid():
    body = ical.build(ical.Calendar(name="Nothing yet", timezone="Europe/London"))
    assert parse_both(body) == {}
