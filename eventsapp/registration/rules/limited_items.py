"""Agenda items with a capacity: signing up, leaving, and what the attendee's page
shows of them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from eventsapp.agenda.models import AgendaItem
from eventsapp.db import write
from eventsapp.dbtypes import utcnow
from eventsapp.errors import Conflict, NotFound, ValidationError
from eventsapp.extensions import db
from eventsapp.locks import lock
from eventsapp.registration.models import ItemSignup, Registration, RegistrationStatus, SignupStatus
from eventsapp.registration.rules import capacity
from eventsapp.registration.rules.common import registration_for_token

# A registration with one of these may sign up for a limited item.
SIGNUP_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


@dataclass(frozen=True)
class SignupOutcome:
    signup: ItemSignup
    position: int | None


def sign_up(token: str, item_id: int) -> SignupOutcome:
    """Take a place on a limited item, or join its waiting list."""
    with write():
        registration = registration_for_token(token)
        item = lock(AgendaItem, item_id)
        if (
            item is None
            or item.visit_id != registration.visit_id
            or item.deleted_at is not None
            or item.capacity is None
        ):
            raise NotFound("No such session to sign up for.")
        existing = next(
            (s for s in registration.signups
             if s.item_id == item.id and s.status is not SignupStatus.CANCELLED),
            None,
        )
        if (existing is not None and registration.status in SIGNUP_STATUSES
                and not item.is_cancelled):
            return SignupOutcome(existing, capacity.item_waitlist_position(existing))
        signup = join(item, registration.id, registration.status,
                      waitlist_enabled=registration.visit.waitlist_enabled)
        position = capacity.item_waitlist_position(signup)
    return SignupOutcome(signup, position)


def join(item: AgendaItem, registration_id: int, registration_status: RegistrationStatus,
         *, waitlist_enabled: bool) -> ItemSignup:
    """The sign-up rules, on an item the caller has locked: a place while the item has
    one, else its waiting list when the visit keeps one. Conflict (field "sessions")
    when the registration may not sign up, the item is cancelled or it is full."""
    if registration_status not in SIGNUP_STATUSES:
        raise Conflict("You can sign up for sessions once your registration is confirmed.",
                       field="sessions")
    if item.is_cancelled:
        raise Conflict(f"“{item.title}” has been cancelled.", field="sessions")
    if capacity.item_confirmed_count(item.id) < item.capacity:
        status = SignupStatus.CONFIRMED
    elif waitlist_enabled:
        status = SignupStatus.WAITLISTED
    else:
        raise Conflict(f"“{item.title}” is full.", field="sessions")
    signup = ItemSignup(item=item, registration_id=registration_id, status=status,
                        queued_at=utcnow())
    db.session.add(signup)
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise Conflict("You are already signed up for this session.",
                       field="sessions") from exc
    return signup


def join_when_registering(visit_id: int, registration_id: int,
                          registration_status: RegistrationStatus, item_ids: Iterable[int],
                          *, waitlist_enabled: bool) -> list[ItemSignup]:
    """Sign a registration just written up for the limited items it chose, in the
    caller's transaction (which holds the visit's lock): a place on each, or its
    waiting list. ValidationError for an item that is not one of the visit's limited
    items; Conflict when one is full without a waiting list (see join)."""
    signups = []
    for item_id in sorted(set(item_ids)):  # locked in id order, as everywhere
        item = lock(AgendaItem, item_id)
        if (item is None or item.visit_id != visit_id or item.deleted_at is not None
                or item.capacity is None):
            raise ValidationError({"sessions": "Choose sessions from the list."})
        signups.append(join(item, registration_id, registration_status,
                            waitlist_enabled=waitlist_enabled))
    return signups


def has_limited_items(visit_id: int) -> bool:
    """Whether the visit has an item with a capacity (deleted ones aside)."""
    return db.session.scalar(
        select(AgendaItem.id).where(AgendaItem.visit_id == visit_id,
                                    AgendaItem.capacity.is_not(None),
                                    AgendaItem.deleted_at.is_(None)).limit(1)) is not None


def places_by_item(visit_id: int) -> dict[int, int]:
    """Free places now on each of the visit's limited items (id: places left). A hint
    for the form and the public agenda, in one query; the sign-up's transaction
    decides."""
    taken = (select(func.count()).where(ItemSignup.item_id == AgendaItem.id,
                                        ItemSignup.status == SignupStatus.CONFIRMED)
             .correlate(AgendaItem).scalar_subquery())
    rows = db.session.execute(
        select(AgendaItem.id, AgendaItem.capacity, taken).where(
            AgendaItem.visit_id == visit_id, AgendaItem.capacity.is_not(None),
            AgendaItem.deleted_at.is_(None)))
    return {item_id: max(limit - confirmed, 0) for item_id, limit, confirmed in rows}


def leave(token: str, item_id: int) -> None:
    """Give up a place (or a place in the queue); the next in line gets it."""
    with write():
        registration = registration_for_token(token)
        item = lock(AgendaItem, item_id)
        signup = next(
            (s for s in registration.signups
             if s.item_id == item_id and s.status is not SignupStatus.CANCELLED),
            None,
        )
        if item is None or signup is None:
            raise NotFound("You are not signed up for that session.")
        db.session.refresh(signup)
        release(signup, item)


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
