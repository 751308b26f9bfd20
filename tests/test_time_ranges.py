"""A time range across a clock change names each end's own zone ("01:00 EST – 04:00 EDT"),
the same everywhere: the one function (timezones.local_range), the template global, the
change log, the run sheet, the public and organiser pages and the emails."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from eventsapp.agenda.models import ItemKind
from eventsapp.mail.models import OutboxMessage
from eventsapp.showcase.run_sheet import RunSheetEntry, time_label
from eventsapp.timezones import local_range, to_utc
from eventsapp.visits.changelog import when
from eventsapp.visits.models import VisitStatus
from eventsapp.web.filters import time_range
from tests.support import (
    make_booking,
    make_business,
    make_item,
    make_member,
    make_showcase,
    make_visit,
    page_text,
)

NEW_YORK, LONDON = ZoneInfo("America/New_York"), ZoneInfo("Europe/London")


def at(zone: ZoneInfo, *parts: int) -> datetime:
    return to_utc(datetime(*parts), zone)  # noqa: DTZ001 (a wall time in ``zone``)


@pytest.mark.parametrize("zone, starts, ends, label", [
    # US clocks go forward at 02:00 on 8 March 2026: 01:00 is EST, 04:00 EDT.
    (NEW_YORK, (2026, 3, 8, 1, 0), (2026, 3, 8, 4, 0), "01:00 EST – 04:00 EDT"),
    # UK clocks go forward at 01:00 on 29 March 2026.
    (LONDON, (2026, 3, 29, 0, 30), (2026, 3, 29, 2, 30), "00:30 GMT – 02:30 BST"),
    # ... and back at 02:00 BST on 25 October 2026.
    (LONDON, (2026, 10, 25, 0, 30), (2026, 10, 25, 3, 0), "00:30 BST – 03:00 GMT"),
    # The same zone at both ends: named once, as before.
    (LONDON, (2026, 7, 14, 9, 30), (2026, 7, 14, 10, 15), "09:30–10:15 BST"),
    (NEW_YORK, (2026, 3, 8, 4, 0), (2026, 3, 8, 5, 0), "04:00–05:00 EDT"),
    # Ending on another day names that day.
    (NEW_YORK, (2026, 3, 7, 23, 0), (2026, 3, 8, 4, 0), "23:00 EST – Sun 08 Mar 04:00 EDT"),
])
def test_local_range_labels_each_end(zone, starts, ends, label):
    assert str(local_range(at(zone, *starts), at(zone, *ends), zone)) == label


def test_every_caller_uses_it():
    visit = SimpleNamespace(zone=NEW_YORK)
    item = SimpleNamespace(starts_at=at(NEW_YORK, 2026, 3, 8, 1),
                           ends_at=at(NEW_YORK, 2026, 3, 8, 4))
    assert time_range(item, visit) == "01:00 EST – 04:00 EDT"
    assert when(item.starts_at, item.ends_at, visit) == "Sun 8 Mar 01:00 EST – 04:00 EDT"
    entry = RunSheetEntry(starts=item.starts_at.astimezone(NEW_YORK),
                          ends=item.ends_at.astimezone(NEW_YORK), member="Marl Hill Games",
                          title="Dice", format="demo")
    assert time_label(entry) == "01:00 EST – 04:00 EDT"
    london = SimpleNamespace(zone=LONDON)
    summer = SimpleNamespace(starts_at=datetime(2026, 7, 14, 8, 30, tzinfo=UTC),
                             ends_at=datetime(2026, 7, 14, 9, 15, tzinfo=UTC))
    assert time_range(summer, london) == "09:30–10:15 BST"
    assert when(summer.starts_at, summer.ends_at, london) == "Tue 14 Jul 09:30–10:15 BST"


@pytest.fixture
def night_visit(organiser):
    """A New York visit on the night the clocks go forward, and a London one on the
    night they do there."""
    visit = make_visit(organisers=[organiser], slug="night-owls", title="Night owls",
                       timezone="America/New_York", start_date=date(2026, 3, 8),
                       end_date=date(2026, 3, 8), status=VisitStatus.PUBLISHED)
    make_item(visit, "01:00", "04:00", title="Midnight screening")
    make_item(visit, "05:00", "06:00", title="Breakfast talk")
    london = make_visit(organisers=[organiser], slug="london-night", title="London night",
                        start_date=date(2026, 3, 29), end_date=date(2026, 3, 29),
                        status=VisitStatus.PUBLISHED)
    make_item(london, "00:30", "02:30", title="Late show")
    return visit


def test_pages_label_each_end(client, organiser_client, night_visit):
    public = client.get("/visits/night-owls/")
    shown = page_text(public)
    assert "01:00 EST – 04:00 EDT Talk Midnight screening" in shown
    markup = public.get_data(as_text=True)
    assert re.search(r">05:00</time>–<time [^>]+>06:00</time> <span[^>]*>EDT</span>",
                     markup)  # unchanged: one zone, named once
    assert '<time datetime="2026-03-08T01:00:00-05:00">01:00</time>' in markup
    assert '<time datetime="2026-03-08T04:00:00-04:00">04:00</time>' in markup
    assert "00:30 GMT – 02:30 BST" in page_text(client.get("/visits/london-night/"))

    organiser_page = page_text(organiser_client.get("/organiser/visits/night-owls/agenda"))
    assert "01:00 EST – 04:00 EDT" in organiser_page
    assert "01:00–04:00 EST" not in organiser_page


def test_a_booking_email_labels_each_end(organiser_client, night_visit, db):
    """A 10-minute slot from 01:50 EST lands at 03:00 EDT: the approval email says so."""
    item = make_item(night_visit, "01:00", "04:00", title="Night showcase",
                     kind=ItemKind.SHOWCASE)
    showcase = make_showcase(item, slot_minutes=10, buffer_minutes=0)
    slot = next(s for s in showcase.slots
                if s.starts_at == at(NEW_YORK, 2026, 3, 8, 1, 50))
    games = make_business(name="Marl Hill Games")
    make_member(games, email="gwen@marlhill.example")
    booking = make_booking(slot, games, status="pending")

    response = organiser_client.post(f"/organiser/visits/night-owls/bookings/{booking.id}/approve")
    assert response.status_code == 302
    [mail] = db.session.scalars(select(OutboxMessage)).all()
    assert "Sunday 08 March 2026, 01:50 EST – 03:00 EDT" in mail.body_text
    page = page_text(organiser_client.get(f"/organiser/visits/night-owls/showcases/{item.id}"))
    assert "01:50 EST – 03:00 EDT" in page
