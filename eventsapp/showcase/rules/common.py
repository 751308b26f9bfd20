"""What the showcase modules share: inputs, errors, lookups and the booking email."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from eventsapp.accounts.models import User
from eventsapp.agenda.models import AgendaItem, ItemKind
from eventsapp.errors import DomainError, NotFound, ValidationError
from eventsapp.extensions import db
from eventsapp.mail import outbox as mail
from eventsapp.mail.attachments import BOOKING_CALENDAR, later
from eventsapp.showcase.models import (
    EQUIPMENT,
    BookingFormat,
    BookingStatus,
    ShowcaseBooking,
    ShowcaseSlot,
)
from eventsapp.visits.rules import organiser_visit

DESCRIPTION_MAX = 600


class SlotTaken(DomainError):
    """Someone else booked the slot first; ``free_slots`` are the ones still open."""

    def __init__(self, free_slots: list[ShowcaseSlot]):
        super().__init__("Sorry, that slot has just been taken. Please choose another.")
        self.free_slots = free_slots


@dataclass(frozen=True)
class ShowcaseSettings:
    slot_minutes: int
    buffer_minutes: int
    requires_approval: bool
    deadline_local: datetime | None  # naive wall time in the visit's zone


@dataclass(frozen=True)
class BookingInput:
    title: str
    description: str
    format: BookingFormat
    equipment: list[str] = field(default_factory=list)
    people: str = ""


def organiser_showcase_item(actor: User, slug: str, item_id: int) -> AgendaItem:
    visit = organiser_visit(actor, slug)
    item = db.session.get(AgendaItem, item_id)
    if (item is None or item.visit_id != visit.id or item.deleted_at is not None
            or item.kind is not ItemKind.SHOWCASE):
        raise NotFound("No such showcase.")
    return item


def _active_booking_for_slot(slot_id: int) -> ShowcaseBooking | None:
    return db.session.scalar(
        select(ShowcaseBooking).where(
            ShowcaseBooking.slot_id == slot_id,
            ShowcaseBooking.status.in_([BookingStatus.PENDING, BookingStatus.APPROVED]),
        )
    )


def free_slots(showcase_id: int) -> list[ShowcaseSlot]:
    taken = select(ShowcaseBooking.slot_id).where(
        ShowcaseBooking.status.in_([BookingStatus.PENDING, BookingStatus.APPROVED])
    )
    return list(db.session.scalars(
        select(ShowcaseSlot)
        .where(ShowcaseSlot.showcase_id == showcase_id, ShowcaseSlot.blocked.is_(False),
               ShowcaseSlot.id.not_in(taken))
        .order_by(ShowcaseSlot.starts_at)
    ))


def _validate_booking(data: BookingInput) -> None:
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = "Give your showcase a title."
    elif len(data.title.strip()) > 200:
        errors["title"] = "Title must be 200 characters or fewer."
    if len(data.description.strip()) > DESCRIPTION_MAX:
        errors["description"] = f"Description must be {DESCRIPTION_MAX} characters or fewer."
    unknown = [e for e in data.equipment if e not in EQUIPMENT]
    if unknown:
        errors["equipment"] = "Choose equipment from the list."
    if len(data.people) > 500:
        errors["people"] = "Names of people attending must be 500 characters or fewer."
    if errors:
        raise ValidationError(errors)


def _taken(showcase_id: int) -> SlotTaken:
    return SlotTaken(free_slots(showcase_id))


def _apply(booking: ShowcaseBooking, data: BookingInput) -> None:
    booking.title = data.title.strip()
    booking.description = data.description.strip()
    booking.format = data.format
    booking.equipment = [e for e in EQUIPMENT if e in data.equipment]
    booking.people = "\n".join(
        n.strip() for n in data.people.replace("\r", "").split("\n") if n.strip())


# Emails that give a member a slot carry it (and its showcase item) as an .ics file.
WITH_CALENDAR = frozenset({"booking_received", "booking_approved", "booking_moved"})


def _notify(booking: ShowcaseBooking, template: str) -> None:
    """Email every active person of the booking's business."""
    item = booking.slot.showcase.item
    attachments = []
    if template in WITH_CALENDAR:
        db.session.flush()  # a new booking's id
        # Made by the outbox worker when the email is sent, by the calendar (mail.attachments).
        attachments.append(later(BOOKING_CALENDAR, booking_id=booking.id))
    for person in booking.business.people:
        if person.active:
            mail.queue(person.email, f"mail/{template}.html", topic=f"booking:{booking.id}",
                       attachments=list(attachments), booking=booking, item=item,
                       visit=item.visit, person=person)
