"""Showcases: splitting a showcase item into slots, and members booking them.

No double-booking, ever: unique indexes allow one active booking per slot and one per
member business per visit, and every booking write runs in one transaction that
holds the write lock (BEGIN IMMEDIATE on SQLite) or the showcase's row lock
(PostgreSQL) before it checks. Whoever loses a race gets SlotTaken and the slots
still free.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from eventsapp.extensions import db
from eventsapp.models import (
    EQUIPMENT,
    AgendaItem,
    BookingFormat,
    BookingStatus,
    ItemKind,
    MemberBusiness,
    Showcase,
    ShowcaseBooking,
    ShowcaseSlot,
    User,
    Visit,
    VisitStatus,
    utcnow,
)
from eventsapp.services import calendar, changelog, lineups, mail
from eventsapp.services.errors import Conflict, DomainError, NotFound, ValidationError
from eventsapp.services.locks import lock
from eventsapp.services.tx import begin_write
from eventsapp.services.visits import organiser_visit
from eventsapp.timezones import NonexistentLocalTime, to_utc
from eventsapp.urls import base_url

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


# --- organiser: settings and slots -------------------------------------------------------


def organiser_showcase_item(actor: User, slug: str, item_id: int) -> AgendaItem:
    visit = organiser_visit(actor, slug)
    item = db.session.get(AgendaItem, item_id)
    if (item is None or item.visit_id != visit.id or item.deleted_at is not None
            or item.kind is not ItemKind.SHOWCASE):
        raise NotFound("No such showcase.")
    return item


def showcase_for_item(item_id: int) -> Showcase | None:
    return db.session.scalar(
        select(Showcase).where(Showcase.item_id == item_id)
        .options(selectinload(Showcase.slots))
    )


def plan_slots(starts: datetime, ends: datetime, slot_minutes: int, buffer_minutes: int
               ) -> list[tuple[datetime, datetime]]:
    """Back-to-back slots of ``slot_minutes`` with ``buffer_minutes`` between them,
    all inside [starts, ends]."""
    slots = []
    length, gap = timedelta(minutes=slot_minutes), timedelta(minutes=buffer_minutes)
    cursor = starts
    while cursor + length <= ends:
        slots.append((cursor, cursor + length))
        cursor += length + gap
    return slots


def configure(actor: User, slug: str, item_id: int, data: ShowcaseSettings) -> Showcase:
    """Save a showcase's settings and (re)build its slots. Changing the slot plan is
    refused while active bookings exist on slots that would change."""
    begin_write()
    item = organiser_showcase_item(actor, slug, item_id)
    errors: dict[str, str] = {}
    if not 1 <= data.slot_minutes <= 600:
        errors["slot_minutes"] = "Slot length must be between 1 and 600 minutes."
    if not 0 <= data.buffer_minutes <= 240:
        errors["buffer_minutes"] = "Buffer must be between 0 and 240 minutes."
    deadline = None
    if data.deadline_local is not None:
        try:
            deadline = to_utc(data.deadline_local, item.visit.zone)
        except NonexistentLocalTime as exc:
            errors["deadline"] = str(exc)
    if not errors and not plan_slots(item.starts_at, item.ends_at, data.slot_minutes,
                                     data.buffer_minutes):
        errors["slot_minutes"] = "Not even one slot of that length fits in this item."
    if errors:
        db.session.rollback()
        raise ValidationError(errors)
    showcase = showcase_for_item(item.id)
    if showcase is None:
        showcase = Showcase(item=item)
        db.session.add(showcase)
    else:
        lock(Showcase, showcase.id)
    planned = plan_slots(item.starts_at, item.ends_at, data.slot_minutes, data.buffer_minutes)
    current = [(s.starts_at, s.ends_at) for s in showcase.slots]
    if planned != current:
        booked = _active_bookings_on(showcase)
        if booked:
            db.session.rollback()
            raise Conflict(
                f"{booked} slot(s) are booked. Cancel or move those bookings before "
                "changing the slot length or buffer."
            )
        showcase.slots.clear()
        db.session.flush()
        for starts, ends in planned:
            showcase.slots.append(ShowcaseSlot(starts_at=starts, ends_at=ends))
    showcase.slot_minutes = data.slot_minutes
    showcase.buffer_minutes = data.buffer_minutes
    showcase.requires_approval = data.requires_approval
    showcase.booking_deadline = deadline
    changelog.showcase_configured(actor, showcase)
    db.session.commit()
    return showcase


def follow_item(item: AgendaItem, starts: datetime, ends: datetime) -> None:
    """Move a showcase's slots with its agenda item, which is about to go from its
    current times to [starts, ends) (called inside agenda.update_item's write).

    The same length: every slot moves by the same amount. A new length whose slot plan
    differs: the slots are planned afresh, which is refused (ValidationError, nothing
    saved) while bookings exist. A booking's calendar event takes its SEQUENCE from
    its own changes plus the item's, and update_item raises the item's, so every
    moved booking's event goes up by exactly one without touching the booking."""
    old_starts, old_ends = item.starts_at, item.ends_at
    if (starts, ends) == (old_starts, old_ends):
        return
    showcase_id = db.session.scalar(select(Showcase.id).where(Showcase.item_id == item.id))
    if showcase_id is None:
        return
    showcase = lock(Showcase, showcase_id)
    delta = starts - old_starts
    shifted = [(s.starts_at + delta, s.ends_at + delta) for s in showcase.slots]
    planned = plan_slots(starts, ends, showcase.slot_minutes, showcase.buffer_minutes)
    if ends - starts == old_ends - old_starts or planned == shifted:
        for slot in showcase.slots:
            slot.starts_at += delta
            slot.ends_at += delta
        return
    booked = _active_bookings_on(showcase)
    if booked:
        db.session.rollback()
        message = (f"This showcase has bookings ({booked}), so its slots cannot be planned "
                   "afresh for a new length. Keep the length (the slots then move with "
                   "the showcase), or move or cancel the bookings first.")
        raise ValidationError({"starts_at": message, "ends_at": message})
    if not planned:
        db.session.rollback()
        raise ValidationError({"ends_at": f"Not even one {showcase.slot_minutes}-minute "
                                          "showcase slot fits in this time."})
    showcase.slots.clear()
    db.session.flush()
    for slot_starts, slot_ends in planned:
        showcase.slots.append(ShowcaseSlot(starts_at=slot_starts, ends_at=slot_ends))


def _active_bookings_on(showcase: Showcase) -> int:
    slot_ids = [s.id for s in showcase.slots]
    if not slot_ids:
        return 0
    return len(db.session.scalars(
        select(ShowcaseBooking.id).where(
            ShowcaseBooking.slot_id.in_(slot_ids),
            ShowcaseBooking.status.in_([BookingStatus.PENDING, BookingStatus.APPROVED]),
        )
    ).all())


def set_slot_blocked(actor: User, slug: str, item_id: int, slot_id: int, blocked: bool
                     ) -> ShowcaseSlot:
    begin_write()
    item = organiser_showcase_item(actor, slug, item_id)
    slot = db.session.get(ShowcaseSlot, slot_id)
    if slot is None or slot.showcase.item_id != item.id:
        db.session.rollback()
        raise NotFound("No such slot.")
    if blocked and _active_booking_for_slot(slot.id) is not None:
        db.session.rollback()
        raise Conflict("This slot is booked. Move or cancel the booking before blocking it.")
    changelog.slot_blocked(actor, slot, blocked)
    slot.blocked = blocked
    db.session.commit()
    return slot


def _active_booking_for_slot(slot_id: int) -> ShowcaseBooking | None:
    return db.session.scalar(
        select(ShowcaseBooking).where(
            ShowcaseBooking.slot_id == slot_id,
            ShowcaseBooking.status.in_([BookingStatus.PENDING, BookingStatus.APPROVED]),
        )
    )


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotView:
    slot: ShowcaseSlot
    booking: ShowcaseBooking | None

    @property
    def is_free(self) -> bool:
        return self.booking is None and not self.slot.blocked


def slot_views(showcase: Showcase) -> list[SlotView]:
    """Every slot with its active booking (if any), in two queries."""
    bookings = {
        b.slot_id: b
        for b in db.session.scalars(
            select(ShowcaseBooking)
            .join(ShowcaseSlot)
            .where(
                ShowcaseSlot.showcase_id == showcase.id,
                ShowcaseBooking.status.in_([BookingStatus.PENDING, BookingStatus.APPROVED]),
            )
            .options(joinedload(ShowcaseBooking.business))
        )
    }
    return [SlotView(slot, bookings.get(slot.id)) for slot in showcase.slots]


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


def open_showcases(now: datetime | None = None) -> list[Showcase]:
    """Showcases of published visits members can still book (deadline not passed,
    item not cancelled), soonest first."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(Showcase)
        .join(Showcase.item)
        .join(AgendaItem.visit)
        .where(
            Visit.status == VisitStatus.PUBLISHED,
            AgendaItem.deleted_at.is_(None),
            AgendaItem.status == "confirmed",
            AgendaItem.starts_at > now,
            (Showcase.booking_deadline.is_(None)) | (Showcase.booking_deadline > now),
        )
        .options(joinedload(Showcase.item).joinedload(AgendaItem.visit),
                 selectinload(Showcase.slots))
        .order_by(AgendaItem.starts_at)
    ))


def bookings_for_business(business_id: int) -> list[ShowcaseBooking]:
    return list(db.session.scalars(
        select(ShowcaseBooking)
        .where(ShowcaseBooking.business_id == business_id)
        .options(joinedload(ShowcaseBooking.slot).joinedload(ShowcaseSlot.showcase)
                 .joinedload(Showcase.item).joinedload(AgendaItem.visit))
        .order_by(ShowcaseBooking.created_at.desc())
    ))


def member_booking(actor: User, booking_id: int) -> ShowcaseBooking:
    """A booking of the actor's own business; NotFound for anyone else's."""
    booking = db.session.get(ShowcaseBooking, booking_id)
    if (booking is None or actor is None or not actor.is_member
            or actor.business_id is None or booking.business_id != actor.business_id):
        raise NotFound("No such booking.")
    return booking


def member_showcase(actor: User, showcase_id: int) -> Showcase:
    """A showcase a member may look at: its visit published, its item not deleted."""
    showcase = db.session.get(Showcase, showcase_id)
    if (showcase is None or actor is None or not actor.is_member or actor.business_id is None
            or showcase.item.deleted_at is not None
            or showcase.item.visit.status is not VisitStatus.PUBLISHED):
        raise NotFound("No such showcase.")
    return showcase


def member_slot(actor: User, slot_id: int) -> ShowcaseSlot:
    """A slot of a showcase the member may look at (see ``member_showcase``)."""
    slot = db.session.get(ShowcaseSlot, slot_id)
    if slot is None:
        raise NotFound("No such slot.")
    try:
        member_showcase(actor, slot.showcase_id)
    except NotFound as exc:
        raise NotFound("No such slot.") from exc
    return slot


def booking_closed_reason(showcase: Showcase, now: datetime | None = None) -> str | None:
    """Why members can no longer book or change bookings here, or None while open."""
    now = now or utcnow()
    if showcase.item.is_cancelled:
        return "This showcase has been cancelled."
    if showcase.booking_deadline and now >= showcase.booking_deadline:
        return "The booking deadline for this showcase has passed."
    return None


def free_slot_counts(showcase_ids: list[int]) -> dict[int, int]:
    """How many slots are free (not blocked, not actively booked) per showcase, in one
    query."""
    if not showcase_ids:
        return {}
    taken = select(ShowcaseBooking.slot_id).where(
        ShowcaseBooking.status.in_([BookingStatus.PENDING, BookingStatus.APPROVED])
    )
    rows = db.session.execute(
        select(ShowcaseSlot.showcase_id, func.count(ShowcaseSlot.id))
        .where(ShowcaseSlot.showcase_id.in_(showcase_ids), ShowcaseSlot.blocked.is_(False),
               ShowcaseSlot.id.not_in(taken))
        .group_by(ShowcaseSlot.showcase_id)
    )
    counts = dict.fromkeys(showcase_ids, 0)
    counts.update({showcase_id: count for showcase_id, count in rows})
    return counts


def active_booking_for_visit(business_id: int, visit_id: int) -> ShowcaseBooking | None:
    """The business's one active booking for a visit, if it has one."""
    return db.session.scalar(
        select(ShowcaseBooking).where(
            ShowcaseBooking.visit_id == visit_id,
            ShowcaseBooking.business_id == business_id,
            ShowcaseBooking.status.in_([BookingStatus.PENDING, BookingStatus.APPROVED]),
        )
    )


def approved_bookings_by_item(visit: Visit) -> dict[int, list[ShowcaseBooking]]:
    """For the public page: approved bookings under their showcase item, in time order."""
    return lineups.bookings_by_item([visit.id])


# --- members booking --------------------------------------------------------------------


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
        db.session.rollback()
        raise ValidationError(errors)


def _bookable_slot(slot_id: int, now: datetime) -> tuple[ShowcaseSlot, Showcase]:
    slot = db.session.get(ShowcaseSlot, slot_id)
    if slot is None:
        db.session.rollback()
        raise NotFound("No such slot.")
    showcase = lock(Showcase, slot.showcase_id)
    item = showcase.item
    visit = item.visit
    if visit.status is not VisitStatus.PUBLISHED or item.deleted_at is not None:
        db.session.rollback()
        raise NotFound("No such slot.")
    if item.is_cancelled:
        db.session.rollback()
        raise Conflict("This showcase has been cancelled.")
    if showcase.booking_deadline and now >= showcase.booking_deadline:
        db.session.rollback()
        raise Conflict("The booking deadline for this showcase has passed.")
    if slot.starts_at <= now:
        db.session.rollback()
        raise Conflict("That slot has already started. Please choose a later one.")
    if slot.blocked:
        db.session.rollback()
        raise Conflict("That slot is not available. Please choose another.")
    return slot, showcase


def book(actor: User, slot_id: int, data: BookingInput, now: datetime | None = None
         ) -> ShowcaseBooking:
    """Book a slot for the actor's business: one per slot, one per business per visit."""
    now = now or utcnow()
    begin_write()
    if actor is None or not actor.is_member or actor.business_id is None:
        db.session.rollback()
        raise NotFound("No such slot.")
    _validate_booking(data)
    slot, showcase = _bookable_slot(slot_id, now)
    visit_id = showcase.item.visit_id
    mine = db.session.scalar(
        select(ShowcaseBooking).where(
            ShowcaseBooking.visit_id == visit_id,
            ShowcaseBooking.business_id == actor.business_id,
            ShowcaseBooking.status.in_([BookingStatus.PENDING, BookingStatus.APPROVED]),
        )
    )
    if mine is not None:
        db.session.rollback()
        raise Conflict("Your business already has a booking for this visit: move it "
                       "to another slot instead.")
    if _active_booking_for_slot(slot.id) is not None:
        raise _taken(showcase.id)
    booking = ShowcaseBooking(
        slot=slot, visit_id=visit_id, business_id=actor.business_id, booked_by_id=actor.id,
        status=BookingStatus.PENDING if showcase.requires_approval else BookingStatus.APPROVED,
    )
    _apply(booking, data)
    db.session.add(booking)
    try:
        db.session.flush()
    except IntegrityError as exc:
        # Lost a race: for the slot, or (two people of one business at once) for the
        # business's one booking per visit.
        taken = _taken(showcase.id)
        if db.session.scalar(select(ShowcaseBooking.id).where(
                ShowcaseBooking.visit_id == visit_id,
                ShowcaseBooking.business_id == actor.business_id,
                ShowcaseBooking.status.in_([BookingStatus.PENDING, BookingStatus.APPROVED]))):
            raise Conflict("Someone from your business has just booked a slot for this "
                           "visit.") from exc
        raise taken from exc
    changelog.booking_made(actor, booking)
    _notify(booking, "booking_received")
    db.session.commit()
    return booking


def _taken(showcase_id: int) -> SlotTaken:
    db.session.rollback()
    return SlotTaken(free_slots(showcase_id))


def _apply(booking: ShowcaseBooking, data: BookingInput) -> None:
    booking.title = data.title.strip()
    booking.description = data.description.strip()
    booking.format = data.format
    booking.equipment = [e for e in EQUIPMENT if e in data.equipment]
    booking.people = "\n".join(
        n.strip() for n in data.people.replace("\r", "").split("\n") if n.strip())


def update_booking(actor: User, booking_id: int, data: BookingInput,
                   now: datetime | None = None) -> ShowcaseBooking:
    now = now or utcnow()
    begin_write()
    booking = member_booking(actor, booking_id)
    _validate_booking(data)
    _check_changeable(booking, now)
    _apply(booking, data)
    changelog.booking_edited(actor, booking)
    db.session.commit()
    return booking


def _check_changeable(booking: ShowcaseBooking, now: datetime) -> None:
    if not booking.is_active:
        db.session.rollback()
        raise Conflict("This booking is no longer active.")
    deadline = booking.slot.showcase.booking_deadline
    if deadline and now >= deadline:
        db.session.rollback()
        raise Conflict("The booking deadline has passed; please contact the organisers.")


def move(actor: User, booking_id: int, new_slot_id: int, now: datetime | None = None
         ) -> ShowcaseBooking:
    """Move to another free slot in one step: the old slot is given up only if the new
    one is won, so the business never holds two and never loses both."""
    now = now or utcnow()
    begin_write()
    booking = member_booking(actor, booking_id)
    _check_changeable(booking, now)
    slot, showcase = _bookable_slot(new_slot_id, now)
    if slot.showcase_id != booking.slot.showcase_id:
        db.session.rollback()
        raise NotFound("No such slot in this showcase.")
    if slot.id == booking.slot_id:
        db.session.rollback()
        return booking
    if _active_booking_for_slot(slot.id) is not None:
        raise _taken(showcase.id)
    booking.slot_id = slot.id
    booking.sequence += 1
    changelog.booking_moved(actor, booking)
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise _taken(showcase.id) from exc
    db.session.refresh(booking)
    _notify(booking, "booking_moved")
    db.session.commit()
    return booking


def cancel(actor: User, booking_id: int, now: datetime | None = None) -> ShowcaseBooking:
    now = now or utcnow()
    begin_write()
    booking = member_booking(actor, booking_id)
    _check_changeable(booking, now)
    booking.status = BookingStatus.CANCELLED
    booking.sequence += 1
    changelog.booking_status(actor, booking)
    _notify(booking, "booking_cancelled")
    db.session.commit()
    return booking


# --- organiser decisions ------------------------------------------------------------------


def organiser_booking(actor: User, slug: str, booking_id: int) -> ShowcaseBooking:
    visit = organiser_visit(actor, slug)
    booking = db.session.get(ShowcaseBooking, booking_id)
    if booking is None or booking.visit_id != visit.id:
        raise NotFound("No such booking.")
    return booking


def decide(actor: User, slug: str, booking_id: int, approve: bool, message: str = ""
           ) -> ShowcaseBooking:
    """Approve or decline a booking, with a message emailed to the member."""
    begin_write()
    booking = organiser_booking(actor, slug, booking_id)
    if not booking.is_active:
        db.session.rollback()
        raise Conflict("This booking has been cancelled or declined already.")
    if approve and booking.status is BookingStatus.APPROVED:
        db.session.rollback()
        return booking
    booking.status = BookingStatus.APPROVED if approve else BookingStatus.DECLINED
    booking.decision_message = message.strip()
    booking.sequence += 1
    changelog.booking_status(actor, booking)
    _notify(booking, "booking_approved" if approve else "booking_declined")
    db.session.commit()
    return booking


def assign(actor: User, slug: str, item_id: int, slot_id: int, business_id: int,
           data: BookingInput) -> ShowcaseBooking:
    """An organiser books a slot for a member business directly (approved at once)."""
    begin_write()
    item = organiser_showcase_item(actor, slug, item_id)
    _validate_booking(data)
    slot = db.session.get(ShowcaseSlot, slot_id)
    business = db.session.get(MemberBusiness, business_id)
    if slot is None or slot.showcase.item_id != item.id:
        db.session.rollback()
        raise ValidationError({"slot_id": "Choose one of this showcase's slots."})
    if business is None:
        db.session.rollback()
        raise ValidationError({"business_id": "Choose a member business."})
    lock(Showcase, slot.showcase_id)
    if slot.blocked:
        db.session.rollback()
        raise ValidationError({"slot_id": "That slot is blocked; unblock it first."})
    if _active_booking_for_slot(slot.id) is not None:
        db.session.rollback()
        raise ValidationError({"slot_id": "That slot is already booked."})
    if db.session.scalar(select(ShowcaseBooking.id).where(
            ShowcaseBooking.visit_id == item.visit_id,
            ShowcaseBooking.business_id == business.id,
            ShowcaseBooking.status.in_([BookingStatus.PENDING, BookingStatus.APPROVED]))):
        db.session.rollback()
        raise ValidationError({"business_id": f"{business.name} already has a booking "
                                              "for this visit."})
    booking = ShowcaseBooking(slot=slot, visit_id=item.visit_id, business=business,
                              booked_by_id=actor.id, status=BookingStatus.APPROVED)
    _apply(booking, data)
    db.session.add(booking)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise ValidationError({"slot_id": "That slot was booked a moment ago."}) from exc
    changelog.booking_made(actor, booking, "booking_assigned")
    _notify(booking, "booking_approved")
    db.session.commit()
    return booking


def bookings_for_showcase(showcase: Showcase) -> list[ShowcaseBooking]:
    """Every booking (any status) of a showcase, in slot order, for organisers."""
    return list(db.session.scalars(
        select(ShowcaseBooking)
        .join(ShowcaseBooking.slot)
        .where(ShowcaseSlot.showcase_id == showcase.id)
        .options(joinedload(ShowcaseBooking.business), joinedload(ShowcaseBooking.slot))
        .order_by(ShowcaseSlot.starts_at, ShowcaseBooking.created_at)
    ))


# Emails that give a member a slot carry it (and its showcase item) as an .ics file.
WITH_CALENDAR = frozenset({"booking_received", "booking_approved", "booking_moved"})


def _notify(booking: ShowcaseBooking, template: str) -> None:
    """Email every active person of the booking's business."""
    item = booking.slot.showcase.item
    attachments = []
    if template in WITH_CALENDAR:
        db.session.flush()  # the booking's new status and updated_at, as its feed shows them
        attachments.append(calendar.attachment(
            calendar.booking_calendar(booking, base_url()),
            f"{item.visit.slug}-showcase-{booking.id}.ics"))
    for person in booking.business.people:
        if person.active:
            mail.queue(person.email, template, topic=f"booking:{booking.id}",
                       attachments=list(attachments), booking=booking, item=item,
                       visit=item.visit, person=person)
