"""Calendar output stays valid whatever text is stored: the public agenda, an attendee's
feed and a member's feed parse with two independent readers (icalendar and vobject),
and every SUMMARY, DESCRIPTION and LOCATION gives back the stored text, allowing only
for the builder's documented normalisation (CR LF and CR become LF, control characters
other than LF and TAB are dropped: eventsapp.calendar.ical.escape_text)."""

from __future__ import annotations

import icalendar
import pytest
from hypothesis import event, example, given
from hypothesis import strategies as st
from sqlalchemy import delete, select

from eventsapp.accounts import rules as users
from eventsapp.accounts.models import Role, User
from eventsapp.accounts.rules import ensure_feed_token
from eventsapp.agenda.models import AgendaItem, ItemKind
from eventsapp.extensions import db
from eventsapp.members.models import MemberBusiness
from eventsapp.registration.models import ItemSignup, RegistrationStatus, SignupStatus
from eventsapp.registration.rules import notices
from eventsapp.registration.rules.common import new_registration
from eventsapp.showcase.models import (
    BookingFormat,
    BookingStatus,
    Showcase,
    ShowcaseBooking,
    ShowcaseSlot,
)
from eventsapp.showcase.rules.slots import plan_slots
from eventsapp.visits.models import Venue, VisitStatus
from tests.calendar.readers import parse_both
from tests.conftest import login
from tests.fuzz.pages import check_answer, ical_text, shows_escaped
from tests.fuzz.strategies import any_text, visible_text
from tests.support import local, make_user, make_visit

SLUG = "cic-stoke"


def storable(limit: int):
    """Any text a column can hold: no NUL (PostgreSQL refuses it, and every form drops
    it), at most ``limit`` characters."""
    return st.one_of(visible_text, any_text).map(lambda s: s.replace("\x00", "")[:limit])


def required(limit: int):
    return storable(limit).map(lambda s: s if s.strip() else f"x{s}"[:limit])


def lines(limit: int):
    """One entry per line, as the services store hosts and people."""
    return st.lists(storable(80), max_size=4).map(
        lambda names: "\n".join(n.strip() for n in names if n.strip())[:limit])


def calendar_name(body: bytes) -> str:
    """X-WR-CALNAME as TEXT: icalendar leaves an X- property escaped, so unescape it
    here (RFC 5545 3.3.11)."""
    raw = str(icalendar.Calendar.from_ical(body)["X-WR-CALNAME"])
    out, chars = [], iter(raw)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            out.append("\n" if following in ("n", "N") else following)
        else:
            out.append(char)
    return "".join(out)


def check_item(events: dict, item: AgendaItem) -> None:
    event = events[item.uid]
    assert event["summary"] == ical_text(item.title)
    for piece in [item.description, *item.host_names, item.visit.title, item.visit.host]:
        assert ical_text(piece) in event["description"], piece
    venue = item.venue
    if venue is not None:
        assert event["location"] == ical_text(
            ", ".join(part for part in (venue.name, venue.address) if part))
        assert ical_text(venue.access_notes) in event["description"]


def check_booking(events: dict, booking) -> None:
    event = events[booking.uid]
    assert event["summary"] == ical_text(f"Showcase: {booking.business.name} – {booking.title}")
    for piece in [booking.description, booking.business.name, *booking.people_names]:
        assert ical_text(piece) in event["description"], piece


@st.composite
def stored_texts(draw) -> dict:
    return {
        "visit_title": draw(required(200)), "visit_host": draw(required(200)),
        "city": draw(required(100)),
        "venue_name": draw(required(200)), "address": draw(storable(500)),
        "access_notes": draw(storable(2000)),
        "geo": draw(st.one_of(st.none(), st.tuples(
            st.floats(-90, 90, allow_nan=False), st.floats(-180, 180, allow_nan=False)))),
        "titles": draw(st.lists(required(200), min_size=3, max_size=3)),
        "descriptions": draw(st.lists(storable(5000), min_size=3, max_size=3)),
        "hosts": draw(st.lists(lines(500), min_size=3, max_size=3)),
        "business": draw(required(200)),
        "booking_title": draw(required(200)), "booking_description": draw(storable(600)),
        "people": draw(lines(500)),
    }


def build_world(texts: dict):
    """A published visit whose every stored text is fuzzed: a venue, a talk, a tour with
    places (the attendee signed up), a showcase with an approved booking of a member
    business. Two commits: many examples run in one test."""
    visit = make_visit(slug=SLUG, status=VisitStatus.PUBLISHED, title=texts["visit_title"],
                       host=texts["visit_host"], city=texts["city"])
    with db.session.no_autoflush:  # objects join the session as they are linked
        latitude, longitude = texts["geo"] or (None, None)
        venue = Venue(visit=visit, name=texts["venue_name"], address=texts["address"],
                      access_notes=texts["access_notes"], latitude=latitude, longitude=longitude)
        kinds = [ItemKind.TALK, ItemKind.TOUR, ItemKind.SHOWCASE]
        items = [AgendaItem(visit=visit, venue=venue, kind=kind, title=title,
                            description=description, hosts=hosts,
                            starts_at=local(visit, 0, f"{9 + 2 * n:02d}:00"),
                            ends_at=local(visit, 0, f"{10 + 2 * n:02d}:00"),
                            capacity=5 if kind is ItemKind.TOUR else None)
                 for n, (kind, title, description, hosts) in enumerate(zip(
                     kinds, texts["titles"], texts["descriptions"], texts["hosts"], strict=True))]
        registration = new_registration(visit)
        registration.status = RegistrationStatus.CONFIRMED
        registration.full_name, registration.email = "Ada", "ada@example.org"
        signup = ItemSignup(item=items[1], registration=registration,
                            status=SignupStatus.CONFIRMED)
        showcase = Showcase(item=items[2], slot_minutes=10, buffer_minutes=2)
        showcase.slots = [ShowcaseSlot(starts_at=starts, ends_at=ends) for starts, ends
                          in plan_slots(items[2].starts_at, items[2].ends_at, 10, 2)]
        business = MemberBusiness(name=texts["business"], organisation=visit.organisation)
        member = User(email="member@example.org", role=Role.MEMBER, business=business)
        ensure_feed_token(member)
        booking = ShowcaseBooking(slot=showcase.slots[0], visit_id=visit.id, business=business,
                                  status=BookingStatus.APPROVED, format=BookingFormat.DEMO,
                                  title=texts["booking_title"],
                                  description=texts["booking_description"], people=texts["people"])
        db.session.add_all([venue, *items, registration, signup, showcase, member,
                            booking])
    db.session.commit()
    return items, registration, member, booking


@given(texts=stored_texts())
def test_feeds_stay_valid_and_give_back_the_stored_text(fresh, texts):
    client = fresh()
    items, registration, member, booking = build_world(texts)
    visit = items[0].visit

    feeds = {
        "agenda": client.get(f"/visits/{SLUG}/agenda.ics"),
        "attendee": client.get(f"/feeds/{notices.feed_token(registration)}.ics"),
        "member": client.get(f"/feeds/{users.feed_token(member)}.ics"),
    }
    db.session.expire_all()
    for name, response in feeds.items():
        assert response.status_code == 200, name
        events = parse_both(response.data)
        for item in items:
            check_item(events, item)
        check_booking(events, booking)
    assert calendar_name(feeds["agenda"].data) == ical_text(visit.title)
    for item in items:
        one = client.get(f"/visits/{SLUG}/items/{item.id}.ics")
        assert one.status_code == 200
        check_item(parse_both(one.data), item)
    # The public page shows the same stored text, escaped.
    page = check_answer(client.get(f"/visits/{SLUG}/"))
    for text in [visit.title, visit.host, *(i.title for i in items),
                 *(i.description for i in items), items[0].venue.name,
                 booking.title, booking.business.name]:
        shows_escaped(page, text)


# --- through the organiser's forms ------------------------------------------------------------


@pytest.fixture
def organiser_world(app, client):
    """A published visit and a logged-in organiser, once per test; each example starts
    with no venues or items (``start``)."""
    organiser = make_user(email="organiser@example.org")
    visit = make_visit(organisers=[organiser], slug=SLUG, status=VisitStatus.PUBLISHED)

    def start():
        db.session.rollback()
        db.session.execute(delete(AgendaItem))
        db.session.execute(delete(Venue))
        db.session.commit()
        return client

    start.first_day = visit.start_date.isoformat()
    login(client, organiser)
    return start


form_text = st.one_of(visible_text, any_text)


@given(venue=st.fixed_dictionaries({"name": form_text, "address": form_text,
                                    "access_notes": form_text}),
       item=st.fixed_dictionaries({"title": form_text, "description": form_text,
                                   "hosts": form_text,
                                   "kind": st.sampled_from([k.value for k in ItemKind])}))
@example(venue={"name": "Spode\r\nWorks", "address": "a;b,c\\d\x01", "access_notes": "\t"},
         item={"title": "<script>alert(1)</script>\x1b", "description": "\r\n\r\nx\x7f",
               "hosts": "Ada\r\n\u2028Bo\x85b", "kind": "talk"})
def test_organiser_forms_text_reaches_the_calendar_intact(organiser_world, venue, item):
    client = organiser_world()
    check_answer(client.post(f"/organiser/visits/{SLUG}/venues/new", data=venue))
    stored_venue = db.session.scalars(select(Venue)).first()
    day = organiser_world.first_day
    posted = {**item, "starts_at": f"{day}T09:00", "ends_at": f"{day}T10:00",
              "venue_id": str(stored_venue.id) if stored_venue else "", "capacity": ""}
    check_answer(client.post(f"/organiser/visits/{SLUG}/items/new", data=posted))
    db.session.rollback()
    db.session.expire_all()
    response = client.get(f"/visits/{SLUG}/agenda.ics")
    assert response.status_code == 200
    events = parse_both(response.data)
    stored_items = db.session.scalars(select(AgendaItem)).all()
    event(f"venue stored: {stored_venue is not None}, items stored: {len(stored_items)}")
    for stored_item in stored_items:
        check_item(events, stored_item)
