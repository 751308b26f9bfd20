"""The rules of services.showcase, called directly with real members and a real database:
slot planning, booking, one per slot and one per business per visit, moving, cancelling,
and the emails each writes to the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventsapp.agenda.models import ItemKind
from eventsapp.errors import Conflict, NotFound, ValidationError
from eventsapp.mail.models import OutboxMessage
from eventsapp.showcase.models import BookingFormat, BookingStatus, ShowcaseBooking, ShowcaseSlot
from eventsapp.showcase.rules import booking as booking_rules
from eventsapp.showcase.rules import common as showcase_common
from eventsapp.showcase.rules import reading as showcase_reading
from eventsapp.showcase.rules import slots
from eventsapp.showcase.rules.common import BookingInput, SlotTaken
from eventsapp.visits.models import VisitStatus
from tests.support import (
    SUMMER,
    local,
    make_booking,
    make_item,
    make_member,
    make_showcase,
    make_user,
    make_visit,
    outbox,
)


# Always in the future, always on British Summer Time.
def answers(**overrides) -> BookingInput:
    fields = dict(title="Clay printing in 3D", description="A printer that throws pots.",
                  format=BookingFormat.DEMO, equipment=["power", "table"],
                  people="Mina Maker\nSam Glaze")
    fields.update(overrides)
    return BookingInput(**fields)


def bookings(db) -> list[ShowcaseBooking]:
    db.session.rollback()
    return list(db.session.scalars(select(ShowcaseBooking).order_by(ShowcaseBooking.id)))


def free_ids(showcase) -> list[int]:
    return [slot.id for slot in showcase_common.free_slots(showcase.id)]


@pytest.fixture
def item(visit):
    return make_item(visit, "13:30", "14:30", kind=ItemKind.SHOWCASE, title="Member showcase")


@pytest.fixture
def showcase(item):
    return make_showcase(item, slot_minutes=10, buffer_minutes=2, requires_approval=True)


@pytest.fixture
def sam(clayworks):
    return make_member(clayworks, email="sam@clayworks.example", name="Sam Glaze")


@pytest.fixture
def piotr(pixel):
    return make_member(pixel, email="piotr@pixelmill.example", name="Piotr Pixel")


# --- slot planning --------------------------------------------------------------------------


def test_ten_minute_slots_with_two_minute_buffers_fill_an_hour_with_five(visit, item):
    planned = slots.plan_slots(item.starts_at, item.ends_at, 10, 2)

    starts = ["13:30", "13:42", "13:54", "14:06", "14:18"]
    assert planned == [
        (local(visit, 0, hhmm), local(visit, 0, hhmm) + timedelta(minutes=10)) for hhmm in starts
    ]
    # 13:30 BST is 12:30 UTC: the instants are stored in UTC.
    assert planned[0][0] == datetime(SUMMER.year, 7, 14, 12, 30, tzinfo=UTC)
    assert planned[-1][1] == datetime(SUMMER.year, 7, 14, 13, 28, tzinfo=UTC)


def test_stored_slots_follow_the_plan(db, showcase):
    db.session.expire_all()
    stored = db.session.scalars(
        select(ShowcaseSlot).where(ShowcaseSlot.showcase_id == showcase.id)
        .order_by(ShowcaseSlot.starts_at)
    ).all()
    assert [(s.starts_at, s.ends_at) for s in stored] == slots.plan_slots(
        showcase.item.starts_at, showcase.item.ends_at, 10, 2)
    assert len(stored) == 5


# --- booking -----------------------------------------------------------------------------------


def test_booking_a_showcase_that_needs_approval_is_pending(db, showcase, mina, clayworks):
    slot = showcase.slots[1]

    booking = booking_rules.book(mina, slot.id, answers(title="  Clay printing in 3D  ",
                                                   equipment=["table", "power"],
                                                   people=" Mina Maker \r\n\r\nSam Glaze "))

    [stored] = bookings(db)
    assert stored.id == booking.id
    assert stored.status is BookingStatus.PENDING
    assert (stored.slot_id, stored.business_id, stored.booked_by_id) == (
        slot.id, clayworks.id, mina.id)
    assert stored.visit_id == showcase.item.visit_id
    assert stored.title == "Clay printing in 3D"
    assert stored.format is BookingFormat.DEMO
    assert stored.equipment == ["power", "table"]  # in the list's order
    assert stored.people == "Mina Maker\nSam Glaze"
    assert stored.sequence == 0
    assert slot.id not in free_ids(showcase)


def test_booking_a_showcase_without_approval_is_approved_at_once(db, item, mina):
    showcase = make_showcase(item, requires_approval=False)

    booking_rules.book(mina, showcase.slots[0].id, answers())

    [stored] = bookings(db)
    assert stored.status is BookingStatus.APPROVED


def test_a_description_of_600_characters_is_accepted(db, showcase, mina):
    booking_rules.book(mina, showcase.slots[0].id, answers(description="x" * 600))
    assert bookings(db)[0].description == "x" * 600


def refused(db, showcase, call, error, message: str):
    """``call`` raises ``error`` with ``message``, and nothing is written."""
    before_free = free_ids(showcase)
    before = [(b.id, b.slot_id, b.status, b.sequence, b.title) for b in bookings(db)]
    mails = len(outbox())
    with pytest.raises(error) as caught:
        call()
    assert message in caught.value.message
    assert [(b.id, b.slot_id, b.status, b.sequence, b.title) for b in bookings(db)] == before
    assert len(outbox()) == mails
    assert free_ids(showcase) == before_free
    return caught.value


def test_a_blocked_slot_is_refused(db, showcase, mina):
    slot = showcase.slots[2]
    slot.blocked = True
    db.session.commit()

    refused(db, showcase, lambda: booking_rules.book(mina, slot.id, answers()), Conflict,
            "That slot is not available")


def test_booking_after_the_deadline_is_refused(db, item, mina):
    showcase = make_showcase(item, deadline=datetime.now(UTC) - timedelta(minutes=1))

    refused(db, showcase, lambda: booking_rules.book(mina, showcase.slots[0].id, answers()),
            Conflict, "The booking deadline for this showcase has passed")


def test_a_slot_already_taken_is_refused_with_the_slots_still_free(db, showcase, mina, pixel):
    taken = showcase.slots[0]
    make_booking(taken, pixel)
    showcase.slots[4].blocked = True
    db.session.commit()

    error = refused(db, showcase, lambda: booking_rules.book(mina, taken.id, answers()), SlotTaken,
                    "Sorry, that slot has just been taken")

    assert [slot.id for slot in error.free_slots] == [s.id for s in showcase.slots[1:4]]


def test_a_slot_that_does_not_exist_is_refused(db, showcase, mina):
    refused(db, showcase, lambda: booking_rules.book(mina, 987654, answers()), NotFound,
            "No such slot")


def test_a_slot_of_a_draft_visit_is_refused(db, organiser, mina):
    draft = make_visit(organisers=[organiser], slug="draft-visit", start_date=SUMMER,
                       end_date=SUMMER, status=VisitStatus.DRAFT)
    showcase = make_showcase(make_item(draft, "10:00", "11:00", kind=ItemKind.SHOWCASE))

    refused(db, showcase, lambda: booking_rules.book(mina, showcase.slots[0].id, answers()),
            NotFound, "No such slot")


def test_a_description_of_601_characters_is_refused(db, showcase, mina):
    error = refused(db, showcase,
                    lambda: booking_rules.book(mina, showcase.slots[0].id,
                                           answers(description="x" * 601)),
                    ValidationError, "600 characters or fewer")
    assert set(error.errors) == {"description"}


def test_a_title_is_needed(db, showcase, mina):
    error = refused(db, showcase,
                    lambda: booking_rules.book(mina, showcase.slots[0].id, answers(title="  ")),
                    ValidationError, "Give your showcase a title")
    assert set(error.errors) == {"title"}


def test_organisers_and_members_without_a_business_cannot_book(db, showcase, organiser):
    loner = make_user(email="loner@example.org", role="member")
    for actor in (organiser, loner):
        refused(db, showcase,
                lambda a=actor: booking_rules.book(a, showcase.slots[0].id, answers()),
                NotFound, "No such slot")


def test_one_booking_per_business_per_visit(db, visit, showcase, mina, sam):
    first = booking_rules.book(mina, showcase.slots[0].id, answers())
    other_item = make_item(visit, "16:00", "17:00", kind=ItemKind.SHOWCASE, title="Late show")
    other = make_showcase(other_item)

    refused(db, showcase, lambda: booking_rules.book(sam, showcase.slots[1].id, answers()),
            Conflict, "already has a booking for this visit")
    refused(db, other, lambda: booking_rules.book(sam, other.slots[0].id, answers()),
            Conflict, "already has a booking for this visit")
    assert [b.id for b in bookings(db)] == [first.id]


def test_a_cancelled_booking_does_not_count_against_the_business(db, showcase, mina, clayworks):
    make_booking(showcase.slots[0], clayworks, status="cancelled")
    make_booking(showcase.slots[1], clayworks, status="declined")

    booking = booking_rules.book(mina, showcase.slots[0].id, answers())

    assert booking.status is BookingStatus.PENDING
    assert [b.status for b in bookings(db)] == [BookingStatus.CANCELLED, BookingStatus.DECLINED,
                                                BookingStatus.PENDING]


# --- moving and cancelling ----------------------------------------------------------------------


def test_moving_to_a_free_slot_keeps_one_booking_and_frees_the_old_slot(db, showcase, mina):
    old, new = showcase.slots[0], showcase.slots[3]
    booking = booking_rules.book(mina, old.id, answers())

    moved = booking_rules.move(mina, booking.id, new.id)

    [stored] = bookings(db)
    assert stored.id == booking.id == moved.id
    assert stored.slot_id == new.id
    assert stored.sequence == 1
    assert stored.status is BookingStatus.PENDING
    assert stored.title == "Clay printing in 3D"
    assert old.id in free_ids(showcase) and new.id not in free_ids(showcase)


def test_moving_to_a_taken_slot_keeps_the_old_booking(db, showcase, mina, pixel):
    mine = booking_rules.book(mina, showcase.slots[0].id, answers())
    theirs = make_booking(showcase.slots[1], pixel)

    error = refused(db, showcase, lambda: booking_rules.move(mina, mine.id, showcase.slots[1].id),
                    SlotTaken, "Sorry, that slot has just been taken")

    assert [s.id for s in error.free_slots] == [s.id for s in showcase.slots[2:]]
    stored = {b.id: b for b in bookings(db)}
    assert (stored[mine.id].slot_id, stored[mine.id].sequence) == (showcase.slots[0].id, 0)
    assert (stored[theirs.id].slot_id, stored[theirs.id].business_id) == (
        showcase.slots[1].id, pixel.id)


def test_moving_to_a_blocked_slot_or_another_showcase_is_refused(db, visit, showcase, mina):
    mine = booking_rules.book(mina, showcase.slots[0].id, answers())
    showcase.slots[2].blocked = True
    db.session.commit()
    other = make_showcase(make_item(visit, "16:00", "17:00", kind=ItemKind.SHOWCASE))

    refused(db, showcase, lambda: booking_rules.move(mina, mine.id, showcase.slots[2].id),
            Conflict, "That slot is not available")
    refused(db, showcase, lambda: booking_rules.move(mina, mine.id, other.slots[0].id),
            NotFound, "No such slot in this showcase")


def test_cancelling_frees_the_slot_for_another_business(db, showcase, mina, piotr):
    slot = showcase.slots[0]
    mine = booking_rules.book(mina, slot.id, answers())

    booking_rules.cancel(mina, mine.id)

    [stored] = bookings(db)
    assert stored.status is BookingStatus.CANCELLED
    assert stored.sequence == 1
    assert slot.id in free_ids(showcase)
    theirs = booking_rules.book(piotr, slot.id, answers(title="Pixel art"))
    assert theirs.slot_id == slot.id


def test_a_cancelled_booking_cannot_be_moved_changed_or_cancelled_again(db, showcase, mina):
    mine = booking_rules.book(mina, showcase.slots[0].id, answers())
    booking_rules.cancel(mina, mine.id)

    for call in (lambda: booking_rules.move(mina, mine.id, showcase.slots[1].id),
                 lambda: booking_rules.update_booking(mina, mine.id, answers(title="New")),
                 lambda: booking_rules.cancel(mina, mine.id)):
        refused(db, showcase, call, Conflict, "no longer active")


def test_changes_after_the_deadline_are_refused(db, item, mina, clayworks):
    showcase = make_showcase(item, deadline=datetime.now(UTC) - timedelta(minutes=1))
    mine = make_booking(showcase.slots[0], clayworks)

    for call in (lambda: booking_rules.move(mina, mine.id, showcase.slots[1].id),
                 lambda: booking_rules.update_booking(mina, mine.id, answers(title="New")),
                 lambda: booking_rules.cancel(mina, mine.id)):
        refused(db, showcase, call, Conflict, "deadline has passed")


def test_another_business_cannot_reach_a_booking(db, showcase, mina, piotr):
    mine = booking_rules.book(mina, showcase.slots[0].id, answers())

    with pytest.raises(NotFound):
        showcase_reading.member_booking(piotr, mine.id)
    for call in (lambda: booking_rules.move(piotr, mine.id, showcase.slots[1].id),
                 lambda: booking_rules.update_booking(piotr, mine.id, answers(title="Mine now")),
                 lambda: booking_rules.cancel(piotr, mine.id)):
        refused(db, showcase, call, NotFound, "No such booking")


def test_updating_details_keeps_the_slot(db, showcase, mina):
    mine = booking_rules.book(mina, showcase.slots[0].id, answers())

    booking_rules.update_booking(mina, mine.id,
                                 answers(title="Glaze lab", format=BookingFormat.PITCH,
                                         equipment=[], people=""))

    [stored] = bookings(db)
    assert (stored.title, stored.format, stored.equipment, stored.people) == (
        "Glaze lab", BookingFormat.PITCH, [], "")
    assert stored.slot_id == showcase.slots[0].id


# --- emails ------------------------------------------------------------------------------------


def test_every_active_person_of_the_business_is_emailed(db, showcase, mina, sam, clayworks,
                                                        piotr):
    make_member(clayworks, email="gone@clayworks.example", name="Gone", active=False)

    booking = booking_rules.book(mina, showcase.slots[0].id, answers())

    received = outbox()
    assert sorted(m.to for m in received) == ["mina@clayworks.example", "sam@clayworks.example"]
    assert {m.topic for m in received} == {f"booking:{booking.id}"}
    assert {m.subject for m in received} == {"Showcase booking received: "
                                             "Regions and Clusters delegation"}
    body = next(m.body_text for m in received if m.to == "sam@clayworks.example")
    assert "Dear Sam Glaze" in body
    assert f"{SUMMER:%A %d %B %Y}, 13:30–13:40 BST" in body
    assert "Clay printing in 3D" in body

    booking_rules.move(mina, booking.id, showcase.slots[2].id)
    moved = outbox()[2:]
    assert sorted(m.to for m in moved) == ["mina@clayworks.example", "sam@clayworks.example"]
    assert {m.subject for m in moved} == {"Showcase slot moved: Regions and Clusters delegation"}
    assert "13:54–14:04 BST" in moved[0].body_text

    booking_rules.cancel(sam, booking.id)
    cancelled = outbox()[4:]
    assert sorted(m.to for m in cancelled) == ["mina@clayworks.example", "sam@clayworks.example"]
    assert {m.subject for m in cancelled} == {
        "Showcase booking cancelled: Regions and Clusters delegation"}
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.to == "piotr@pixelmill.example")) == 0


def test_an_approved_booking_says_so(db, item, mina):
    showcase = make_showcase(item, requires_approval=False)
    booking_rules.book(mina, showcase.slots[0].id, answers())
    assert {m.subject for m in outbox()} == {
        "Showcase slot booked: Regions and Clusters delegation"}


def test_a_slot_that_has_already_started_is_refused(db, showcase, mina):
    slot = showcase.slots[0]
    later = slot.starts_at + timedelta(minutes=1)
    refused(db, showcase, lambda: booking_rules.book(mina, slot.id, answers(), now=later),
            Conflict, "That slot has already started")
