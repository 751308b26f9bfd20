"""Registering: the hottest write there is, so it is written with plain statements
on the session's connection, no ORM objects made or flushed (see register)."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, literal_column, select

from eventsapp.accounts import tokens
from eventsapp.db import Prepared, PreparedInsert
from eventsapp.dbtypes import utcnow
from eventsapp.errors import Conflict, NotFound, ValidationError
from eventsapp.extensions import db
from eventsapp.registration.models import Registration, RegistrationStatus
from eventsapp.registration.rules import capacity, notices
from eventsapp.registration.rules import setup as registration_setup
from eventsapp.registration.rules.common import (
    DUPLICATE_EMAIL,
    AttendeeDetails,
    FormChanged,
    RegistrationClosed,
    Window,
    _check_details,
    _detail_values,
    _email_taken,
    _token_values,
    registration_window,
)
from eventsapp.registration.rules.limited_items import join_when_registering
from eventsapp.tx import begin_write
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


@dataclass(frozen=True)
class NewRegistration:
    """What the confirmation email reads of a registration just written."""

    id: int
    status: RegistrationStatus
    email: str
    full_name: str
    token_nonce: str
    visit: Any  # the visit's copy (services.registration_setup)


# The attendee's registration is the hottest write there is, so it is written with
# these statements, compiled once, straight on the session's DBAPI connection: no ORM
# objects, no per-statement Core bookkeeping (eventsapp.db.Prepared).
# created_at as the driver returns it, as in the stamp (services.stamps), so that the
# form page and this write share one copy of the setup.
_LOCK_VISIT = Prepared(
    select(Visit.id, Visit.content_version, literal_column("visits.created_at"))
    .where(Visit.slug == bindparam("slug")).with_for_update())
_INSERT = PreparedInsert(Registration.__table__)


def register(slug: str, details: AttendeeDetails, *, invitation_code: str = "",
             now: datetime | None = None, form_key: tuple | None = None,
             item_ids: Iterable[int] = ()) -> Outcome:
    """Register an attendee: confirmed while places last, then the waiting list (if
    on), or pending approval when the organiser approves each registration.

    ``item_ids``: limited items (sessions) to sign up for in the same transaction
    (limited_items.join_when_registering); if one cannot be had, nothing is stored.

    ``form_key``: the setup's key (services.registration_setup) the answers were read
    with; FormChanged when the visit is at another version now."""
    now = now or utcnow()
    begin_write()
    connection = db.session.connection()
    # Locked, so capacity is counted by one writer at a time; the settings are those
    # of the version read under the lock.
    row = _LOCK_VISIT.fetch_one(connection, {"slug": slug}) if is_slug(slug) else None
    setup = registration_setup.cached_setup(*row) if row is not None else None
    if setup is None or setup.visit.status is VisitStatus.DRAFT:
        db.session.rollback()
        raise NotFound("No such visit.")
    if form_key is not None and form_key != setup.key:
        db.session.rollback()
        raise FormChanged()
    visit = setup.visit
    window, message = registration_window(visit, now)
    if window is not Window.OPEN:
        db.session.rollback()
        raise RegistrationClosed(window, message)
    if visit.registration_access is RegistrationAccess.INVITATION and not _code_matches(
        visit, invitation_code
    ):
        db.session.rollback()
        raise ValidationError({"invitation_code": "That invitation code is not right."})
    values = _detail_values(details, _check_details(setup.questions, details))
    if visit.registration_access is RegistrationAccess.APPROVAL:
        status = RegistrationStatus.PENDING_APPROVAL
    # The count is read after the lock, in a statement of its own: on PostgreSQL a join
    # in the locking read would keep the count from before the wait for the lock.
    elif visit.capacity is None or capacity.confirmed_count(visit.id) < visit.capacity:
        status = RegistrationStatus.CONFIRMED
    elif visit.waitlist_enabled:
        status = RegistrationStatus.WAITLISTED
    else:
        taken = _email_taken(visit.id, values["email_key"])  # say what matters more
        db.session.rollback()
        raise Conflict(DUPLICATE_EMAIL, field="email") if taken else Conflict(
            "Sorry, this visit is full and has no waiting list.")
    nonce = tokens.new_nonce()
    queued_at = utcnow()  # after the lock: the queue is the order served
    try:
        # An address already registered is refused by the unique index on live
        # emails: no query to look for it first.
        registration_id = _INSERT.insert(connection, {
            **values, **_token_values(nonce), "visit_id": visit.id, "status": status,
            "queued_at": queued_at, "privacy_accepted_at": now,
        })
    except connection.dialect.dbapi.IntegrityError as exc:
        db.session.rollback()
        raise Conflict(DUPLICATE_EMAIL, field="email") from exc
    position = (capacity.queue_position(visit.id, queued_at, registration_id)
                if status is RegistrationStatus.WAITLISTED else None)
    signups = []
    if item_ids:
        try:
            signups = join_when_registering(visit.id, registration_id, status, item_ids,
                                  waitlist_enabled=visit.waitlist_enabled)
        except (ValidationError, Conflict):
            db.session.rollback()
            raise
    new = NewRegistration(registration_id, status, values["email"], values["full_name"],
                          nonce, visit)
    notices.notify(new, f"registration_{status.value}", position=position,
                   sessions=[(s.item.title, s.status.value) for s in signups])
    db.session.commit()
    return Outcome(registration_id, status, tokens.make(tokens.MANAGE, nonce), position)


def _code_matches(visit: Visit, code: str) -> bool:
    expected = (visit.invitation_code or "").strip().casefold()
    given = (code or "").strip().casefold()
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())
