"""What the registration settings and the extra questions write to the visit's
change log (visits.changelog)."""

from __future__ import annotations

from eventsapp.accounts.models import User
from eventsapp.registration.models import Question
from eventsapp.visits.changelog import edited, instant, record, text
from eventsapp.visits.models import ChangeArea, Visit, VisitChange


def settings_edited(actor: User, visit: Visit) -> VisitChange | None:
    fields = {
        "registration_opens_at": ("registration opens", lambda v: instant(v, visit)),
        "registration_closes_at": ("registration closes", lambda v: instant(v, visit)),
        "capacity": ("capacity", lambda v: "No limit" if v is None else str(v)),
        "waitlist_enabled": ("waiting list", text),
        "registration_access": ("who may register", text),
        "invitation_code": ("invitation code", text),
        "contact_email": ("contact email", text),
        "privacy_notice": ("privacy notice", text),
    }
    return edited(actor, visit, fields, ChangeArea.REGISTRATION_SETTINGS, "settings_edited",
                  "Changed the registration settings", visit=visit)


QUESTION_FIELDS = {
    "kind": ("kind", text),
    "label": ("question", text),
    "help_text": ("help text", text),
    "required": ("required", text),
    "options": ("options", lambda v: text((v or "").replace("\n", " / "))),
}


def question_added(actor: User, question: Question) -> VisitChange:
    return record(question.visit, actor, ChangeArea.REGISTRATION_SETTINGS, "question_added",
                  f"Added the question “{question.label}”",
                  details={"question": {"old": "", "new": question.label}})


def question_edited(actor: User, question: Question) -> VisitChange | None:
    return edited(actor, question, QUESTION_FIELDS, ChangeArea.REGISTRATION_SETTINGS,
                  "question_edited", f"Changed the question “{question.label}”")


def question_deleted(actor: User, question: Question) -> VisitChange:
    return record(question.visit, actor, ChangeArea.REGISTRATION_SETTINGS,
                  "question_deleted", f"Deleted the question “{question.label}”",
                  details={"question": {"old": question.label, "new": ""}})


def question_moved(actor: User, question: Question, old: int, new: int) -> VisitChange:
    """From place ``old`` to ``new`` in the form (0 = first)."""
    return record(question.visit, actor, ChangeArea.REGISTRATION_SETTINGS, "question_moved",
                  f"Moved the question “{question.label}” {'up' if new < old else 'down'}",
                  details={"place in the form": {"old": str(old + 1), "new": str(new + 1)}})
