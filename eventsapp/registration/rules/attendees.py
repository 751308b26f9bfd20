"""The organiser's side of registration: the list, approvals, the waiting list,
hand-made registrations, resends, summaries and purging personal data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.orm import aliased

from eventsapp.accounts.models import User
from eventsapp.db import write
from eventsapp.dbtypes import utcnow
from eventsapp.errors import Conflict, NotFound, ValidationError
from eventsapp.extensions import db
from eventsapp.locks import lock
from eventsapp.paging import PER_PAGE, paginate
from eventsapp.registration.models import Registration, RegistrationStatus, folded
from eventsapp.registration.rules import capacity, notices
from eventsapp.registration.rules.answers import answer_text, clean_answers
from eventsapp.registration.rules.common import (
    DUPLICATE_EMAIL,
    AttendeeDetails,
    _apply_details,
    _email_taken,
    new_registration,
)
from eventsapp.registration.rules.own_page import _cancel, anonymise
from eventsapp.visits.models import Visit
from eventsapp.visits.rules import organiser_visit


@dataclass(frozen=True)
class Counts:
    confirmed: int
    waitlisted: int
    pending_approval: int
    cancelled: int
    capacity: int | None

    @property
    def free(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.confirmed, 0)


def counts(visit: Visit) -> Counts:
    rows = dict(
        db.session.execute(
            select(Registration.status, func.count())
            .where(Registration.visit_id == visit.id)
            .group_by(Registration.status)
        ).all()
    )
    return Counts(
        confirmed=rows.get(RegistrationStatus.CONFIRMED, 0),
        waitlisted=rows.get(RegistrationStatus.WAITLISTED, 0),
        pending_approval=rows.get(RegistrationStatus.PENDING_APPROVAL, 0),
        cancelled=rows.get(RegistrationStatus.CANCELLED, 0),
        capacity=visit.capacity,
    )


def _filtered(visit: Visit, status: RegistrationStatus | None, search: str):
    """The visit's registrations of ``status`` whose name, organisation or email
    contains ``search`` (any case, accents optional), matched by the database on
    indexed columns (Registration.search_name, email_key)."""
    stmt = select(Registration).where(Registration.visit_id == visit.id)
    if status is not None:
        stmt = stmt.where(Registration.status == status)
    term = " ".join(search.split())
    if term:
        stmt = stmt.where(or_(
            Registration.search_name.contains(folded(term), autoescape=True),
            Registration.email_key.contains(term.lower(), autoescape=True),
        ))
    return stmt


def registrations(visit: Visit, status: RegistrationStatus | None = None,
                  search: str = "") -> list[Registration]:
    """A visit's registrations, waiting list in queue order, filtered and searched."""
    stmt = _filtered(visit, status, search)
    return list(db.session.scalars(stmt.order_by(Registration.queued_at, Registration.id)))


EXPORT_BATCH = 500  # rows read at a time for the CSV export


def registrations_page(visit: Visit, status: RegistrationStatus | None = None,
                       search: str = "", page: int = 1, per_page: int = PER_PAGE
                       ) -> tuple[Pagination, dict[int, int]]:
    """One page of the registrations table in queue order, and the waiting-list place
    of each waitlisted row on it: three queries whatever the number of registrations."""
    found = paginate(_filtered(visit, status, search)
                     .order_by(Registration.queued_at, Registration.id), page, per_page)
    waiting = [r for r in found.items if r.status is RegistrationStatus.WAITLISTED]
    return found, _waitlist_places(visit, waiting)


def _waitlist_places(visit: Visit, waiting: list[Registration]) -> dict[int, int]:
    """The waiting-list place of each of these registrations, counting everyone waiting
    (so a search shows each person's true place), in one query: each place is a count
    of those ahead, read from the (visit, status, queued_at) index."""
    if not waiting:
        return {}
    ahead = aliased(Registration)
    place = (
        select(func.count() + 1)
        .where(ahead.visit_id == visit.id,
               ahead.status == RegistrationStatus.WAITLISTED,
               tuple_(ahead.queued_at, ahead.id)
               < tuple_(Registration.queued_at, Registration.id))
        .scalar_subquery()
    )
    return dict(db.session.execute(
        select(Registration.id, place).where(Registration.id.in_([r.id for r in waiting]))
    ).all())


def _locked_registration(actor: User, slug: str, registration_id: int):
    visit = organiser_visit(actor, slug)
    lock(Visit, visit.id)
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    if registration is None or registration.visit_id != visit.id:
        raise NotFound("No such registration.")
    return visit, registration


def approve(actor: User, slug: str, registration_id: int) -> Registration:
    """Confirm a pending registration if a place is free, else put it on the waiting
    list (or refuse when there is no waiting list)."""
    with write():
        visit, registration = _locked_registration(actor, slug, registration_id)
        if registration.status is not RegistrationStatus.PENDING_APPROVAL:
            raise Conflict(f"{registration.full_name} is not awaiting approval.")
        registration.status = _place_status(visit)
        registration.queued_at = utcnow()
        registration.status_reason = "Approved by an organiser."
        db.session.flush()
        notices.notify(registration, f"registration_{registration.status.value}",
                       position=capacity.waitlist_position(registration), approved=True)
    return registration


def _place_status(visit: Visit) -> RegistrationStatus:
    """Confirmed while the visit has a place, else waiting; with neither, a Conflict."""
    if capacity.has_place(visit):
        return RegistrationStatus.CONFIRMED
    if visit.waitlist_enabled:
        return RegistrationStatus.WAITLISTED
    raise Conflict("The visit is full and has no waiting list: raise the capacity first.")


def decline(actor: User, slug: str, registration_id: int, message: str = "") -> Registration:
    with write():
        visit, registration = _locked_registration(actor, slug, registration_id)
        if registration.status is not RegistrationStatus.PENDING_APPROVAL:
            raise Conflict(f"{registration.full_name} is not awaiting approval.")
        registration.status = RegistrationStatus.CANCELLED
        registration.status_reason = f"Declined by an organiser. {message.strip()}".strip()
        notices.notify(registration, "registration_declined", message=message.strip())
    return registration


def promote(actor: User, slug: str, registration_id: int, reason: str,
            over_capacity: bool = False) -> Registration:
    """Confirm someone from the waiting list, out of turn if need be. When the visit is
    full the organiser must ask for one more place: the capacity is raised by one, so
    confirmed never exceeds capacity."""
    with write():
        visit, registration = _locked_registration(actor, slug, registration_id)
        if registration.status is not RegistrationStatus.WAITLISTED:
            raise Conflict(f"{registration.full_name} is not on the waiting list.")
        if not reason.strip():
            raise ValidationError({"reason": "Give a reason; it is kept with the registration."})
        if not capacity.has_place(visit):
            if not over_capacity:
                raise Conflict(
                    f"The visit is full ({visit.capacity} places). Tick “add a place” to raise "
                    "the capacity by one for this person."
                )
            visit.capacity = (visit.capacity or 0) + 1
        registration.status = RegistrationStatus.CONFIRMED
        registration.queued_at = utcnow()
        registration.status_reason = f"Promoted by an organiser: {reason.strip()}"
        notices.notify(registration, "registration_promoted")
    return registration


def move_to_waitlist(actor: User, slug: str, registration_id: int, reason: str) -> Registration:
    """Move a confirmed attendee to the end of the waiting list. The place they free
    goes to the first person already in line; if nobody else is waiting it stays free
    (so that the capacity can then be lowered), rather than going straight back."""
    with write():
        visit, registration = _locked_registration(actor, slug, registration_id)
        if registration.status is not RegistrationStatus.CONFIRMED:
            raise Conflict(f"{registration.full_name} is not confirmed.")
        if visit.capacity is None:
            raise Conflict("This visit has no limit on places, so nobody waits for one. "
                           "Set a capacity first.")
        if not reason.strip():
            raise ValidationError({"reason": "Give a reason; it is kept with the registration."})
        registration.status = RegistrationStatus.WAITLISTED
        registration.queued_at = utcnow()
        registration.status_reason = f"Moved to the waiting list: {reason.strip()}"
        db.session.flush()
        notices.notify(registration, "registration_moved_back", reason=reason.strip(),
                       position=capacity.waitlist_position(registration))
        capacity.fill_visit_places(visit, skip=registration)
    return registration


def cancel_registration(actor: User, slug: str, registration_id: int,
                        reason: str = "") -> Registration:
    with write():
        _visit, registration = _locked_registration(actor, slug, registration_id)
        if not registration.is_live:
            return registration
        _cancel(registration, reason=f"Cancelled by an organiser. {reason.strip()}".strip())
        notices.notify(registration, "registration_cancelled", by_organiser=True)
    return registration


def add_by_hand(actor: User, slug: str, details: AttendeeDetails,
                send_email: bool = True) -> Registration:
    """An organiser registers someone: no window or invitation needed, but places and
    the waiting list work as for everyone."""
    with write():
        visit = organiser_visit(actor, slug)
        lock(Visit, visit.id)
        answers, errors = clean_answers(visit.questions, details.answers)
        if not details.full_name.strip():
            errors["full_name"] = "Enter the person's full name."
        if "@" not in details.email:
            errors["email"] = "Enter an email address like name@example.org."
        if errors:
            raise ValidationError(errors)
        if _email_taken(visit.id, details.email.strip().lower()):
            raise Conflict(DUPLICATE_EMAIL.split(".")[0] + ".", field="email")
        registration = new_registration(visit)
        _apply_details(registration, details, answers)
        registration.added_by_organiser = True
        registration.queued_at = utcnow()
        registration.status = _place_status(visit)
        registration.status_reason = "Added by an organiser."
        db.session.add(registration)
        db.session.flush()
        if send_email:
            notices.notify(registration, f"registration_{registration.status.value}",
                           position=capacity.waitlist_position(registration))
    return registration


def resend_confirmation(actor: User, slug: str, registration_id: int) -> Registration:
    with write():
        _visit, registration = _locked_registration(actor, slug, registration_id)
        if registration.erased_at is not None or not registration.email:
            raise Conflict("This registration has no email address any more.")
        notices.notify(registration, f"registration_{registration.status.value}",
                       position=capacity.waitlist_position(registration), resent=True)
    return registration


@dataclass(frozen=True)
class CateringSummary:
    confirmed: int
    dietary: list[tuple[str, int]]  # (requirement as typed, how many), most common first
    access_needs: list[tuple[str, str]]  # (name, need)


def catering_summary(visit: Visit) -> CateringSummary:
    """For venues and caterers: confirmed attendees' dietary and access needs."""
    rows = db.session.execute(
        select(Registration.full_name, Registration.dietary, Registration.access_needs)
        .where(Registration.visit_id == visit.id,
               Registration.status == RegistrationStatus.CONFIRMED)
        .order_by(Registration.full_name)
    ).all()
    dietary: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for _name, need, _access in rows:
        key = " ".join(need.split()).casefold() or "none"
        spelling.setdefault(key, " ".join(need.split()) or "No requirement")
        dietary[key] += 1
    return CateringSummary(
        confirmed=len(rows),
        dietary=[(spelling[key], n) for key, n in dietary.most_common()],
        access_needs=[(name, access) for name, _d, access in rows if access.strip()],
    )


def purge_personal_data(actor: User, slug: str, today: date) -> int:
    """After a visit has ended, erase every registration's personal data. Returns how
    many registrations were anonymised."""
    with write():
        visit = organiser_visit(actor, slug)
        if today <= visit.end_date:
            raise Conflict("Personal data can be purged once the visit has ended.")
        rows = db.session.scalars(
            select(Registration).where(
                Registration.visit_id == visit.id, Registration.erased_at.is_(None)
            )
        ).all()
        for registration in rows:
            anonymise(registration)
    return len(rows)


EXPORT_COLUMNS = (
    Registration.id, Registration.status, Registration.status_reason,
    Registration.created_at, Registration.full_name, Registration.email,
    Registration.organisation, Registration.job_title, Registration.organisation_type,
    Registration.dietary, Registration.access_needs, Registration.consent_photography,
    Registration.consent_share, Registration.privacy_accepted_at,
    Registration.added_by_organiser, Registration.erased_at, Registration.answers,
)


def export_rows(visit: Visit) -> tuple[list[str], Iterator[list[object]]]:
    """Every registration with every field and answer, for the CSV export: the header,
    and the rows as they are read (plain columns, in batches), so that the file can be
    sent while it is made."""
    questions = list(visit.questions)
    asked = [(q.key, q.kind) for q in questions]
    header = [
        "id", "status", "status reason", "registered at (UTC)", "full name", "email",
        "organisation", "job title", "organisation type", "dietary requirements",
        "access requirements", "consent to photography", "consent to share with members",
        "privacy notice accepted at (UTC)", "added by organiser", "erased",
    ] + [q.label for q in questions]
    stmt = (select(*EXPORT_COLUMNS).where(Registration.visit_id == visit.id)
            .order_by(Registration.queued_at, Registration.id)
            .execution_options(yield_per=EXPORT_BATCH))

    def rows() -> Iterator[list[object]]:
        for (id_, status, reason, created, name, email, organisation, job, kind, dietary,
             access, photos, share, privacy, by_hand, erased, answers) in db.session.execute(stmt):
            yield [
                id_, status.value, reason, f"{created:%Y-%m-%d %H:%M}", name, email or "",
                organisation, job, kind.label if kind else "", dietary, access,
                "yes" if photos else "no", "yes" if share else "no",
                f"{privacy:%Y-%m-%d %H:%M}" if privacy else "",
                "yes" if by_hand else "no", "yes" if erased else "no",
            ] + [answer_text(kind, answers.get(key)) for key, kind in asked]

    return header, rows()
