"""Attendees: registering, their private page, limited items, cancelling, erasure.

Every write locks the visit (or item) whose places it consumes before counting, in
one transaction with the insert and the email (see DESIGN.md, capacity rules).
"""

from __future__ import annotations

import enum
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, literal_column, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from eventsapp.database import read_one
from eventsapp.extensions import db
from eventsapp.models import (
    AgendaItem,
    ItemSignup,
    OrganisationType,
    Registration,
    RegistrationAccess,
    RegistrationStatus,
    SignupStatus,
    Visit,
    VisitStatus,
    utcnow,
)
from eventsapp.services import capacity, notices, registration_setup, tokens
from eventsapp.services.answers import clean_answers
from eventsapp.services.errors import Conflict, DomainError, NotFound, ValidationError
from eventsapp.services.locks import lock
from eventsapp.services.tx import begin_write
from eventsapp.services.visits import is_slug

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


# --- reading ----------------------------------------------------------------------------


def registration_window(visit: Visit, now: datetime | None = None) -> tuple[Window, str]:
    now = now or utcnow()
    if visit.status is VisitStatus.CANCELLED:
        return Window.VISIT_CANCELLED, "This visit has been cancelled; registration is closed."
    if visit.status is not VisitStatus.PUBLISHED:
        return Window.NOT_PUBLISHED, "Registration for this visit is not open."
    if visit.registration_opens_at and now < visit.registration_opens_at:
        return Window.NOT_YET_OPEN, "Registration has not opened yet."
    if visit.registration_closes_at and now >= visit.registration_closes_at:
        return Window.CLOSED, "Registration for this visit has closed."
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


# --- registering --------------------------------------------------------------------------


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
        db.session.rollback()
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
# these statements on the session's connection, no ORM objects made or flushed.
# created_at as the driver returns it, as in the stamp (services.stamps), so that the
# form page and this write share one copy of the setup.
_LOCK_VISIT = (select(Visit.id, Visit.content_version, literal_column("visits.created_at"))
               .where(Visit.slug == bindparam("slug")).with_for_update())
_INSERT = insert(Registration)


def register(slug: str, details: AttendeeDetails, *, invitation_code: str = "",
             now: datetime | None = None) -> Outcome:
    """Register an attendee: confirmed while places last, then the waiting list (if
    on), or pending approval when the organiser approves each registration."""
    now = now or utcnow()
    begin_write()
    connection = db.session.connection()
    # Locked, so capacity is counted by one writer at a time; the settings are those
    # of the version read under the lock.
    row = connection.execute(_LOCK_VISIT, {"slug": slug}).first() if is_slug(slug) else None
    setup = registration_setup.cached_setup(*row) if row is not None else None
    if setup is None or setup.visit.status is VisitStatus.DRAFT:
        db.session.rollback()
        raise NotFound("No such visit.")
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
        (registration_id,) = connection.execute(_INSERT, {
            **values, **_token_values(nonce), "visit_id": visit.id, "status": status,
            "queued_at": queued_at, "privacy_accepted_at": now,
        }).inserted_primary_key
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(DUPLICATE_EMAIL, field="email") from exc
    position = (capacity.queue_position(visit.id, queued_at, registration_id)
                if status is RegistrationStatus.WAITLISTED else None)
    new = NewRegistration(registration_id, status, values["email"], values["full_name"],
                          nonce, visit)
    notices.notify(new, f"registration_{status.value}", position=position)
    db.session.commit()
    return Outcome(registration_id, status, tokens.make(tokens.MANAGE, nonce), position)


def _code_matches(visit: Visit, code: str) -> bool:
    expected = (visit.invitation_code or "").strip().casefold()
    given = (code or "").strip().casefold()
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())


# --- the attendee's own page -----------------------------------------------------------------


def update_details(token: str, details: AttendeeDetails) -> Registration:
    """Change answers; the email may change too, but never to one already registered."""
    begin_write()
    registration = registration_for_token(token)
    if not registration.is_live:
        db.session.rollback()
        raise Conflict("This registration is cancelled and can no longer be changed.")
    answers = _check_details(registration.visit.questions, details)
    if _email_taken(registration.visit_id, details.email.strip().lower(),
                    exclude_id=registration.id):
        db.session.rollback()
        raise Conflict(DUPLICATE_EMAIL, field="email")
    _apply_details(registration, details, answers)
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise Conflict(DUPLICATE_EMAIL, field="email") from exc
    return registration


def cancel(token: str) -> Registration:
    """Cancel; a freed place goes to the first on the waiting list in this transaction."""
    begin_write()
    registration = registration_for_token(token)
    lock(Visit, registration.visit_id)
    db.session.refresh(registration)
    if not registration.is_live:
        db.session.rollback()
        return registration
    _cancel(registration, reason="Cancelled by the attendee.")
    notices.notify(registration, "registration_cancelled")
    db.session.commit()
    return registration


def _cancel(registration: Registration, reason: str) -> None:
    """Cancel a locked registration and its sign-ups, then refill what it freed."""
    was_confirmed = registration.status is RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.status_reason = reason
    for signup in list(registration.signups):
        if signup.status is not SignupStatus.CANCELLED:
            item = lock(AgendaItem, signup.item_id)
            held = signup.status is SignupStatus.CONFIRMED
            signup.status = SignupStatus.CANCELLED
            db.session.flush()
            if held:
                capacity.fill_item_places(item)
    db.session.flush()
    if was_confirmed:
        capacity.fill_visit_places(registration.visit)


def erase(token: str) -> None:
    """Remove the attendee's personal data; an anonymous row stays for the counts."""
    begin_write()
    registration = registration_for_token(token)
    lock(Visit, registration.visit_id)
    db.session.refresh(registration)
    if registration.is_live:
        _cancel(registration, reason="Erased at the attendee's request.")
    anonymise(registration)
    db.session.commit()


def anonymise(registration: Registration) -> None:
    """Strip personal data and kill the private links. Keeps status and organisation
    type, which carry no identity, for counts and reports."""
    from eventsapp.models import Feedback, OutboxMessage  # noqa: PLC0415 - local use only

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
    # Feedback keeps its ratings for the impact report; comments are free text and may
    # name the person, so they go with the rest.
    db.session.execute(
        update(Feedback).where(Feedback.registration_id == registration.id)
        .values(comments="")
    )


# --- agenda items with a capacity ------------------------------------------------------------


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
    held = signup.status is SignupStatus.CONFIRMED
    signup.status = SignupStatus.CANCELLED
    db.session.flush()
    if held:
        capacity.fill_item_places(item)
    db.session.commit()


# --- reading for the attendee's pages ---------------------------------------------------------


def places_left(visit: Visit) -> int | None:
    """Free places on the visit now (None: no limit). A hint for the form; the
    register() transaction decides."""
    if visit.capacity is None:
        return None
    # Read outside the session (what is committed), as the public pages read the stamp:
    # the row the triggers keep (models.VisitCount), or a count where there is none.
    kept = read_one(db.engine, "SELECT confirmed FROM visit_counts WHERE visit_id = ?",
                    (visit.id,))
    (confirmed,) = kept or read_one(
        db.engine, "SELECT count(*) FROM registrations WHERE visit_id = ? AND status = ?",
        (visit.id, RegistrationStatus.CONFIRMED.value))
    return max(visit.capacity - confirmed, 0)


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
