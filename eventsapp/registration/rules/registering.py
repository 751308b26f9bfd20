"""Registering for a visit: one write transaction, under the visit's lock."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from eventsapp.accounts import tokens
from eventsapp.db import write
from eventsapp.dbtypes import utcnow
from eventsapp.errors import Conflict, NotFound, ValidationError
from eventsapp.extensions import db
from eventsapp.registration.models import Question, Registration, RegistrationStatus
from eventsapp.registration.rules import capacity, notices
from eventsapp.registration.rules.common import (
    DUPLICATE_EMAIL,
    AttendeeDetails,
    RegistrationClosed,
    Window,
    _check_details,
    _detail_values,
    _email_taken,
    _token_values,
    registration_window,
)
from eventsapp.registration.rules.limited_items import join_when_registering
from eventsapp.visits.models import RegistrationAccess, Visit, VisitStatus
from eventsapp.visits.rules import is_slug


@dataclass(frozen=True)
class Outcome:
    registration_id: int
    status: RegistrationStatus
    manage_token: str
    position: int | None  # place on the waiting list, 1 = next

    @property
    def registration(self) -> Registration:
        """The stored registration, loaded now."""
        return db.session.get(Registration, self.registration_id)


# Statements of every registration, made once.
_LOCK_VISIT = select(Visit).where(Visit.slug == bindparam("slug")).with_for_update()
_QUESTIONS = (select(Question).where(Question.visit_id == bindparam("visit_id"))
              .order_by(Question.position, Question.id))


def register(slug: str, details: AttendeeDetails, *, invitation_code: str = "",
             now: datetime | None = None, item_ids: Iterable[int] = ()) -> Outcome:
    """Register an attendee: confirmed while places last, then the waiting list (if
    on), or pending approval when the organiser approves each registration.

    The visit and its questions are read under the visit's lock, so the answers are
    checked against the form as it is now (a question changed since the form was
    read is an ordinary message on that question).

    ``item_ids``: limited items (sessions) to sign up for in the same transaction
    (limited_items.join_when_registering); if one cannot be had, nothing is stored."""
    now = now or utcnow()
    if not is_slug(slug):  # PostgreSQL refuses some strings outright (a NUL from %00)
        raise NotFound("No such visit.")
    with write():
        # Locked, so capacity is counted by one writer at a time.
        visit = db.session.scalar(_LOCK_VISIT, {"slug": slug})
        if visit is None or visit.status is VisitStatus.DRAFT:
            raise NotFound("No such visit.")
        window, message = registration_window(visit, now)
        if window is not Window.OPEN:
            raise RegistrationClosed(window, message)
        if (visit.registration_access is RegistrationAccess.INVITATION
                and not _code_matches(visit, invitation_code)):
            raise ValidationError({"invitation_code": "That invitation code is not right."})
        questions = db.session.scalars(_QUESTIONS, {"visit_id": visit.id}).all()
        values = _detail_values(details, _check_details(questions, details))
        status = _status_for(visit, values["email_key"])
        nonce = tokens.new_nonce()
        registration = Registration(
            **values, **_token_values(nonce), visit_id=visit.id, status=status,
            queued_at=utcnow(),  # after the lock: the queue is the order served
            privacy_accepted_at=now)
        db.session.add(registration)
        try:
            # An address already registered is refused by the unique index on live
            # emails: no query to look for it first.
            db.session.flush()
        except IntegrityError as exc:
            raise Conflict(DUPLICATE_EMAIL, field="email") from exc
        position = capacity.waitlist_position(registration)
        signups = []
        if item_ids:
            signups = join_when_registering(visit.id, registration.id, status, item_ids,
                                            waitlist_enabled=visit.waitlist_enabled)
        notices.notify(registration, f"registration_{status.value}", position=position,
                       sessions=[(s.item.title, s.status.value) for s in signups])
        outcome = Outcome(registration.id, status, tokens.make(tokens.MANAGE, nonce), position)
    return outcome


def _status_for(visit: Visit, email_key: str) -> RegistrationStatus:
    """What a new registration becomes, the visit being locked."""
    if visit.registration_access is RegistrationAccess.APPROVAL:
        return RegistrationStatus.PENDING_APPROVAL
    # The count is read after the lock, in a statement of its own: on PostgreSQL a join
    # in the locking read would keep the count from before the wait for the lock.
    if visit.capacity is None or capacity.confirmed_count(visit.id) < visit.capacity:
        return RegistrationStatus.CONFIRMED
    if visit.waitlist_enabled:
        return RegistrationStatus.WAITLISTED
    if _email_taken(visit.id, email_key):  # say what matters more
        raise Conflict(DUPLICATE_EMAIL, field="email")
    raise Conflict("Sorry, this visit is full and has no waiting list.")


def _code_matches(visit: Visit, code: str) -> bool:
    expected = (visit.invitation_code or "").strip().casefold()
    given = (code or "").strip().casefold()
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())
