"""Feedback after a visit: asking confirmed attendees once, and their answers.

Attendees answer behind their private link (/r/<token>/feedback): a 1-5 rating of the
visit, of each item they attended, and comments. They may come back and change them.
The figures are read by services.impact for the organisers' impact report.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from eventsapp.accounts.models import User
from eventsapp.agenda.models import AgendaItem, ItemKind, ItemStatus
from eventsapp.db import write
from eventsapp.dbtypes import utcnow
from eventsapp.errors import Conflict, NotFound, ValidationError
from eventsapp.extensions import db
from eventsapp.feedback.models import RATINGS, Feedback, ItemFeedback
from eventsapp.locks import lock
from eventsapp.mail import outbox as mail
from eventsapp.registration.models import Registration, RegistrationStatus, SignupStatus
from eventsapp.registration.rules import notices
from eventsapp.registration.rules.common import registration_for_token
from eventsapp.timezones import to_local, zone_abbreviation
from eventsapp.visits.models import Visit, VisitStatus
from eventsapp.visits.rules import is_slug, organiser_visit

COMMENTS_MAX = 5000
# Nothing to rate in a coffee break, a meal or the coach between venues.
NOT_RATED_KINDS = (ItemKind.BREAK, ItemKind.MEAL, ItemKind.TRAVEL)
RATING_MESSAGE = "Choose a rating from 1 to 5, or no rating."
NOT_ATTENDED = "You can only rate sessions you attended on this visit."
EMPTY = "Rate the visit or a session, or write a comment, before sending."


class Operator:
    """Whoever runs ``flask feedback request`` on the server: may act on any visit."""


OPERATOR = Operator()


# --- when ----------------------------------------------------------------------------------


def has_ended(visit: Visit, now: datetime | None = None) -> bool:
    """The visit's last day is over in the visit's own zone."""
    return to_local(now or utcnow(), visit.zone).date() > visit.end_date


def opens_on(visit: Visit) -> date:
    """The first day feedback can be given or asked for."""
    return visit.end_date + timedelta(days=1)


def _day(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def requested_label(visit: Visit) -> str:
    """'Tuesday 4 June 2024 at 10:15 BST': when the feedback request went out."""
    when = visit.feedback_requested_at
    local = to_local(when, visit.zone)
    return f"{_day(local.date())} at {local:%H:%M} {zone_abbreviation(when, visit.zone)}"


# --- asking for feedback --------------------------------------------------------------------


def _visit_for(actor: User | Operator, slug: str) -> Visit:
    if actor is not OPERATOR:
        return organiser_visit(actor, slug)
    visit = db.session.scalar(select(Visit).where(Visit.slug == slug)) if is_slug(slug) else None
    if visit is None:
        raise NotFound("No such visit.")
    return visit


def asked(visit_id: int) -> list[Registration]:
    """Who is asked for feedback: confirmed registrations not erased, by name."""
    return list(db.session.scalars(
        select(Registration)
        .where(Registration.visit_id == visit_id,
               Registration.status == RegistrationStatus.CONFIRMED,
               Registration.erased_at.is_(None),
               Registration.email.is_not(None))
        .order_by(Registration.full_name, Registration.id)
    ))


def request_refusal(visit: Visit, now: datetime | None = None) -> str | None:
    """Why feedback cannot be requested now, or None when it can."""
    if visit.status is VisitStatus.CANCELLED:
        return "This visit was cancelled: there is nobody to ask for feedback."
    if visit.feedback_requested_at is not None:
        return (f"Feedback was requested on {requested_label(visit)}; "
                "it is requested only once.")
    if not has_ended(visit, now):
        return (f"Feedback can be requested once the visit is over, from "
                f"{_day(opens_on(visit))}.")
    return None


def request_feedback(actor: User | Operator, slug: str, now: datetime | None = None) -> int:
    """Email every confirmed attendee their private link to the feedback form, once,
    after the visit. The emails and the visit's ``feedback_requested_at`` are written
    in one transaction. Returns how many were asked."""
    now = now or utcnow()
    with write():
        visit = lock(Visit, _visit_for(actor, slug).id)  # two clicks: the second waits, then sees
        refusal = request_refusal(visit, now)
        if refusal:
            raise Conflict(refusal)
        people = asked(visit.id)
        if not people:
            raise Conflict("No confirmed attendee to ask: nobody was emailed.")
        for registration in people:
            mail.queue(
                registration.email,
                "mail/feedback_request.html",
                # The registration's topic: erasing the registration drops unsent mail.
                topic=f"registration:{registration.id}",
                registration=registration,
                visit=visit,
                feedback_url=notices.manage_url(registration) + "/feedback",
            )
        visit.feedback_requested_at = now
    return len(people)


# --- the attendee's feedback -----------------------------------------------------------------


class State(enum.StrEnum):
    OPEN = "open"
    NOT_YET = "not_yet"  # the visit is not over
    NOT_CONFIRMED = "not_confirmed"  # cancelled, waiting list, awaiting approval
    VISIT_CANCELLED = "visit_cancelled"


def state_of(registration: Registration, now: datetime | None = None) -> tuple[State, str]:
    visit = registration.visit
    if visit.status is VisitStatus.CANCELLED:
        return State.VISIT_CANCELLED, "This visit was cancelled, so there is no feedback to give."
    if registration.status is not RegistrationStatus.CONFIRMED:
        return State.NOT_CONFIRMED, ("Feedback is for attendees whose place was confirmed; "
                                     "this registration was not.")
    if not has_ended(visit, now):
        return State.NOT_YET, (f"Feedback opens after the visit, on {_day(opens_on(visit))}. "
                               "Come back to this page then.")
    return State.OPEN, ""


def rated_items(registration: Registration) -> list[AgendaItem]:
    """The items this attendee attended, in time order: live, not cancelled items of
    their visit that have no capacity (everyone goes) or on which they hold a
    confirmed place; no breaks, meals or travel. One query (sign-ups are loaded by
    registration_for_token)."""
    mine = {s.item_id for s in registration.signups if s.status is SignupStatus.CONFIRMED}
    items = db.session.scalars(
        select(AgendaItem)
        .where(AgendaItem.visit_id == registration.visit_id,
               AgendaItem.deleted_at.is_(None),
               AgendaItem.status == ItemStatus.CONFIRMED,
               AgendaItem.kind.not_in(NOT_RATED_KINDS))
        .order_by(AgendaItem.starts_at, AgendaItem.id)
        .options(selectinload(AgendaItem.venue))
    )
    return [item for item in items if item.capacity is None or item.id in mine]


def feedback_of(registration: Registration) -> Feedback | None:
    return db.session.scalar(
        select(Feedback).where(Feedback.registration_id == registration.id)
        .options(selectinload(Feedback.item_ratings))
    )


@dataclass(frozen=True)
class FeedbackPage:
    registration: Registration
    state: State
    message: str
    items: list[AgendaItem]
    feedback: Feedback | None


def feedback_page(token: str, now: datetime | None = None) -> FeedbackPage:
    """What the attendee's feedback page shows; NotFound for a bad or erased link."""
    registration = registration_for_token(token)
    state, message = state_of(registration, now)
    if state is not State.OPEN:
        return FeedbackPage(registration, state, message, [], None)
    return FeedbackPage(registration, state, message, rated_items(registration),
                        feedback_of(registration))


@dataclass(frozen=True)
class FeedbackInput:
    visit_rating: int | None = None
    item_ratings: dict[int, int | None] = field(default_factory=dict)  # item id -> rating
    comments: str = ""


def item_field(item_id: int) -> str:
    """The form field (and error key) of one item's rating."""
    return f"item_{item_id}"


def _check(answer: FeedbackInput, allowed: set[int]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if answer.visit_rating is not None and answer.visit_rating not in RATINGS:
        errors["visit_rating"] = RATING_MESSAGE
    for item_id, rating in answer.item_ratings.items():
        if item_id not in allowed:
            errors[item_field(item_id)] = NOT_ATTENDED
        elif rating is not None and rating not in RATINGS:
            errors[item_field(item_id)] = RATING_MESSAGE
    if len(answer.comments) > COMMENTS_MAX:
        errors["comments"] = f"Comments must be {COMMENTS_MAX:,} characters or fewer."
    return errors


def save_feedback(token: str, answer: FeedbackInput,
                  now: datetime | None = None) -> Feedback | None:
    """Save (or change) the attendee's feedback. Every answer is checked first, so a
    refusal saves nothing. Clearing every answer removes their feedback (returns None)."""
    with write():
        registration = registration_for_token(token)
        # Two sends at once (a double click): the second waits, then changes the first's
        # feedback instead of inserting a second one.
        lock(Registration, registration.id)
        state, message = state_of(registration, now)
        if state is not State.OPEN:
            raise Conflict(message)
        allowed = {item.id for item in rated_items(registration)}
        errors = _check(answer, allowed)
        comments = answer.comments.strip()
        ratings = {item_id: r for item_id, r in answer.item_ratings.items() if r is not None}
        feedback = feedback_of(registration)
        if not errors and answer.visit_rating is None and not ratings and not comments \
                and feedback is None:
            errors["visit_rating"] = EMPTY
        if errors:
            raise ValidationError(errors)
        if answer.visit_rating is None and not ratings and not comments:
            db.session.delete(feedback)
            return None
        if feedback is None:
            feedback = Feedback(registration_id=registration.id, visit_id=registration.visit_id)
            db.session.add(feedback)
        feedback.visit_rating = answer.visit_rating
        feedback.comments = comments
        kept = {row.item_id: row for row in feedback.item_ratings}
        for item_id, row in kept.items():
            if item_id not in ratings:
                feedback.item_ratings.remove(row)
        for item_id, rating in ratings.items():
            if item_id in kept:
                kept[item_id].rating = rating
            else:
                feedback.item_ratings.append(ItemFeedback(item_id=item_id, rating=rating))
        feedback.updated_at = utcnow()  # a change of item ratings only must count as a change
    return feedback


def forget_comments(registration_id: int) -> None:
    """When a registration is erased (registration.rules.own_page): feedback keeps its
    ratings for the impact report; comments are free text and may name the person, so
    they go with the rest."""
    db.session.execute(
        update(Feedback).where(Feedback.registration_id == registration_id).values(comments="")
    )
