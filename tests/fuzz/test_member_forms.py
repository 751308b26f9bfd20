"""The member's booking forms under any input: /member/slots/<id>/book, the booking's
own page /member/bookings/<id> and its move form. Never a 500; a refusal says why;
what is stored is what the form accepted, shown escaped."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import delete, select

from eventsapp.agenda.models import ItemKind
from eventsapp.extensions import db
from eventsapp.mail.models import OutboxMessage
from eventsapp.showcase.models import EQUIPMENT, BookingFormat, ShowcaseBooking, ShowcaseSlot
from eventsapp.visits.models import VisitStatus
from tests.conftest import login
from tests.fuzz.pages import check_answer, shows_escaped
from tests.fuzz.strategies import any_text, field, form_data, visible_text
from tests.support import (
    make_booking,
    make_business,
    make_item,
    make_member,
    make_showcase,
    make_visit,
)

FORMATS = [f.value for f in BookingFormat]
# What the booking form keeps of multi-line text (forms.cleaning.clean_lines), stated
# independently: one kind of line break, no control characters but tab and LF, trimmed.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def booking_text(value: str) -> str:
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


def booking_line(value: str) -> str:
    return " ".join(booking_text(value).split())


def booking_people(value: str) -> str:
    return "\n".join(n.strip() for n in booking_text(value).split("\n") if n.strip())


@pytest.fixture
def world(app, client):
    """A published visit with a showcase of free slots, and a logged-in member. Made
    once per test; each example starts by clearing the bookings (``start``)."""
    visit = make_visit(slug="cic-stoke", status=VisitStatus.PUBLISHED)
    item = make_item(visit, "10:00", "12:00", kind=ItemKind.SHOWCASE, title="Makers' showcase")
    showcase = make_showcase(item)
    business = make_business()
    member = make_member(business)
    login(client, member)

    def start():
        db.session.rollback()
        db.session.execute(delete(ShowcaseBooking))
        db.session.execute(delete(OutboxMessage))
        db.session.commit()
        return client

    start.slots = [slot.id for slot in showcase.slots]
    start.business = business
    return start


def stored_booking() -> ShowcaseBooking | None:
    db.session.rollback()
    db.session.expire_all()
    return db.session.scalars(select(ShowcaseBooking).order_by(ShowcaseBooking.id.desc())
                              ).first()


def shows_booking(client, location: str) -> None:
    markup = check_answer(client.get(location))
    booking = stored_booking()
    for value in (booking.title, booking.description, booking.people):
        assert "\x00" not in value
        shows_escaped(markup, value)


@st.composite
def any_booking(draw) -> dict:
    return form_data(draw, {
        "title": field(),
        "description": field(),
        "format": field(st.one_of(st.sampled_from(FORMATS), any_text)),
        "equipment": field(st.one_of(st.sampled_from(EQUIPMENT), any_text)),
        "people": field(),
    })


@given(answers=any_booking())
def test_book_with_any_input(world, answers):
    client = world()
    response = client.post(f"/member/slots/{world.slots[0]}/book", data=answers)
    check_answer(response, allow_ok=False)
    if response.status_code == 303:
        shows_booking(client, response.headers["Location"])
    else:
        assert response.status_code == 422
        assert stored_booking() is None


@given(answers=any_booking())
def test_change_booking_with_any_input(world, answers):
    client = world()
    booking = make_booking(db.session.get_one(ShowcaseSlot, world.slots[1]), world.business,
                           status="pending")
    response = client.post(f"/member/bookings/{booking.id}", data=answers)
    check_answer(response, allow_ok=False)
    if response.status_code == 303:
        shows_booking(client, response.headers["Location"])
    else:
        assert response.status_code == 422
        assert stored_booking().title == "Clayworks Studio showcase"  # nothing changed


@st.composite
def shaped_booking(draw) -> dict:
    text = st.one_of(visible_text, any_text)
    return {
        "title": draw(text),
        "description": draw(text),
        "format": draw(st.sampled_from(FORMATS)),
        "equipment": draw(st.lists(st.sampled_from(EQUIPMENT), unique=True)),
        "people": draw(text),
    }


def assert_booking_outcome(client, response, answers: dict) -> None:
    check_answer(response, allow_ok=False)
    title = booking_line(answers["title"])
    description = booking_text(answers["description"])
    people = booking_text(answers["people"])
    refused = {name for name, bad in (
        ("title", not title or len(title) > 200),
        ("description", len(description) > 600),
        ("people", len(people) > 500)) if bad}
    if refused:
        assert response.status_code == 422
        markup = response.get_data(as_text=True)
        for name in refused:
            assert f'id="{name}-error"' in markup, f"no message beside {name}"
        return
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    booking = stored_booking()
    assert booking.title == title
    assert booking.description == description
    assert booking.people == booking_people(answers["people"])
    assert booking.format.value == answers["format"]
    assert booking.equipment == [e for e in EQUIPMENT if e in answers["equipment"]]
    shows_booking(client, response.headers["Location"])


@given(answers=shaped_booking())
@example(answers={"title": "<script>alert(1)</script>", "description": "a\r\nb\x00",
                  "format": "demo", "equipment": [], "people": " Ann \r\n\r\nBo\x85b "})
def test_book_keeps_what_the_form_accepts_and_shows_it_escaped(world, answers):
    client = world()
    response = client.post(f"/member/slots/{world.slots[0]}/book", data=answers)
    assert_booking_outcome(client, response, answers)


@given(answers=shaped_booking())
def test_change_booking_keeps_what_the_form_accepts(world, answers):
    client = world()
    booking = make_booking(db.session.get_one(ShowcaseSlot, world.slots[1]), world.business,
                           status="pending")
    response = client.post(f"/member/bookings/{booking.id}", data=answers)
    assert_booking_outcome(client, response, answers)


# Found by this test: "²" passes str.isdigit() but int() refuses it, and so does a
# number of 10,000 digits (more than int() converts), so a move to either was a 500
# instead of "Choose one of the free slots".
@given(slot_id=field(st.one_of(any_text, st.integers(0, 10**20).map(str),
                               st.sampled_from(["²", "١٢", "𝟗", "0x10", " 3 ", "-1"]))))
@example(slot_id="²")
@example(slot_id="١")
@example(slot_id="0" * 10_000)
def test_move_with_any_slot(world, slot_id):
    client = world()
    booking = make_booking(db.session.get_one(ShowcaseSlot, world.slots[1]), world.business,
                           status="pending")
    data = {} if slot_id is None else {"slot_id": slot_id}
    response = client.post(f"/member/bookings/{booking.id}/move", data=data)
    check_answer(response, allow_ok=False)
    assert response.status_code in (303, 404, 409, 422), response.status_code
