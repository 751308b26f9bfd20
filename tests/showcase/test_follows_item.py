"""A showcase's slots follow its agenda item: moved together, re-planned when nothing is
booked, and a new length refused while bookings exist. Booking events in calendars
move with them, with their SEQUENCE up by exactly one."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from eventsapp.agenda import rules as agenda
from eventsapp.agenda.models import AgendaItem, ItemKind, ItemStatus
from eventsapp.agenda.rules import ItemInput
from eventsapp.calendar import feeds as calendar
from eventsapp.errors import ValidationError
from eventsapp.extensions import db
from eventsapp.showcase.models import ShowcaseSlot
from eventsapp.showcase.rules.slots import plan_slots
from eventsapp.timezones import to_local
from tests.calendar.readers import parse_both
from tests.support import (
    make_booking,
    make_business,
    make_item,
    make_showcase,
    make_venue,
)


@pytest.fixture
def item(visit):
    venue = make_venue(visit)
    return make_item(visit, "13:30", "14:30", kind=ItemKind.SHOWCASE,
                     title="Member showcase", venue=venue)


@pytest.fixture
def showcase(item):
    return make_showcase(item, slot_minutes=10, buffer_minutes=2)  # 5 slots, 13:30–14:28


def slots(showcase_id: int) -> list[tuple[int, datetime, datetime, bool]]:
    db.session.expire_all()
    return [(s.id, s.starts_at, s.ends_at, s.blocked) for s in db.session.scalars(
        select(ShowcaseSlot).where(ShowcaseSlot.showcase_id == showcase_id)
        .order_by(ShowcaseSlot.starts_at))]


def edit(organiser, item: AgendaItem, start: timedelta = timedelta(),
         end: timedelta = timedelta()) -> AgendaItem:
    """Save the item through the agenda builder with its times shifted."""
    zone = item.visit.zone
    starts = to_local(item.starts_at, zone).replace(tzinfo=None)
    ends = to_local(item.ends_at, zone).replace(tzinfo=None)
    return agenda.update_item(organiser, item.visit.slug, item.id, ItemInput(
        kind=item.kind, title=item.title, starts_local=starts + start, ends_local=ends + end,
        venue_id=item.venue_id, hosts=item.hosts, description=item.description,
        capacity=item.capacity))


def feed_events(slug: str) -> dict[str, dict]:
    return parse_both(calendar.visit_feed(slug, "http://x").body)


def test_moving_the_item_moves_every_slot_and_raises_booking_sequences_by_one(
        organiser, visit, item, showcase):
    clay, pixel = make_business(name="Clayworks Studio"), make_business(name="Pixel Mill")
    first = make_booking(showcase.slots[0], clay)
    third = make_booking(showcase.slots[2], pixel)
    showcase.slots[4].blocked = True
    db.session.commit()
    before_slots = slots(showcase.id)
    before = feed_events(visit.slug)

    edit(organiser, item, timedelta(minutes=30), timedelta(minutes=30))

    half_hour = timedelta(minutes=30)
    assert slots(showcase.id) == [(slot_id, starts + half_hour, ends + half_hour, blocked)
                                  for slot_id, starts, ends, blocked in before_slots]
    after = feed_events(visit.slug)
    for booking in (first, third):
        db.session.refresh(booking)
        assert booking.slot_id == before_slots[0 if booking is first else 2][0]
        assert after[booking.uid]["start"] == before[booking.uid]["start"] + half_hour
        assert after[booking.uid]["end"] == before[booking.uid]["end"] + half_hour
        assert after[booking.uid]["sequence"] == before[booking.uid]["sequence"] + 1
        assert after[booking.uid]["status"] == "CONFIRMED"
    assert after[item.uid]["sequence"] == before[item.uid]["sequence"] + 1


def test_a_new_length_with_bookings_is_refused_and_nothing_changes(
        organiser, visit, item, showcase):
    booking = make_booking(showcase.slots[1], make_business())
    before_slots = slots(showcase.id)
    db.session.refresh(item)
    before_item = (item.starts_at, item.ends_at, item.sequence)
    before = feed_events(visit.slug)

    with pytest.raises(ValidationError) as refused:
        edit(organiser, item, timedelta(minutes=30), timedelta(minutes=60))

    assert set(refused.value.errors) == {"starts_at", "ends_at"}
    assert "has bookings" in refused.value.errors["starts_at"]
    assert slots(showcase.id) == before_slots
    item = db.session.get(AgendaItem, item.id)
    assert (item.starts_at, item.ends_at, item.sequence) == before_item
    assert feed_events(visit.slug)[booking.uid] == before[booking.uid]


def test_a_new_length_that_keeps_the_same_slots_is_allowed_with_bookings(
        organiser, visit, item, showcase):
    make_booking(showcase.slots[0], make_business())
    before_slots = slots(showcase.id)

    # Five minutes more at the end: no sixth slot fits, so the plan is the same.
    edit(organiser, item, end=timedelta(minutes=5))

    assert slots(showcase.id) == before_slots
    assert db.session.get(AgendaItem, item.id).ends_at == item.ends_at


def test_without_bookings_a_new_length_re_plans_the_slots(organiser, visit, item, showcase):
    cancelled = make_booking(showcase.slots[0], make_business(), status="cancelled")
    assert cancelled.id

    edit(organiser, item, timedelta(minutes=-30), timedelta(minutes=30))  # 13:00–15:00

    item = db.session.get(AgendaItem, item.id)
    planned = plan_slots(item.starts_at, item.ends_at, 10, 2)
    assert len(planned) == 10
    assert [(starts, ends) for _, starts, ends, _ in slots(showcase.id)] == planned


def test_without_bookings_a_length_with_no_room_for_a_slot_is_refused(
        organiser, visit, item, showcase):
    before_slots = slots(showcase.id)

    with pytest.raises(ValidationError) as refused:
        edit(organiser, item, end=timedelta(minutes=-55))  # 13:30–13:35

    assert "Not even one 10-minute" in refused.value.errors["ends_at"]
    assert slots(showcase.id) == before_slots


def test_changing_only_the_title_leaves_slots_and_sequences_alone(
        organiser, visit, item, showcase):
    booking = make_booking(showcase.slots[0], make_business())
    before_slots = slots(showcase.id)
    before = feed_events(visit.slug)
    item.title = "Members' showcase"  # what update_item will be given

    edit(organiser, item)

    assert slots(showcase.id) == before_slots
    after = feed_events(visit.slug)
    assert after[booking.uid]["sequence"] == before[booking.uid]["sequence"]
    assert after[item.uid]["summary"] == "Members' showcase"


def test_the_item_form_shows_the_refusal_beside_the_times(organiser_client, visit, item,
                                                          showcase):
    make_booking(showcase.slots[0], make_business())
    day = visit.start_date.isoformat()

    response = organiser_client.post(f"/organiser/visits/{visit.slug}/items/{item.id}/edit",
                                     data={"kind": "showcase", "title": item.title,
                                           "starts_at": f"{day}T13:30",
                                           "ends_at": f"{day}T15:30",
                                           "venue_id": str(item.venue_id), "hosts": "",
                                           "description": "", "capacity": ""})

    assert response.status_code == 422
    assert "This showcase has bookings (1)" in response.get_data(as_text=True)


def test_cancelling_the_showcase_item_cancels_booking_events_with_a_higher_sequence(
        organiser, visit, item, showcase):
    booking = make_booking(showcase.slots[0], make_business())
    before = feed_events(visit.slug)[booking.uid]

    agenda.set_item_status(organiser, visit.slug, item.id, ItemStatus.CANCELLED)

    cancelled = feed_events(visit.slug)[booking.uid]
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["sequence"] == before["sequence"] + 1

    agenda.set_item_status(organiser, visit.slug, item.id, ItemStatus.CONFIRMED)

    reinstated = feed_events(visit.slug)[booking.uid]
    assert reinstated["status"] == "CONFIRMED"
    assert reinstated["sequence"] == cancelled["sequence"] + 1
