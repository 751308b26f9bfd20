"""Who a message goes to: the groups an organiser ticks, each person once.

Registrations that were erased never get a message (they have no address any more);
cancelled ones only when the organiser ticks "People who cancelled". A person in two
groups (a confirmed attendee who also works for a member business) gets one copy,
counted in the first group they are in, in the order of ``Audience``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from eventsapp.accounts.models import User
from eventsapp.agenda.models import AgendaItem, ItemStatus
from eventsapp.extensions import db
from eventsapp.members.models import MemberBusiness
from eventsapp.messages.models import Audience
from eventsapp.registration.models import (
    ItemSignup,
    Registration,
    RegistrationStatus,
    SignupStatus,
)
from eventsapp.showcase.models import BookingStatus, ShowcaseBooking
from eventsapp.visits.models import Visit

BY_STATUS = {
    Audience.CONFIRMED: RegistrationStatus.CONFIRMED,
    Audience.WAITLISTED: RegistrationStatus.WAITLISTED,
    Audience.PENDING_APPROVAL: RegistrationStatus.PENDING_APPROVAL,
    Audience.CANCELLED: RegistrationStatus.CANCELLED,
}
ORDER = list(Audience)


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    audience: Audience
    registration: Registration | None = None
    user: User | None = None


def limited_items(visit: Visit) -> list[AgendaItem]:
    """The sessions people sign up for: live items with a capacity, in time order."""
    return list(db.session.scalars(
        select(AgendaItem)
        .where(AgendaItem.visit_id == visit.id, AgendaItem.capacity.is_not(None),
               AgendaItem.deleted_at.is_(None), AgendaItem.status == ItemStatus.CONFIRMED)
        .order_by(AgendaItem.starts_at, AgendaItem.id)
    ))


def recipients(visit: Visit, audiences: Iterable[Audience], item_id: int | None = None
               ) -> list[Recipient]:
    """Everyone the message goes to, one per address, in the order of the groups."""
    chosen = sorted(set(audiences), key=ORDER.index)
    found: dict[str, Recipient] = {}

    def add(recipient: Recipient) -> None:
        found.setdefault(recipient.email.casefold(), recipient)

    for audience in chosen:
        if audience in BY_STATUS:
            for registration in _registrations(visit, BY_STATUS[audience]):
                add(Recipient(registration.email, registration.full_name, audience,
                              registration=registration))
        elif audience is Audience.SESSION and item_id is not None:
            for registration in _signed_up(visit, item_id):
                add(Recipient(registration.email, registration.full_name, audience,
                              registration=registration))
        elif audience is Audience.MEMBERS:
            for user in _members_with_booking(visit):
                add(Recipient(user.email, user.name, audience, user=user))
    return list(found.values())


def _reachable():
    return (Registration.email.is_not(None), Registration.erased_at.is_(None))


def _registrations(visit: Visit, status: RegistrationStatus) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration)
        .where(Registration.visit_id == visit.id, Registration.status == status, *_reachable())
        .order_by(Registration.queued_at, Registration.id)
    ))


def _signed_up(visit: Visit, item_id: int) -> list[Registration]:
    """Live registrations holding a place, or a place in the queue, on the item."""
    return list(db.session.scalars(
        select(Registration)
        .join(ItemSignup, ItemSignup.registration_id == Registration.id)
        .where(Registration.visit_id == visit.id, ItemSignup.item_id == item_id,
               ItemSignup.status.in_((SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)),
               Registration.status != RegistrationStatus.CANCELLED, *_reachable())
        .order_by(ItemSignup.queued_at, Registration.id)
    ))


def _members_with_booking(visit: Visit) -> list[User]:
    """The active logins of businesses with a pending or approved booking."""
    bookings = db.session.scalars(
        select(ShowcaseBooking)
        .where(ShowcaseBooking.visit_id == visit.id,
               ShowcaseBooking.status.in_((BookingStatus.PENDING, BookingStatus.APPROVED)))
        .options(joinedload(ShowcaseBooking.business).selectinload(MemberBusiness.people))
        .order_by(ShowcaseBooking.id)
    ).unique()
    return [user for booking in bookings for user in booking.business.people if user.active]

