"""What registering and the attendee's own page share: the attendee's details, the
registration window, the private link, and the checks on what an attendee sends."""

from __future__ import annotations

import enum
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from eventsapp.accounts import tokens
from eventsapp.dbtypes import utcnow
from eventsapp.errors import DomainError, NotFound, ValidationError
from eventsapp.extensions import db
from eventsapp.registration.models import (
    OrganisationType,
    Registration,
    RegistrationStatus,
)
from eventsapp.registration.rules import capacity
from eventsapp.registration.rules.answers import clean_answers
from eventsapp.visits.models import RegistrationAccess, Visit, VisitStatus
from eventsapp.visits.rules import VisitSnapshot, has_started, is_over, visit_span

DUPLICATE_EMAIL = (
    "This email address is already registered for this visit. Use the private link "
    "in your confirmation email to see or change your registration."
)


class Window(enum.StrEnum):
    OPEN = "open"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"
    VISIT_CANCELLED = "visit_cancelled"
    NOT_PUBLISHED = "not_published"


class RegistrationClosed(DomainError):
    def __init__(self, window: Window, message: str):
        super().__init__(message)
        self.window = window


@dataclass(frozen=True)
class AttendeeDetails:
    full_name: str
    email: str
    organisation: str = ""
    job_title: str = ""
    organisation_type: OrganisationType | None = None
    dietary: str = ""
    access_needs: str = ""
    consent_photography: bool = False
    consent_share: bool = False
    privacy_accepted: bool = False
    answers: dict[str, Any] = field(default_factory=dict)


def registration_closes_at(visit: Visit | VisitSnapshot) -> datetime:
    """When registration closes: when the visit starts (when it ends, if the organisers
    allow registering on the day), or at the organisers' own closing time if earlier."""
    span = visit_span(visit)
    latest = span.ends_at if visit.registration_on_the_day else span.starts_at
    chosen = visit.registration_closes_at
    return min(chosen, latest) if chosen is not None else latest


def registration_window(visit: Visit | VisitSnapshot, now: datetime | None = None
                        ) -> tuple[Window, str]:
    now = now or utcnow()
    if visit.status is VisitStatus.CANCELLED:
        return Window.VISIT_CANCELLED, "This visit has been cancelled; registration is closed."
    if visit.status is not VisitStatus.PUBLISHED:
        return Window.NOT_PUBLISHED, "Registration for this visit is not open."
    if now >= registration_closes_at(visit):
        if is_over(visit, now):
            return Window.CLOSED, "This visit is over, so registration has closed."
        if has_started(visit, now):
            return Window.CLOSED, "This visit is under way, so registration has closed."
        return Window.CLOSED, "Registration for this visit has closed."
    if visit.registration_opens_at and now < visit.registration_opens_at:
        return Window.NOT_YET_OPEN, "Registration has not opened yet."
    return Window.OPEN, "Registration is open."


def registration_for_token(token: str) -> Registration:
    """The live or cancelled registration behind a private link; NotFound otherwise."""
    if not tokens.looks_valid(token):
        raise NotFound("No such registration.")
    registration = db.session.scalar(
        select(Registration)
        .where(Registration.manage_token_hash == tokens.digest(token))
        .options(selectinload(Registration.signups))
    )
    if registration is None or registration.erased_at is not None:
        raise NotFound("No such registration.")
    return registration


def person_errors(full_name: str, email: str, privacy_accepted: bool) -> dict[str, str]:
    """What is missing from a person registering (for a visit, or a tour's visits)."""
    errors: dict[str, str] = {}
    if not full_name.strip():
        errors["full_name"] = "Enter your full name."
    if "@" not in email or len(email.strip()) > 254:  # the column's length
        errors["email"] = "Enter an email address like name@example.org."
    if not privacy_accepted:
        errors["privacy_accepted"] = "You must accept the privacy notice to register."
    return errors


def _check_details(questions, details: AttendeeDetails) -> dict[str, Any]:
    errors = person_errors(details.full_name, details.email, details.privacy_accepted)
    answers, answer_errors = clean_answers(questions, details.answers)
    errors.update(answer_errors)
    if errors:
        raise ValidationError(errors)
    return answers


def _detail_values(details: AttendeeDetails, answers: dict[str, Any]) -> dict[str, Any]:
    """The registration's columns that hold what the attendee told us."""
    return {
        "full_name": details.full_name.strip(),
        "email": details.email.strip(),
        "email_key": details.email.strip().lower(),
        "organisation": details.organisation.strip(),
        "job_title": details.job_title.strip(),
        "organisation_type": details.organisation_type,
        "dietary": details.dietary.strip(),
        "access_needs": details.access_needs.strip(),
        "consent_photography": details.consent_photography,
        "consent_share": details.consent_share,
        "answers": answers,
    }


def _apply_details(registration: Registration, details: AttendeeDetails,
                   answers: dict[str, Any]) -> None:
    for name, value in _detail_values(details, answers).items():
        setattr(registration, name, value)


def _email_taken(visit_id: int, email_key: str, exclude_id: int | None = None,
                 exclude_tour_registration_id: int | None = None) -> bool:
    """Whether a live registration on the visit has this email key, other than
    registration ``exclude_id`` or those of tour registration
    ``exclude_tour_registration_id`` (the delegate's own, when they change it)."""
    stmt = select(Registration.id).where(
        Registration.visit_id == visit_id,
        Registration.email_key == email_key,
        Registration.status != RegistrationStatus.CANCELLED,
    )
    if exclude_id is not None:
        stmt = stmt.where(Registration.id != exclude_id)
    if exclude_tour_registration_id is not None:
        stmt = stmt.where(or_(Registration.tour_registration_id.is_(None),
                              Registration.tour_registration_id != exclude_tour_registration_id))
    return db.session.scalar(stmt) is not None


def invitation_code_matches(visit: Visit, code: str) -> bool:
    """Case and surrounding spaces do not matter; compared in constant time."""
    expected = (visit.invitation_code or "").strip().casefold()
    given = (code or "").strip().casefold()
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())


def status_for(visit: Visit) -> RegistrationStatus | None:
    """What a new registration on the visit becomes, the visit being locked: pending
    approval when the organisers approve each one, confirmed while places last, then
    waitlisted if the visit keeps a waiting list; None when it is full without one."""
    if visit.registration_access is RegistrationAccess.APPROVAL:
        return RegistrationStatus.PENDING_APPROVAL
    # The count is read after the lock, in a statement of its own: on PostgreSQL a join
    # in the locking read would keep the count from before the wait for the lock.
    if capacity.has_place(visit):
        return RegistrationStatus.CONFIRMED
    return RegistrationStatus.WAITLISTED if visit.waitlist_enabled else None


def new_registration(visit: Visit) -> Registration:
    nonce = tokens.new_nonce()
    return Registration(visit=visit, answers={}, **_token_values(nonce))


def _token_values(nonce: str) -> dict[str, Any]:
    return {
        "token_nonce": nonce,
        "manage_token_hash": tokens.digest(tokens.make(tokens.MANAGE, nonce)),
        "feed_token_hash": tokens.digest(tokens.make(tokens.FEED, nonce, 0)),
        "feed_generation": 0,
    }


def places_left(visit: Visit) -> int | None:
    """Free places on the visit now (None: no limit). A hint for the form; the
    register() transaction decides."""
    if visit.capacity is None:
        return None
    confirmed = capacity.confirmed_count(visit.id)
    return max(visit.capacity - confirmed, 0)
