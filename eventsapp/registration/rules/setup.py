"""What the registration form shows of a visit, built once per content version.

The form needs the visit's row (its window, capacity, access and the words on the
page), its extra questions and its sessions. All count as the visit's content
(eventsapp.visits.versioning), so a copy is kept per content version through
``eventsapp.cache.built_once``, like the calendars: the form page reads one stamp
instead of the visit, its questions and its agenda. Registering itself reads the
visit and its questions again inside its transaction (rules.registering).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from eventsapp.agenda.models import AgendaItem, ItemStatus
from eventsapp.cache import built_once
from eventsapp.errors import NotFound
from eventsapp.extensions import db
from eventsapp.registration.models import Question, QuestionKind
from eventsapp.visits import stamps
from eventsapp.visits.models import Visit
from eventsapp.visits.rules import VisitSnapshot, snapshot


@dataclass(frozen=True)
class QuestionSpec:
    """A copy of one extra question: what the form and the answer checks read."""

    id: int
    kind: QuestionKind
    label: str
    help_text: str
    required: bool
    choices: tuple[str, ...]

    @property
    def key(self) -> str:
        """The key of this question's answer in Registration.answers."""
        return str(self.id)


@dataclass(frozen=True)
class SessionSpec:
    """A copy of one agenda item with a capacity that the form offers (a session)."""

    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    capacity: int


@dataclass(frozen=True)
class RegistrationSetup:
    visit: VisitSnapshot
    questions: tuple[QuestionSpec, ...]
    # The visit's limited items (not cancelled), in time order: ticked on the form.
    sessions: tuple[SessionSpec, ...] = ()


def setup_for(slug: str) -> RegistrationSetup:
    """A published or cancelled visit's setup as last committed; NotFound for an
    unknown slug or a draft. One indexed read while nothing has changed."""
    stamp = stamps.public_stamp(slug)
    return built_once(("registration", stamp.visit_id), stamp.key,
                      lambda: _build(stamp.visit_id))


def _build(visit_id: int) -> RegistrationSetup:
    # Read afresh, never from the session's identity map: what is cached under a
    # version must be that version.
    fresh = {"populate_existing": True}
    visit = db.session.scalar(
        select(Visit).where(Visit.id == visit_id).execution_options(**fresh))
    if visit is None:
        raise NotFound("No such visit.")
    questions = db.session.scalars(
        select(Question).where(Question.visit_id == visit_id)
        .order_by(Question.position, Question.id).execution_options(**fresh)
    )
    items = db.session.scalars(
        select(AgendaItem).where(
            AgendaItem.visit_id == visit_id,
            AgendaItem.capacity.is_not(None),
            AgendaItem.deleted_at.is_(None),
            AgendaItem.status != ItemStatus.CANCELLED,
        ).order_by(AgendaItem.starts_at, AgendaItem.id).execution_options(**fresh)
    )
    return RegistrationSetup(
        sessions=tuple(SessionSpec(i.id, i.title, i.starts_at, i.ends_at, i.capacity)
                       for i in items),
        visit=snapshot(visit),
        questions=tuple(
            QuestionSpec(q.id, q.kind, q.label, q.help_text, q.required, tuple(q.choices))
            for q in questions
        ),
    )
