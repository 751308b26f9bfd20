"""Agenda items with a capacity: signing up, leaving, and what the attendee's page
shows of them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from eventsapp.extensions import db
from eventsapp.models import (
    AgendaItem,
    ItemSignup,
    Registration,
    RegistrationStatus,
    SignupStatus,
    utcnow,
)
from eventsapp.services import capacity
from eventsapp.services.errors import Conflict, NotFound
from eventsapp.services.locks import lock
from eventsapp.services.registration.common import (
    registration_for_token,
)
from eventsapp.services.tx import begin_write


@dataclass(frozen=True)
class SignupOutcome:
    signup: ItemSignup
    position: int | None


def sign_up(token: str, item_id: int) -> SignupOutcome:
    """Take a place on a limited item, or join its waiting list."""
    begin_write()
    registration = registration_for_token(token)
    item = lock(AgendaItem, item_id)
    if (
        item is None
        or item.visit_id != registration.visit_id
        or item.deleted_at is not None
        or item.capacity is None
    ):
        db.session.rollback()
        raise NotFound("No such session to sign up for.")
    if registration.status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED):
        db.session.rollback()
        raise Conflict("You can sign up for sessions once your registration is confirmed.")
    if item.is_cancelled:
        db.session.rollback()
        raise Conflict(f"“{item.title}” has been cancelled.")
    existing = next(
        (s for s in registration.signups
         if s.item_id == item.id and s.status is not SignupStatus.CANCELLED),
        None,
    )
    if existing is not None:
        db.session.rollback()
        return SignupOutcome(existing, capacity.item_waitlist_position(existing))
    if capacity.item_confirmed_count(item.id) < item.capacity:
        status = SignupStatus.CONFIRMED
    elif registration.visit.waitlist_enabled:
        status = SignupStatus.WAITLISTED
    else:
        db.session.rollback()
        raise Conflict(f"“{item.title}” is full.")
    signup = ItemSignup(item=item, registration=registration, status=status, queued_at=utcnow())
    db.session.add(signup)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict("You are already signed up for this session.") from exc
    position = capacity.item_waitlist_position(signup)
    db.session.commit()
    return SignupOutcome(signup, position)


def leave(token: str, item_id: int) -> None:
    """Give up a place (or a place in the queue); the next in line gets it."""
    begin_write()
    registration = registration_for_token(token)
    item = lock(AgendaItem, item_id)
    signup = next(
        (s for s in registration.signups
         if s.item_id == item_id and s.status is not SignupStatus.CANCELLED),
        None,
    )
    if item is None or signup is None:
        db.session.rollback()
        raise NotFound("You are not signed up for that session.")
    db.session.refresh(signup)
    release(signup, item)
    db.session.commit()


def release(signup: ItemSignup, item: AgendaItem) -> None:
    """Cancel a sign-up on a locked item; a place it held goes to the next in line."""
    held = signup.status is SignupStatus.CONFIRMED
    signup.status = SignupStatus.CANCELLED
    db.session.flush()
    if held:
        capacity.fill_item_places(item)


@dataclass(frozen=True)
class LimitedItem:
    """An agenda item with a capacity, as one attendee sees it."""

    item: AgendaItem
    confirmed: int
    signup_status: SignupStatus | None  # this attendee's live sign-up, if any
    position: int | None  # on the item's waiting list, 1 = next

    @property
    def places_left(self) -> int:
        return max((self.item.capacity or 0) - self.confirmed, 0)


def limited_items(registration: Registration) -> list[LimitedItem]:
    """The visit's items that have a capacity, in time order, with confirmed counts
    and this registration's sign-up and queue position. At most four queries, however
    many items (the registration's sign-ups are already loaded by registration_for_token)."""
    items = list(
        db.session.scalars(
            select(AgendaItem)
            .where(
                AgendaItem.visit_id == registration.visit_id,
                AgendaItem.capacity.is_not(None),
                AgendaItem.deleted_at.is_(None),
            )
            .order_by(AgendaItem.starts_at, AgendaItem.id)
            .options(selectinload(AgendaItem.venue))
        )
    )
    if not items:
        return []
    ids = [item.id for item in items]
    confirmed = dict(
        db.session.execute(
            select(ItemSignup.item_id, func.count())
            .where(ItemSignup.item_id.in_(ids), ItemSignup.status == SignupStatus.CONFIRMED)
            .group_by(ItemSignup.item_id)
        ).all()
    )
    mine = {s.item_id: s.status for s in registration.signups
            if s.status is not SignupStatus.CANCELLED}
    positions: dict[int, int] = {}
    if SignupStatus.WAITLISTED in mine.values():
        me, other = aliased(ItemSignup), aliased(ItemSignup)
        positions = dict(
            db.session.execute(
                select(me.item_id, func.count(other.id))
                .join(other, (other.item_id == me.item_id)
                      & (other.status == SignupStatus.WAITLISTED)
                      & ((other.queued_at < me.queued_at)
                         | ((other.queued_at == me.queued_at) & (other.id <= me.id))))
                .where(me.registration_id == registration.id,
                       me.status == SignupStatus.WAITLISTED)
                .group_by(me.item_id)
            ).all()
        )
    return [
        LimitedItem(item, confirmed.get(item.id, 0), mine.get(item.id), positions.get(item.id))
        for item in items
    ]


def item_title(item_id: int) -> str:
    """An agenda item's title, for messages ("" when there is no such item)."""
    return db.session.scalar(select(AgendaItem.title).where(AgendaItem.id == item_id)) or ""
