"""A visit's registration settings and its extra questions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from eventsapp.accounts.models import User
from eventsapp.db import write
from eventsapp.errors import ValidationError
from eventsapp.extensions import db
from eventsapp.locks import lock
from eventsapp.registration.models import Question, QuestionKind
from eventsapp.registration.rules import capacity, changelog
from eventsapp.timezones import NonexistentLocalTime, to_utc
from eventsapp.visits.models import RegistrationAccess, Visit
from eventsapp.visits.rules import organiser_visit, organiser_visit_row


@dataclass(frozen=True)
class SettingsInput:
    opens_local: datetime | None  # naive wall times in the visit's zone
    closes_local: datetime | None
    capacity: int | None
    waitlist_enabled: bool
    access: RegistrationAccess
    invitation_code: str = ""
    contact_email: str = ""
    privacy_notice: str = ""
    on_the_day: bool = False  # registration stays open until the visit ends


def update_settings(actor: User, slug: str, data: SettingsInput) -> Visit:
    """Save the settings. Raising the capacity gives the new places to the waiting
    list at once; it cannot go below the number already confirmed."""
    with write():
        visit = organiser_visit(actor, slug)
        lock(Visit, visit.id)
        errors: dict[str, str] = {}
        opens = closes = None
        for name, value in (("opens_at", data.opens_local), ("closes_at", data.closes_local)):
            if value is None:
                continue
            try:
                instant = to_utc(value, visit.zone)
            except NonexistentLocalTime as exc:
                errors[name] = str(exc)
                continue
            if name == "opens_at":
                opens = instant
            else:
                closes = instant
        if opens and closes and closes <= opens:
            errors["closes_at"] = "Registration must close after it opens."
        confirmed = capacity.confirmed_count(visit.id)
        if data.capacity is not None and data.capacity < 1:
            errors["capacity"] = "Capacity must be at least 1, or empty for no limit."
        elif data.capacity is not None and data.capacity < confirmed:
            errors["capacity"] = (
                f"{confirmed} people are already confirmed. Move some to the waiting list "
                "before lowering the capacity below that."
            )
        code = data.invitation_code.strip()
        if data.access is RegistrationAccess.INVITATION and not code:
            errors["invitation_code"] = "Set the invitation code that invitees will type."
        if errors:
            raise ValidationError(errors)
        visit.registration_opens_at = opens
        visit.registration_closes_at = closes
        visit.capacity = data.capacity
        visit.waitlist_enabled = data.waitlist_enabled
        visit.registration_on_the_day = data.on_the_day
        visit.registration_access = data.access
        visit.invitation_code = code or None
        visit.contact_email = data.contact_email.strip()
        visit.privacy_notice = data.privacy_notice.strip()
        changelog.settings_edited(actor, visit)
        db.session.flush()
        capacity.fill_visit_places(visit)
    return visit


# --- questions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionInput:
    kind: QuestionKind
    label: str
    help_text: str = ""
    required: bool = False
    options: str = ""  # one per line, for the choice kinds


def _validated(data: QuestionInput) -> str:
    choices = [line.strip() for line in data.options.replace("\r", "").split("\n")]
    choices = list(dict.fromkeys(c for c in choices if c))
    if data.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        if len(choices) < 2:
            raise ValidationError({"options": "Give at least two options, one per line."})
        return "\n".join(choices)
    return ""


def organiser_question(actor: User, slug: str, question_id: int) -> Question:
    return organiser_visit_row(actor, slug, Question, question_id, "question")


def add_question(actor: User, slug: str, data: QuestionInput) -> Question:
    with write():
        visit = organiser_visit(actor, slug)
        options = _validated(data)
        last = db.session.scalar(
            select(func.max(Question.position)).where(Question.visit_id == visit.id)
        )
        question = Question(
            visit=visit,
            position=(last or 0) + 1,
            kind=data.kind,
            label=data.label.strip(),
            help_text=data.help_text.strip(),
            required=data.required,
            options=options,
        )
        db.session.add(question)
        changelog.question_added(actor, question)
    return question


def update_question(actor: User, slug: str, question_id: int, data: QuestionInput) -> Question:
    with write():
        question = organiser_question(actor, slug, question_id)
        question.options = _validated(data)
        question.kind = data.kind
        question.label = data.label.strip()
        question.help_text = data.help_text.strip()
        question.required = data.required
        changelog.question_edited(actor, question)
    return question


def delete_question(actor: User, slug: str, question_id: int) -> None:
    """Delete a question; answers already given stay in the registrations' records
    (and in exports) under the question's id, but are no longer shown."""
    with write():
        question = organiser_question(actor, slug, question_id)
        changelog.question_deleted(actor, question)
        db.session.delete(question)


def move_question(actor: User, slug: str, question_id: int, offset: int) -> None:
    """Move a question up (-1) or down (+1) in the form."""
    with write():
        question = organiser_question(actor, slug, question_id)
        ordered = list(question.visit.questions)
        index = ordered.index(question)
        target = index + offset
        if 0 <= target < len(ordered):
            ordered[index], ordered[target] = ordered[target], ordered[index]
            for position, item in enumerate(ordered, start=1):
                item.position = position
            changelog.question_moved(actor, question, index, target)
