"""Jinja filters: every time is shown in the visit's zone, with the zone named."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import quote_plus, urlencode

from flask import Flask

from eventsapp.timezones import local_range, to_local, zone_abbreviation
from eventsapp.web.visit_nav import visit_sections
from eventsapp.wording import count_noun, possessive


def local_time(instant: datetime, visit, fmt: str = "%H:%M") -> str:
    return to_local(instant, visit.zone).strftime(fmt)


def zone_label(instant: datetime, visit) -> str:
    return zone_abbreviation(instant, visit.zone)


def time_range(item, visit) -> str:
    """'09:30–10:15 BST', or '01:00 EST – 04:00 EDT' across a clock change: anything
    with ``starts_at`` and ``ends_at`` (an agenda item, a slot)."""
    return str(item_range(item, visit))


def item_range(item, visit):
    """The parts of ``time_range`` (for markup that wraps each end in <time>)."""
    return local_range(item.starts_at, item.ends_at, visit.zone)


def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def date_range(start: date, end: date) -> str:
    if start == end:
        return long_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"


def map_url(venue) -> str:
    if venue.has_coordinates:
        return (
            "https://www.openstreetmap.org/?mlat="
            f"{venue.latitude:.6f}&mlon={venue.longitude:.6f}#map=17/"
            f"{venue.latitude:.6f}/{venue.longitude:.6f}"
        )
    return "https://www.openstreetmap.org/search?query=" + quote_plus(
        f"{venue.name}, {venue.address}"
    )


@dataclass(frozen=True)
class CalendarLinks:
    """Ways to add a calendar at ``https`` (its .ics): subscribe with webcal://, or in
    one click with Google Calendar or Outlook.com (their add-by-URL links)."""

    https: str
    webcal: str
    google: str
    outlook: str


def calendar_links(https_url: str, name: str) -> CalendarLinks:
    webcal = "webcal://" + https_url.split("://", 1)[1]
    return CalendarLinks(
        https=https_url, webcal=webcal,
        google="https://calendar.google.com/calendar/r?" + urlencode({"cid": webcal}),
        outlook="https://outlook.live.com/calendar/0/addfromweb?"
                + urlencode({"url": https_url, "name": name}))


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters.update(
        local_time=local_time,
        zone_label=zone_label,
        long_date=long_date,
        count_noun=count_noun,
        possessive=possessive,
    )
    app.jinja_env.globals.update(
        time_range=time_range, item_range=item_range, date_range=date_range, map_url=map_url,
        visit_sections=visit_sections,
        calendar_links=calendar_links,
    )
