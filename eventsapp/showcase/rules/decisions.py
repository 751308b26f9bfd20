"""Organisers approving or declining bookings, and assigning a business to a slot."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eventsapp.accounts.models import User
from eventsapp.db import write
from eventsapp.errors import Conflict, ValidationError
from eventsapp.extensions import db
from eventsapp.locks import lock
from eventsapp.members.models import MemberBusiness
from eventsapp.showcase.models import BookingStatus, Showcase, ShowcaseBooking, ShowcaseSlot
from eventsapp.showcase.rules import changelog
from eventsapp.showcase.rules.common import (
    BookingInput,
    _active_booking_for_slot,
    _apply,
    _notify,
    _validate_booking,
    organiser_showcase_item,
)
from eventsapp.visits.rules import organiser_visit_row


def organiser_booking(actor: User, slug: str, booking_id: int) -> ShowcaseBooking:
    return organiser_visit_row(actor, slug, ShowcaseBooking, booking_id, "booking")


def decide(actor: User, slug: str, booking_id: int, approve: bool, message: str = ""
           ) -> ShowcaseBooking:
    """Approve or decline a booking, with a message emailed to the member."""
    with write():
        booking = organiser_booking(actor, slug, booking_id)
        if not booking.is_active:
            raise Conflict("This booking has been cancelled or declined already.")
        if approve and booking.status is BookingStatus.APPROVED:
            return booking
        booking.status = BookingStatus.APPROVED if approve else BookingStatus.DECLINED
        booking.decision_message = message.strip()
        booking.sequence += 1
        changelog.booking_status(actor, booking)
        _notify(booking, "booking_approved" if approve else "booking_declined")
    return booking


def assign(actor: User, slug: str, item_id: int, slot_id: int, business_id: int,
           data: BookingInput) -> ShowcaseBooking:
    """An organiser books a slot for a member business directly (approved at once)."""
    with write():
        item = organiser_showcase_item(actor, slug, item_id)
        _validate_booking(data)
        slot = db.session.get(ShowcaseSlot, slot_id)
        business = db.session.get(MemberBusiness, business_id)
        if slot is None or slot.showcase.item_id != item.id:
            raise ValidationError({"slot_id": "Choose one of this showcase's slots."})
        if business is None:
            raise ValidationError({"business_id": "Choose a member business."})
        lock(Showcase, slot.showcase_id)
        if slot.blocked:
            raise ValidationError({"slot_id": "That slot is blocked; unblock it first."})
        if _active_booking_for_slot(slot.id) is not None:
            raise ValidationError({"slot_id": "That slot is already booked."})
        if db.session.scalar(select(ShowcaseBooking.id).where(
                ShowcaseBooking.visit_id == item.visit_id,
                ShowcaseBooking.business_id == business.id,
                ShowcaseBooking.status.in_([BookingStatus.PENDING, BookingStatus.APPROVED]))):
            raise ValidationError({"business_id": f"{business.name} already has a booking "
                                                  "for this visit."})
        booking = ShowcaseBooking(slot=slot, visit_id=item.visit_id, business=business,
                                  booked_by_id=actor.id, status=BookingStatus.APPROVED)
        _apply(booking, data)
        db.session.add(booking)
        try:
            db.session.flush()
        except IntegrityError as exc:
            raise ValidationError({"slot_id": "That slot was booked a moment ago."}) from exc
        changelog.booking_made(actor, booking, "booking_assigned")
        _notify(booking, "booking_approved")
    return booking
