"""Members booking a slot, changing, moving and cancelling their booking."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eventsapp.accounts.models import User
from eventsapp.db import write
from eventsapp.dbtypes import utcnow
from eventsapp.errors import Conflict, NotFound
from eventsapp.extensions import db
from eventsapp.locks import lock
from eventsapp.showcase.models import BookingStatus, Showcase, ShowcaseBooking, ShowcaseSlot
from eventsapp.showcase.rules import changelog
from eventsapp.showcase.rules.common import (
    BookingInput,
    _active_booking_for_slot,
    _apply,
    _notify,
    _taken,
    _validate_booking,
)
from eventsapp.showcase.rules.reading import is_members_visit, member_booking


def _bookable_slot(actor: User, slot_id: int, now: datetime
                   ) -> tuple[ShowcaseSlot, Showcase]:
    slot = db.session.get(ShowcaseSlot, slot_id)
    if slot is None:
        raise NotFound("No such slot.")
    showcase = lock(Showcase, slot.showcase_id)
    item = showcase.item
    if not is_members_visit(actor, item.visit) or item.deleted_at is not None:
        raise NotFound("No such slot.")
    if item.is_cancelled:
        raise Conflict("This showcase has been cancelled.")
    if showcase.booking_deadline and now >= showcase.booking_deadline:
        raise Conflict("The booking deadline for this showcase has passed.")
    if slot.starts_at <= now:
        raise Conflict("That slot has already started. Please choose a later one.")
    if slot.blocked:
        raise Conflict("That slot is not available. Please choose another.")
    return slot, showcase


def book(actor: User, slot_id: int, data: BookingInput, now: datetime | None = None
         ) -> ShowcaseBooking:
    """Book a slot for the actor's business: one per slot, one per business per visit."""
    now = now or utcnow()
    with write():
        if actor is None or not actor.is_member or actor.business_id is None:
            raise NotFound("No such slot.")
        _validate_booking(data)
        slot, showcase = _bookable_slot(actor, slot_id, now)
        visit_id = showcase.item.visit_id
        mine = db.session.scalar(
            select(ShowcaseBooking).where(
                ShowcaseBooking.visit_id == visit_id,
                ShowcaseBooking.business_id == actor.business_id,
                ShowcaseBooking.status.in_([BookingStatus.PENDING, BookingStatus.APPROVED]),
            )
        )
        if mine is not None:
            raise Conflict("Your business already has a booking for this visit: move it "
                           "to another slot instead.")
        if _active_booking_for_slot(slot.id) is not None:
            raise _taken(showcase.id)
        booking = ShowcaseBooking(
            slot=slot, visit_id=visit_id, business_id=actor.business_id, booked_by_id=actor.id,
            status=BookingStatus.PENDING if showcase.requires_approval else BookingStatus.APPROVED,
        )
        _apply(booking, data)
        try:
            # A savepoint, so that the rule can still read after losing the insert.
            with db.session.begin_nested():
                db.session.add(booking)
        except IntegrityError as exc:
            # Lost a race: for the slot, or (two people of one business at once) for the
            # business's one booking per visit.
            if db.session.scalar(select(ShowcaseBooking.id).where(
                    ShowcaseBooking.visit_id == visit_id,
                    ShowcaseBooking.business_id == actor.business_id,
                    ShowcaseBooking.status.in_([BookingStatus.PENDING, BookingStatus.APPROVED]))):
                raise Conflict("Someone from your business has just booked a slot for this "
                               "visit.") from exc
            raise _taken(showcase.id) from exc
        changelog.booking_made(actor, booking)
        _notify(booking, "booking_received")
    return booking


def update_booking(actor: User, booking_id: int, data: BookingInput,
                   now: datetime | None = None) -> ShowcaseBooking:
    now = now or utcnow()
    with write():
        booking = member_booking(actor, booking_id)
        _validate_booking(data)
        _check_changeable(booking, now)
        _apply(booking, data)
        changelog.booking_edited(actor, booking)
    return booking


def _check_changeable(booking: ShowcaseBooking, now: datetime) -> None:
    if not booking.is_active:
        raise Conflict("This booking is no longer active.")
    deadline = booking.slot.showcase.booking_deadline
    if deadline and now >= deadline:
        raise Conflict("The booking deadline has passed; please contact the organisers.")


def move(actor: User, booking_id: int, new_slot_id: int, now: datetime | None = None
         ) -> ShowcaseBooking:
    """Move to another free slot in one step: the old slot is given up only if the new
    one is won, so the business never holds two and never loses both."""
    now = now or utcnow()
    with write():
        booking = member_booking(actor, booking_id)
        _check_changeable(booking, now)
        slot, showcase = _bookable_slot(actor, new_slot_id, now)
        if slot.showcase_id != booking.slot.showcase_id:
            raise NotFound("No such slot in this showcase.")
        if slot.id == booking.slot_id:
            return booking
        if _active_booking_for_slot(slot.id) is not None:
            raise _taken(showcase.id)
        try:
            # A savepoint, so that the rule can still list the free slots after losing.
            with db.session.begin_nested():
                booking.slot_id = slot.id
                booking.sequence += 1
                changelog.booking_moved(actor, booking)
        except IntegrityError as exc:
            raise _taken(showcase.id) from exc
        db.session.refresh(booking)
        _notify(booking, "booking_moved")
    return booking


def cancel(actor: User, booking_id: int, now: datetime | None = None) -> ShowcaseBooking:
    now = now or utcnow()
    with write():
        booking = member_booking(actor, booking_id)
        _check_changeable(booking, now)
        booking.status = BookingStatus.CANCELLED
        booking.sequence += 1
        changelog.booking_status(actor, booking)
        _notify(booking, "booking_cancelled")
    return booking
