"""A visit's stamp: what every cached output of the visit is keyed by.

``Visit.content_version`` is raised by every flush that changes what the visit's
calendars and pages show (eventsapp.versioning); the stamp is read on every
request, in one indexed read, so cached bytes are reused
while nothing changes and rebuilt at the first request after a change, in every
worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select

from eventsapp.dbtypes import utcnow
from eventsapp.errors import NotFound
from eventsapp.extensions import db
from eventsapp.timezones import to_local
from eventsapp.visits.models import Visit, VisitStatus
from eventsapp.visits.rules import is_slug


@dataclass(frozen=True)
class VisitStamp:
    visit_id: int
    version: int
    created_at: datetime  # with the id: a deleted visit's reused id is another visit
    status: VisitStatus
    ended: bool  # once the visit is over, deleted items' tombstones leave the feeds

    @property
    def key(self) -> tuple[int, object, bool]:
        return (self.version, self.created_at, self.ended)


# Read on every request for a visit's cached outputs: made once, run with its value.
_STAMP = select(Visit.id, Visit.content_version, Visit.created_at, Visit.status,
                Visit.end_date, Visit.timezone)
_BY_ID = _STAMP.where(Visit.id == bindparam("value"))
_PUBLIC = _STAMP.where(Visit.slug == bindparam("value"), Visit.status != VisitStatus.DRAFT)


def _stamp(statement, value, now: datetime | None = None) -> VisitStamp:
    row = db.session.execute(statement, {"value": value}).first()
    if row is None:
        raise NotFound("No such visit.")
    visit_id, version, created_at, status, end_date, timezone = row
    ended = to_local(now or utcnow(), ZoneInfo(timezone)).date() > end_date
    return VisitStamp(visit_id, version, created_at, status, ended)


def stamp_by_id(visit_id: int, now: datetime | None = None) -> VisitStamp:
    """Any visit's stamp, drafts included (an attendee's feed says CANCELLED for those)."""
    return _stamp(_BY_ID, visit_id, now)


def public_stamp(slug: str, now: datetime | None = None) -> VisitStamp:
    """What a published (or cancelled) visit's cached outputs are keyed by: one query."""
    if not is_slug(slug):  # PostgreSQL refuses some strings outright (a NUL from %00)
        raise NotFound("No such visit.")
    return _stamp(_PUBLIC, slug, now)
