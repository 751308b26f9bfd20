"""Reading showcases, slots and bookings for the member and organiser pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from eventsapp.accounts.models import User
from eventsapp.agenda.models import AgendaItem
from eventsapp.dbtypes import utcnow
from eventsapp.errors import NotFound
from eventsapp.extensions import db
from eventsapp.showcase.models import BookingStatus, Showcase, ShowcaseBooking, ShowcaseSlot
from eventsapp.showcase.rules import lineups
from eventsapp.visits.models import Visit, VisitStatus


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


def open_showcases(organisation_id: int | None, now: datetime | None = None
                   ) -> list[Showcase]:
    """Showcases members of this host organisation can still book (its published
    visits, deadline not passed, item not cancelled), soonest first."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(Showcase)
        .join(Showcase.item)
        .join(AgendaItem.visit)
        .where(
            Visit.organisation_id == organisation_id,
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
    """A showcase a member may look at: a published visit of their business's own host
    organisation, its item not deleted."""
    showcase = db.session.get(Showcase, showcase_id)
    if (showcase is None or actor is None or not actor.is_member or actor.business_id is None
            or showcase.item.deleted_at is not None
            or not is_members_visit(actor, showcase.item.visit)):
        raise NotFound("No such showcase.")
    return showcase


def is_members_visit(actor: User, visit: Visit) -> bool:
    """A published visit of the host organisation the member's business belongs to."""
    return (visit.status is VisitStatus.PUBLISHED and actor.business is not None
            and visit.organisation_id == actor.business.organisation_id)


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


def bookings_for_showcase(showcase: Showcase) -> list[ShowcaseBooking]:
    """Every booking (any status) of a showcase, in slot order, for organisers."""
    return list(db.session.scalars(
        select(ShowcaseBooking)
        .join(ShowcaseBooking.slot)
        .where(ShowcaseSlot.showcase_id == showcase.id)
        .options(joinedload(ShowcaseBooking.business), joinedload(ShowcaseBooking.slot))
        .order_by(ShowcaseSlot.starts_at, ShowcaseBooking.created_at)
    ))
