"""Registering for a visit: one write transaction, holding the visit's lock only for
the count and the writes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from eventsapp.accounts import tokens
from eventsapp.agenda.models import AgendaItem
from eventsapp.db import write
from eventsapp.dbtypes import utcnow
from eventsapp.errors import Conflict, NotFound, ValidationError
from eventsapp.extensions import db
from eventsapp.registration.models import Registration, RegistrationStatus
from eventsapp.registration.rules import capacity, notices
from eventsapp.registration.rules import setup as registration_setup
from eventsapp.registration.rules.common import (
    DUPLICATE_EMAIL,
    AttendeeDetails,
    RegistrationClosed,
    Window,
    _check_details,
    _detail_values,
    _email_taken,
    _token_values,
    invitation_code_matches,
    registration_window,
)
from eventsapp.registration.rules.limited_items import join_when_registering
from eventsapp.registration.rules.setup import RegistrationSetup
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


# The lock on the visit, taken once what needs no lock has been done; the row as it is
# under the lock replaces any copy the session read before (the setup's).
_LOCK_VISIT = (select(Visit).where(Visit.slug == bindparam("slug")).with_for_update()
               .execution_options(populate_existing=True))


def register(slug: str, details: AttendeeDetails, *, invitation_code: str = "",
             now: datetime | None = None, item_ids: Iterable[int] = ()) -> Outcome:
    """Register an attendee: confirmed while places last, then the waiting list (if
    on), or pending approval when the organiser approves each registration.

    Every registration of a visit waits for the visit's lock, so the lock is held only
    for what needs it: counting places, writing the registration and its email. The
    window, the invitation code and the answers are checked before, against the
    visit's setup (its row, span and questions) as of one content version; under the
    lock the visit's version is compared with it, and a setup changed in between (an
    organiser's edit, which raises the version under the same lock) is read and
    checked again, so the answers always meet the form as it is now.

    ``item_ids``: limited items (sessions) to sign up for in the same transaction
    (limited_items.join_when_registering); if one cannot be had, nothing is stored."""
    now = now or utcnow()
    if not is_slug(slug):  # PostgreSQL refuses some strings outright (a NUL from %00)
        raise NotFound("No such visit.")
    item_ids = tuple(item_ids)
    with write():
        setup = registration_setup.setup_for(slug)
        values = _checked(setup, details, invitation_code, now)
        first = _first_item(setup, item_ids)
        nonce = tokens.new_nonce()
        # Locked, so places are counted by one writer at a time.
        visit = db.session.scalar(_LOCK_VISIT, {"slug": slug})
        if visit is None or visit.status is VisitStatus.DRAFT:
            raise NotFound("No such visit.")
        if (visit.id, visit.content_version) != (setup.visit.id, setup.visit.content_version):
            setup = registration_setup.setup_for(slug)
            values = _checked(setup, details, invitation_code, now)
            first = _first_item(setup, item_ids)
        queued_at = utcnow()  # after the lock: the queue is the order served
        status, position = _status_for(visit, values["email_key"], queued_at)
        registration = Registration(
            **values, **_token_values(nonce), visit_id=visit.id, status=status,
            queued_at=queued_at, privacy_accepted_at=now)
        db.session.add(registration)
        try:
            # An address already registered is refused by the unique index on live
            # emails: no query to look for it first.
            db.session.flush()
        except IntegrityError as exc:
            raise Conflict(DUPLICATE_EMAIL, field="email") from exc
        signups = []
        if item_ids:
            signups = join_when_registering(visit.id, registration.id, status, item_ids,
                                            waitlist_enabled=visit.waitlist_enabled)
        confirmed = status is RegistrationStatus.CONFIRMED
        extra = {"first": first} if confirmed and not item_ids else {}
        notices.notify(registration, f"registration_{status.value}", position=position,
                       sessions=[(s.item.title, s.status.value) for s in signups], **extra)
        outcome = Outcome(registration.id, status, tokens.make(tokens.MANAGE, nonce), position)
    return outcome


def _checked(setup: RegistrationSetup, details: AttendeeDetails, invitation_code: str,
             now: datetime) -> dict[str, Any]:
    """The registration's columns from ``details``, once the window, the invitation
    code and the answers have been checked against ``setup``."""
    visit = setup.visit
    window, message = registration_window(visit, now)
    if window is not Window.OPEN:
        raise RegistrationClosed(window, message)
    if (visit.registration_access is RegistrationAccess.INVITATION
            and not invitation_code_matches(visit, invitation_code)):
        raise ValidationError({"invitation_code": "That invitation code is not right."})
    return _detail_values(details, _check_details(setup.questions, details))


def _first_item(setup: RegistrationSetup, item_ids: tuple[int, ...]) -> AgendaItem | None:
    """The first item a new attendee attends, for the confirmation: one open to all,
    read before the lock. With sessions it depends on the sign-ups (notify reads it)."""
    return None if item_ids else notices.first_item_of(setup.visit.id)


def _status_for(visit: Visit, email_key: str, queued_at: datetime
                ) -> tuple[RegistrationStatus, int | None]:
    """What a new registration queued at ``queued_at`` becomes, the visit being locked,
    and its place on the waiting list (1 = next) when it waits."""
    if visit.registration_access is RegistrationAccess.APPROVAL:
        return RegistrationStatus.PENDING_APPROVAL, None
    if visit.capacity is None:
        return RegistrationStatus.CONFIRMED, None
    # The count is read after the lock, in a statement of its own: on PostgreSQL a join
    # in the locking read would keep the count from before the wait for the lock.
    confirmed, waiting = capacity.places_taken(visit.id, queued_at)
    if confirmed < visit.capacity:
        return RegistrationStatus.CONFIRMED, None
    if visit.waitlist_enabled:
        return RegistrationStatus.WAITLISTED, waiting + 1
    if _email_taken(visit.id, email_key):  # say what matters more
        raise Conflict(DUPLICATE_EMAIL, field="email")
    raise Conflict("Sorry, this visit is full and has no waiting list.")
