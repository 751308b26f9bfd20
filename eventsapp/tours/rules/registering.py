"""Registering once for several visits of a tour, and the delegate's own changes.

Each visit's own rules apply to it (registration window, invitation code, approval,
questions, capacity and waiting list) through the registration package's rules; the
write is one transaction that locks the chosen visits in id order, so two delegates
choosing the same visits queue on them in the same order and never deadlock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eventsapp.accounts import tokens
from eventsapp.db import write
from eventsapp.dbtypes import utcnow
from eventsapp.errors import Conflict, NotFound, ValidationError
from eventsapp.extensions import db
from eventsapp.locks import lock
from eventsapp.mail import outbox as mail
from eventsapp.registration.models import Registration, RegistrationStatus
from eventsapp.registration.rules import capacity
from eventsapp.registration.rules.answers import clean_answers
from eventsapp.registration.rules.common import (
    Window,
    _email_taken,
    invitation_code_matches,
    new_registration,
    person_errors,
    registration_window,
    status_for,
)
from eventsapp.tours.models import Tour, TourRegistration, TourRegistrationStatus, TravelLeg
from eventsapp.visits.models import RegistrationAccess, Visit
from eventsapp.visits.rules import is_slug
from eventsapp.web.urls import absolute

DUPLICATE = ("This email address is already registered for this tour. Use the private "
             "link in your confirmation email to add or drop visits.")


@dataclass(frozen=True)
class Delegate:
    full_name: str
    email: str
    organisation: str = ""
    job_title: str = ""
    dietary: str = ""
    access_needs: str = ""
    privacy_accepted: bool = False


@dataclass(frozen=True)
class Choices:
    """What the delegate ticked: visits (ids), their invitation codes and answers
    (keyed by question id, as Registration.answers), and legs."""

    visit_ids: frozenset[int]
    codes: dict[int, str] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    leg_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class TourOutcome:
    tour_registration_id: int
    manage_token: str
    statuses: dict[int, RegistrationStatus]  # by visit id


def _tour_for_registering(slug: str) -> Tour:
    tour = db.session.scalar(select(Tour).where(Tour.slug == slug)) if is_slug(slug) else None
    if tour is None or not any(s.visit.is_published for s in tour.live_stops):
        raise NotFound("No such tour.")
    return tour


def _check_on_tour(tour: Tour, visit_ids) -> None:
    if set(visit_ids) - {s.visit_id for s in tour.live_stops}:
        raise ValidationError({"visits": "Choose among this tour's visits."})


def _lock_visits(visit_ids) -> list[Visit]:
    """The visits, each locked, in id order (the fixed order that keeps concurrent
    delegates from deadlocking)."""
    return [lock(Visit, visit_id) for visit_id in sorted(visit_ids)]


def _admit(tour: Tour, visits: list[Visit], choices: Choices, email_key: str,
           now: datetime, exclude_tour_registration: int | None = None
           ) -> tuple[dict[int, RegistrationStatus], dict[str, Any]]:
    """Each visit's status for a delegate joining it, checked against the visit's
    rules; ValidationError or Conflict (nothing written) when one refuses."""
    errors: dict[str, str] = {}
    answers: dict[str, Any] = {}
    for visit in visits:
        window, message = registration_window(visit, now)
        if window is not Window.OPEN:
            errors[f"visit_{visit.id}"] = f"{visit.title}: {message}"
            continue
        if (visit.registration_access is RegistrationAccess.INVITATION
                and not invitation_code_matches(visit, choices.codes.get(visit.id, ""))):
            errors[f"code_{visit.id}"] = f"The invitation code for {visit.title} is not right."
        if _email_taken(visit.id, email_key,
                        exclude_tour_registration_id=exclude_tour_registration):
            errors[f"visit_{visit.id}"] = (
                f"This email address is already registered for {visit.title}: untick it, "
                "or use the private link you were sent for it.")
        visit_answers, answer_errors = clean_answers(visit.questions, choices.answers)
        answers.update(visit_answers)
        errors.update(answer_errors)
    if errors:
        raise ValidationError(errors)
    statuses = {visit.id: status_for(visit) for visit in visits}
    full = [v for v in visits if statuses[v.id] in (None, RegistrationStatus.WAITLISTED)]
    if full and tour.all_or_nothing:
        names = ", ".join(v.title for v in full)
        raise Conflict(f"No place left on {names}. This tour registers delegates for all "
                       "the visits they choose or none, so nothing was kept: untick the "
                       "full visits to register for the others.", field="visits")
    refused = [v for v in visits if statuses[v.id] is None]
    if refused:
        raise ValidationError({f"visit_{v.id}": f"{v.title} is full and has no waiting "
                               "list: untick it to register for the others."
                               for v in refused})
    return statuses, answers


def _join(tour_registration: TourRegistration, visit: Visit, status: RegistrationStatus,
          delegate: Delegate, answers: dict[str, Any], now: datetime) -> Registration:
    registration = new_registration(visit)
    registration.full_name = delegate.full_name.strip()
    registration.email = delegate.email.strip()
    registration.email_key = delegate.email.strip().lower()
    registration.organisation = delegate.organisation.strip()
    registration.job_title = delegate.job_title.strip()
    registration.dietary = delegate.dietary.strip()
    registration.access_needs = delegate.access_needs.strip()
    registration.privacy_accepted_at = now
    registration.answers = {q.key: answers[q.key] for q in visit.questions if q.key in answers}
    registration.status = status
    registration.queued_at = utcnow()  # after the lock: the queue is the order served
    registration.tour_registration_id = tour_registration.id
    db.session.add(registration)
    return registration


def _legs(tour: Tour, leg_ids) -> list[TravelLeg]:
    legs = [leg for leg in tour.live_legs if leg.id in set(leg_ids)]
    if len(legs) != len(set(leg_ids)):
        raise ValidationError({"legs": "Choose among this tour's travel legs."})
    return legs


def register(slug: str, delegate: Delegate, choices: Choices,
             now: datetime | None = None) -> TourOutcome:
    now = now or utcnow()
    with write():
        tour = _tour_for_registering(slug)
        errors = person_errors(delegate.full_name, delegate.email, delegate.privacy_accepted)
        if not choices.visit_ids:
            errors["visits"] = "Tick at least one visit."
        if errors:
            raise ValidationError(errors)
        email_key = delegate.email.strip().lower()
        if db.session.scalar(select(TourRegistration.id).where(
                TourRegistration.tour_id == tour.id, TourRegistration.email_key == email_key,
                TourRegistration.status == TourRegistrationStatus.LIVE)):
            raise Conflict(DUPLICATE, field="email")
        _check_on_tour(tour, choices.visit_ids)
        visits = _lock_visits(choices.visit_ids)
        statuses, answers = _admit(tour, visits, choices, email_key, now)
        nonce = tokens.new_nonce()
        tour_registration = TourRegistration(
            tour=tour, status=TourRegistrationStatus.LIVE,
            full_name=delegate.full_name.strip(), email=delegate.email.strip(),
            email_key=email_key, organisation=delegate.organisation.strip(),
            dietary=delegate.dietary.strip(), access_needs=delegate.access_needs.strip(),
            token_nonce=nonce, feed_sequence=0,
            manage_token_hash=tokens.digest(tokens.make(tokens.MANAGE, nonce)),
            feed_token_hash=tokens.digest(tokens.make(tokens.FEED, nonce)),
            legs=_legs(tour, choices.leg_ids))
        db.session.add(tour_registration)
        try:
            db.session.flush()
        except IntegrityError as exc:
            raise Conflict(DUPLICATE, field="email") from exc
        for visit in visits:
            _join(tour_registration, visit, statuses[visit.id], delegate, answers, now)
        db.session.flush()
        _notify(tour_registration, "tour_registered")
    return TourOutcome(tour_registration.id, tokens.make(tokens.MANAGE, nonce), statuses)


# --- the delegate's own link ----------------------------------------------------------------


def manage_url(tour_registration: TourRegistration) -> str:
    return absolute(f"/tours/r/{tokens.make(tokens.MANAGE, tour_registration.token_nonce)}")


def feed_url(tour_registration: TourRegistration) -> str:
    return absolute(f"/tours/feeds/{tokens.make(tokens.FEED, tour_registration.token_nonce)}.ics")


def _notify(tour_registration: TourRegistration, template: str) -> None:
    live = [r for r in _registrations(tour_registration) if r.is_live]
    mail.queue(tour_registration.email, template,
               topic=f"tour_registration:{tour_registration.id}",
               tour_registration=tour_registration, tour=tour_registration.tour,
               registrations=live, positions={r.id: capacity.waitlist_position(r) for r in live},
               manage_url=manage_url(tour_registration), feed_url=feed_url(tour_registration))


def _registrations(tour_registration: TourRegistration) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).where(Registration.tour_registration_id == tour_registration.id)
        .order_by(Registration.visit_id, Registration.id)))


def by_token(token: str) -> TourRegistration:
    if not tokens.looks_valid(token):
        raise NotFound("No such registration.")
    found = db.session.scalar(select(TourRegistration).where(
        TourRegistration.manage_token_hash == tokens.digest(token)))
    if found is None:
        raise NotFound("No such registration.")
    return found


def live_registrations(tour_registration: TourRegistration) -> dict[int, Registration]:
    """The delegate's live registration on each visit, by visit id."""
    return {r.visit_id: r for r in _registrations(tour_registration) if r.is_live}


def change(token: str, delegate: Delegate, choices: Choices,
           now: datetime | None = None) -> dict[int, RegistrationStatus]:
    """Add or drop visits, change answers and legs. Visits added are admitted by their
    own rules (all or nothing applies to those); a place freed by a visit dropped goes
    to the next on its waiting list in the same transaction."""
    now = now or utcnow()
    with write():
        tour_registration = by_token(token)
        if not tour_registration.is_live:
            raise Conflict("This registration was cancelled. Register again from the "
                           "tour's page.")
        tour = tour_registration.tour
        errors = person_errors(delegate.full_name, delegate.email, delegate.privacy_accepted)
        if not choices.visit_ids:
            errors["visits"] = ("Tick at least one visit, or cancel your registration "
                                "below.")
        if errors:
            raise ValidationError(errors)
        current = live_registrations(tour_registration)
        added = set(choices.visit_ids) - set(current)
        dropped = set(current) - set(choices.visit_ids)
        _check_on_tour(tour, added)
        visits = {v.id: v for v in _lock_visits(added | dropped | set(current))}
        statuses, answers = _admit(tour, [visits[i] for i in sorted(added)], choices,
                                   tour_registration.email_key, now,
                                   exclude_tour_registration=tour_registration.id)
        for visit_id in sorted(set(current) - dropped):  # kept: answers and details
            visit = visits[visit_id]
            kept_answers, answer_errors = clean_answers(visit.questions, choices.answers)
            if answer_errors:
                raise ValidationError(answer_errors)
            registration = current[visit_id]
            registration.full_name = delegate.full_name.strip()
            registration.organisation = delegate.organisation.strip()
            registration.job_title = delegate.job_title.strip()
            registration.dietary = delegate.dietary.strip()
            registration.access_needs = delegate.access_needs.strip()
            registration.answers = kept_answers
        for visit_id in sorted(dropped):
            _leave(current[visit_id], visits[visit_id])
        for visit_id in sorted(added):
            _join(tour_registration, visits[visit_id], statuses[visit_id], delegate,
                  answers, now)
        tour_registration.full_name = delegate.full_name.strip()
        tour_registration.organisation = delegate.organisation.strip()
        tour_registration.dietary = delegate.dietary.strip()
        tour_registration.access_needs = delegate.access_needs.strip()
        legs = _legs(tour, choices.leg_ids)
        if added or dropped or {leg.id for leg in legs} != {
                leg.id for leg in tour_registration.legs}:
            tour_registration.feed_sequence += 1
        tour_registration.legs = legs
        db.session.flush()
        if added or dropped:
            _notify(tour_registration, "tour_changed")
        result = {r.visit_id: r.status for r in live_registrations(tour_registration).values()}
    return result


def _leave(registration: Registration, visit: Visit) -> None:
    was_confirmed = registration.status is RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.status_reason = "Dropped from the delegate's tour registration."
    if was_confirmed:
        db.session.flush()  # the count the next person is confirmed against
        capacity.fill_visit_places(visit)


def cancel(token: str) -> None:
    with write():
        tour_registration = by_token(token)
        if not tour_registration.is_live:
            return
        current = live_registrations(tour_registration)
        visits = {v.id: v for v in _lock_visits(set(current))}
        for visit_id in sorted(current):
            _leave(current[visit_id], visits[visit_id])
        tour_registration.status = TourRegistrationStatus.CANCELLED
        tour_registration.feed_sequence += 1
        db.session.flush()
        _notify(tour_registration, "tour_cancelled")
