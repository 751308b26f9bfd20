"""The attendee's own page behind the private link: their details, cancelling and
erasing their data. Every change that frees a place refills it in the same transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError

from eventsapp.accounts import tokens
from eventsapp.agenda.models import AgendaItem
from eventsapp.db import write
from eventsapp.dbtypes import utcnow
from eventsapp.errors import Conflict
from eventsapp.extensions import db
from eventsapp.locks import lock
from eventsapp.mail.models import OutboxMessage
from eventsapp.registration.models import Registration, RegistrationStatus, SignupStatus
from eventsapp.registration.rules import capacity, notices
from eventsapp.registration.rules.common import (
    DUPLICATE_EMAIL,
    AttendeeDetails,
    _apply_details,
    _check_details,
    _email_taken,
    registration_for_token,
)
from eventsapp.registration.rules.limited_items import release
from eventsapp.visits.models import Visit

# Told a registration's id when it is erased, inside the same write: what the features
# above registration keep about the person and must forget with it.
Eraser = Callable[[int], None]


def init_app(app: Flask, erasers: Iterable[Eraser]) -> None:
    """create_app names the erasers (feedback comments), so registration names none."""
    app.extensions["registration_erasers"] = tuple(erasers)


def reset_feed(token: str) -> Registration:
    """A new feed link for the attendee; the old one answers 404 from now on."""
    with write():
        registration = registration_for_token(token)
        registration.feed_generation += 1
        registration.feed_token_hash = tokens.digest(tokens.make(
            tokens.FEED, registration.token_nonce, registration.feed_generation))
    return registration


def update_details(token: str, details: AttendeeDetails) -> Registration:
    """Change answers; the email may change too, but never to one already registered."""
    with write():
        registration = registration_for_token(token)
        if not registration.is_live:
            raise Conflict("This registration is cancelled and can no longer be changed.")
        answers = _check_details(registration.visit.questions, details)
        if _email_taken(registration.visit_id, details.email.strip().lower(),
                        exclude_id=registration.id):
            raise Conflict(DUPLICATE_EMAIL, field="email")
        _apply_details(registration, details, answers)
        try:
            db.session.flush()
        except IntegrityError as exc:  # the same address registered meanwhile
            raise Conflict(DUPLICATE_EMAIL, field="email") from exc
    return registration


def cancel(token: str) -> Registration:
    """Cancel; a freed place goes to the first on the waiting list in this transaction."""
    with write():
        registration = registration_for_token(token)
        lock(Visit, registration.visit_id)
        db.session.refresh(registration)
        if not registration.is_live:
            return registration
        _cancel(registration, reason="Cancelled by the attendee.")
        notices.notify(registration, "registration_cancelled")
    return registration


def _cancel(registration: Registration, reason: str) -> None:
    """Cancel a locked registration and its sign-ups, then refill what it freed."""
    was_confirmed = registration.status is RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.status_reason = reason
    for signup in list(registration.signups):
        if signup.status is not SignupStatus.CANCELLED:
            release(signup, lock(AgendaItem, signup.item_id))
    db.session.flush()
    if was_confirmed:
        capacity.fill_visit_places(registration.visit)


def erase(token: str) -> None:
    """Remove the attendee's personal data; an anonymous row stays for the counts."""
    with write():
        registration = registration_for_token(token)
        lock(Visit, registration.visit_id)
        db.session.refresh(registration)
        if registration.is_live:
            _cancel(registration, reason="Erased at the attendee's request.")
        anonymise(registration)


def anonymise(registration: Registration) -> None:
    """Strip personal data and kill the private links. Keeps status and organisation
    type, which carry no identity, for counts and reports."""
    registration.full_name = ""
    registration.email = None
    registration.email_key = None
    registration.organisation = ""
    registration.job_title = ""
    registration.dietary = ""
    registration.access_needs = ""
    registration.answers = {}
    registration.consent_photography = False
    registration.consent_share = False
    nonce = tokens.new_nonce()  # a new nonce nobody holds a token for
    registration.token_nonce = nonce
    registration.manage_token_hash = tokens.digest("erased:" + nonce)
    registration.feed_token_hash = tokens.digest("erased-feed:" + nonce)
    registration.erased_at = utcnow()
    db.session.execute(
        OutboxMessage.__table__.delete().where(
            OutboxMessage.topic == f"registration:{registration.id}"
        )
    )
    for forget in current_app.extensions["registration_erasers"]:
        forget(registration.id)
