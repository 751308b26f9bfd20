"""What registering and the attendee's own page share: the attendee's details, the
registration window, the private link, and the checks on what an attendee sends."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
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
from eventsapp.visits.models import Visit, VisitStatus
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


def _check_details(questions, details: AttendeeDetails) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if not details.full_name.strip():
        errors["full_name"] = "Enter your full name."
    if "@" not in details.email:
        errors["email"] = "Enter an email address like name@example.org."
    if not details.privacy_accepted:
        errors["privacy_accepted"] = "You must accept the privacy notice to register."
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


def _email_taken(visit_id: int, email_key: str, exclude_id: int | None = None) -> bool:
    stmt = select(Registration.id).where(
        Registration.visit_id == visit_id,
        Registration.email_key == email_key,
        Registration.status != RegistrationStatus.CANCELLED,
    )
    if exclude_id is not None:
        stmt = stmt.where(Registration.id != exclude_id)
    return db.session.scalar(stmt) is not None


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
