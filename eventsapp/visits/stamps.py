"""A visit's stamp: what every cached output of the visit is keyed by.

``Visit.content_version`` is raised by every flush that changes what the visit's
calendars and pages show (eventsapp.versioning); the stamp is read on every
request, in one indexed read outside the ORM session, so cached bytes are reused
while nothing changes and rebuilt at the first request after a change, in every
worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from eventsapp.db import read_one
from eventsapp.dbtypes import utcnow
from eventsapp.errors import NotFound
from eventsapp.extensions import db
from eventsapp.timezones import to_local
from eventsapp.visits.models import VisitStatus
from eventsapp.visits.rules import is_slug


@dataclass(frozen=True)
class VisitStamp:
    visit_id: int
    version: int
    created_at: object  # with the id: a deleted visit's reused id is another visit
    status: VisitStatus
    ended: bool  # once the visit is over, deleted items' tombstones leave the feeds

    @property
    def key(self) -> tuple[int, object, bool]:
        return (self.version, self.created_at, self.ended)


# Read on every request for a feed, so in plain SQL on a pooled connection
# (eventsapp.db.read_one) rather than through the session.
_STAMP_SQL = ("SELECT id, content_version, created_at, status, end_date, timezone "
              "FROM visits WHERE ")


def _stamp(where: str, param, now: datetime | None = None, engine: Engine | None = None
           ) -> VisitStamp:
    row = read_one(engine or db.engine, _STAMP_SQL + where, (param,))
    if row is None:
        raise NotFound("No such visit.")
    visit_id, version, created_at, status, end_date, timezone = row
    if isinstance(end_date, str):  # SQLite returns dates as text
        end_date = date.fromisoformat(end_date)
    ended = to_local(now or utcnow(), ZoneInfo(timezone)).date() > end_date
    # created_at only tells a visit from an earlier one with the same id: compared, as
    # the database returns it, never read as a time.
    return VisitStamp(visit_id, version, created_at, VisitStatus(status), ended)


def stamp_by_id(visit_id: int, now: datetime | None = None, engine: Engine | None = None
                ) -> VisitStamp:
    """Any visit's stamp, drafts included (an attendee's feed says CANCELLED for those).
    ``engine``: for a caller outside the application context."""
    return _stamp("id = ?", visit_id, now, engine)


def public_stamp(slug: str, now: datetime | None = None) -> VisitStamp:
    """What a published (or cancelled) visit's cached outputs are keyed by: one query."""
    if not is_slug(slug):  # PostgreSQL refuses some strings outright (a NUL from %00)
        raise NotFound("No such visit.")
    return _stamp("slug = ? AND status != 'draft'", slug, now)
