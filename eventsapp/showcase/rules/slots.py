"""Organisers: a showcase's slot plan (length, buffer, approval, deadline), slots
following their item when it moves, and blocking single slots."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventsapp.accounts.models import User
from eventsapp.agenda.models import AgendaItem
from eventsapp.db import write
from eventsapp.errors import Conflict, NotFound, ValidationError
from eventsapp.extensions import db
from eventsapp.locks import lock
from eventsapp.showcase.models import BookingStatus, Showcase, ShowcaseBooking, ShowcaseSlot
from eventsapp.showcase.rules import changelog
from eventsapp.showcase.rules.common import (
    ShowcaseSettings,
    _active_booking_for_slot,
    organiser_showcase_item,
)
from eventsapp.timezones import NonexistentLocalTime, to_utc
from eventsapp.wording import count_noun


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
    with write():
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
                raise Conflict(
                    f"{count_noun(booked, 'slot')} {'is' if booked == 1 else 'are'} booked. "
                    "Cancel or move those bookings before changing the slot length or buffer."
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
    return showcase


def follow_item(item: AgendaItem, starts: datetime, ends: datetime) -> None:
    """Move a showcase's slots with its agenda item, which is about to go from its
    current times to [starts, ends) (create_app makes it a follower of the agenda's
    items: called inside agenda.rules.update_item's write).

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
        message = (f"This showcase has bookings ({booked}), so its slots cannot be planned "
                   "afresh for a new length. Keep the length (the slots then move with "
                   "the showcase), or move or cancel the bookings first.")
        raise ValidationError({"starts_at": message, "ends_at": message})
    if not planned:
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
    with write():
        item = organiser_showcase_item(actor, slug, item_id)
        slot = db.session.get(ShowcaseSlot, slot_id)
        if slot is None or slot.showcase.item_id != item.id:
            raise NotFound("No such slot.")
        if blocked and _active_booking_for_slot(slot.id) is not None:
            raise Conflict("This slot is booked. Move or cancel the booking before blocking it.")
        changelog.slot_blocked(actor, slot, blocked)
        slot.blocked = blocked
    return slot
