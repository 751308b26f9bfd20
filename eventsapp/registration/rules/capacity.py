"""Places and queues: the counting and promotion shared by visits and agenda items.

Callers hold the lock on the visit or item (services.locks.lock) inside a write
transaction before calling anything here, so counts cannot change underneath them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, func, select

from eventsapp.agenda.models import AgendaItem
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.registration.models import (
    ItemSignup,
    Registration,
    RegistrationStatus,
    SignupStatus,
)
from eventsapp.registration.rules import notices
from eventsapp.visits.models import Visit


def confirmed_count(visit_id: int) -> int:
    """The visit's confirmed registrations (an index on (visit_id, status) serves it)."""
    return db.session.scalar(_CONFIRMED, {"visit_id": visit_id})


_CONFIRMED = select(func.count()).where(Registration.visit_id == bindparam("visit_id"),
                                        Registration.status == RegistrationStatus.CONFIRMED)


def places_taken(visit_id: int, queued_at: datetime) -> tuple[int, int]:
    """The visit's confirmed registrations, and its waiting ones queued at or before
    ``queued_at``, in one read of the (visit_id, status, queued_at) index."""
    confirmed, waiting = db.session.execute(
        _TAKEN, {"visit_id": visit_id, "queued_at": queued_at}).one()
    return confirmed, waiting


_TAKEN = select(
    func.count().filter(Registration.status == RegistrationStatus.CONFIRMED),
    func.count().filter(Registration.status == RegistrationStatus.WAITLISTED,
                        Registration.queued_at <= bindparam("queued_at")),
).where(Registration.visit_id == bindparam("visit_id"),
        Registration.status.in_([RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]))


def has_place(visit: Visit) -> bool:
    return visit.capacity is None or confirmed_count(visit.id) < visit.capacity


def waitlist_position(registration: Registration) -> int | None:
    """1 for the first in line; None when not waitlisted."""
    if registration.status is not RegistrationStatus.WAITLISTED:
        return None
    return queue_position(registration.visit_id, registration.queued_at, registration.id)


def queue_position(visit_id: int, queued_at: datetime, registration_id: int) -> int:
    """Where a waitlisted registration stands on its visit's waiting list."""
    ahead = db.session.scalar(
        select(func.count()).where(
            Registration.visit_id == visit_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            (Registration.queued_at < queued_at)
            | ((Registration.queued_at == queued_at) & (Registration.id < registration_id)),
        )
    )
    return ahead + 1


def fill_visit_places(visit: Visit, skip: Registration | None = None) -> list[Registration]:
    """Confirm people from the head of the waiting list while places are free, each
    exactly once; email each of them. Returns who was promoted. ``skip`` is passed over
    (someone an organiser has just moved to the waiting list)."""
    promoted: list[Registration] = []
    if visit.capacity is None:
        free = None
    else:
        free = visit.capacity - confirmed_count(visit.id)
        if free <= 0:
            return promoted
    stmt = (
        select(Registration)
        .where(
            Registration.visit_id == visit.id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(Registration.queued_at, Registration.id)
    )
    if skip is not None:
        stmt = stmt.where(Registration.id != skip.id)
    if free is not None:
        stmt = stmt.limit(free)
    for registration in db.session.scalars(stmt):
        registration.status = RegistrationStatus.CONFIRMED
        registration.queued_at = utcnow()
        registration.status_reason = "A place became free."
        promoted.append(registration)
        notices.notify(registration, "registration_promoted")
    return promoted


# --- agenda items with a capacity --------------------------------------------------------


def item_confirmed_count(item_id: int) -> int:
    return db.session.scalar(
        select(func.count()).where(
            ItemSignup.item_id == item_id, ItemSignup.status == SignupStatus.CONFIRMED
        )
    )


def item_waitlist_position(signup: ItemSignup) -> int | None:
    if signup.status is not SignupStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count()).where(
            ItemSignup.item_id == signup.item_id,
            ItemSignup.status == SignupStatus.WAITLISTED,
            (ItemSignup.queued_at < signup.queued_at)
            | ((ItemSignup.queued_at == signup.queued_at) & (ItemSignup.id < signup.id)),
        )
    )
    return ahead + 1


def fill_item_places(item: AgendaItem) -> list[ItemSignup]:
    promoted: list[ItemSignup] = []
    if item.capacity is None:
        free = None
    else:
        free = item.capacity - item_confirmed_count(item.id)
        if free <= 0:
            return promoted
    stmt = (
        select(ItemSignup)
        .where(ItemSignup.item_id == item.id, ItemSignup.status == SignupStatus.WAITLISTED)
        .order_by(ItemSignup.queued_at, ItemSignup.id)
    )
    if free is not None:
        stmt = stmt.limit(free)
    for signup in db.session.scalars(stmt):
        signup.status = SignupStatus.CONFIRMED
        signup.queued_at = utcnow()
        promoted.append(signup)
        notices.notify(signup.registration, "item_promoted", item=item)
    return promoted
