"""What registering for a visit needs to know of it, kept between requests.

The registration form and ``services.registration.register`` need the visit's row
(its window, capacity, access and the words on the page) and its extra questions.
Both count as the visit's content (eventsapp.visits.versioning), so a copy is kept
per content version in ``eventsapp.cache.visit_content``, like the calendars: the
form page reads one stamp instead of the visit and its questions, and a POST that
registers reads the version inside its write transaction and takes the copy made
from exactly that version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from eventsapp.agenda.models import AgendaItem, ItemStatus
from eventsapp.cache import visit_content
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
    # (visit id, content version, created_at): what register() compares with what it
    # reads under the visit's lock, so that answers read with an older form are never
    # stored against newer questions.
    key: tuple
    # The visit's limited items (not cancelled), in time order: ticked on the form.
    sessions: tuple[SessionSpec, ...] = ()


def setup_for(slug: str) -> RegistrationSetup:
    """A published or cancelled visit's setup as last committed; NotFound for an
    unknown slug or a draft. One indexed read while nothing has changed."""
    stamp = stamps.public_stamp(slug)
    _visit_ids[slug] = stamp.visit_id
    return cached_setup(stamp.visit_id, stamp.version, stamp.created_at)


def last_known(slug: str) -> RegistrationSetup | None:
    """This worker's latest copy for the slug, read from nothing: possibly out of date.
    For a caller that checks the version later (register() reads it under the lock)."""
    visit_id = _visit_ids.get(slug)
    return visit_content.peek(("registration", visit_id)) if visit_id is not None else None


# The slugs that setup_for found, and their visits (a slug renamed later is only a
# stale hint: register() reads the visit by slug under its lock).
_visit_ids: dict[str, int] = {}


def cached_setup(visit_id: int, version: int, created_at: object) -> RegistrationSetup:
    """The setup made from ``version`` of the visit (made now, in the caller's
    transaction, when this worker has no copy of that version)."""
    return visit_content.get(("registration", visit_id), (version, created_at),
                             lambda: _build(visit_id, (visit_id, version, created_at)))


def _build(visit_id: int, key: tuple) -> RegistrationSetup:
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
        key=key,
    )
