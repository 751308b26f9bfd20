"""The visit's change log: ``record``, values written as people read them (times in the
visit's zone, venue names, short texts) for every feature's changelog module, and the
visit's and its venues' own changes."""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, datetime
from textwrap import shorten
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect

from eventsapp.accounts.models import User
from eventsapp.extensions import db
from eventsapp.timezones import local_range, to_local, zone_abbreviation
from eventsapp.visits.models import ChangeArea, NoticeState, Venue, Visit, VisitChange, VisitStatus

if TYPE_CHECKING:
    from eventsapp.agenda.models import AgendaItem

NONE = "(none)"


ENUM_TEXT = {"yes_no": "Yes or no", "invitation": "Invitation code",
             "approval": "Approval by an organiser"}


def record(visit: Visit, actor: User | str | None, area: ChangeArea, action: str,
           summary: str, item: AgendaItem | None = None,
           details: dict[str, dict[str, str]] | None = None, notify: bool = False,
           actor_label: str | None = None) -> VisitChange:
    """Add a change to the session (no commit). ``actor``: the user who acted, or
    None (or a label) for the rest: ``actor_label`` "attendee", "system" (default).
    ``notify``: people must be told; pending only while the visit is published."""
    if isinstance(actor, str):
        actor, actor_label = None, actor
    if actor is not None:
        actor_label = actor.name or actor.email
    change = VisitChange(
        visit_id=visit.id,
        actor_id=actor.id if actor is not None else None,
        actor_label=(actor_label or "system")[:200],
        area=area,
        action=action,
        summary=shorten(summary, 500, placeholder="…"),
        item=item,
        details=details or {},
        notice=NoticeState.PENDING if notify and visit.status is VisitStatus.PUBLISHED else None,
    )
    db.session.add(change)
    return change


def when(starts: datetime, ends: datetime, visit: Visit) -> str:
    """'Tue 14 Oct 10:00–11:00 BST' in the visit's zone (each end with its own zone
    across a clock change)."""
    return f"{_day(to_local(starts, visit.zone))} {local_range(starts, ends, visit.zone, _day)}"


def _day(local: datetime | date) -> str:
    return f"{local:%a} {local.day} {local:%b}"


def instant(value: datetime | None, visit: Visit) -> str:
    if value is None:
        return NONE
    local = to_local(value, visit.zone)
    return f"{_day(local)} {local:%Y %H:%M} {zone_abbreviation(value, visit.zone)}"


def venue_name(venue_id: int | None) -> str:
    venue = db.session.get(Venue, venue_id) if venue_id is not None else None
    return venue.name if venue is not None else "No venue"


def text(value: Any) -> str:
    if value is None or value == "":
        return NONE
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or NONE
    if isinstance(value, date) and not isinstance(value, datetime):
        return f"{_day(value)} {value:%Y}"
    if isinstance(value, enum.Enum):  # "single_choice" -> "Single choice"
        return ENUM_TEXT.get(value.value, value.value.replace("_", " ").capitalize())
    return shorten(" ".join(str(value).split()), 200, placeholder="…")


def changed(obj, fields: dict[str, tuple[str, Callable[[Any], str]]]
             ) -> dict[str, dict[str, str]]:
    """{label: {old, new}} for each attribute changed since it was loaded; ``fields``
    maps the attribute to (label, formatter). Run before anything flushes."""
    state = inspect(obj)
    details: dict[str, dict[str, str]] = {}
    with db.session.no_autoflush:
        for name, (label, show) in fields.items():
            history = state.attrs[name].history
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                old_text, new_text = show(old), show(new)
                if old_text == new_text and old_text.endswith("…"):
                    new_text = "(changed further on)"  # beyond the part shown
                if old_text != new_text:
                    details[label] = {"old": old_text, "new": new_text}
    return details


def old_value(obj, name: str):
    history = inspect(obj).attrs[name].history
    return history.deleted[0] if history.deleted else getattr(obj, name)


def listed(details: dict) -> str:
    return ", ".join(details)


def edited(actor: User, obj, fields: dict[str, tuple[str, Callable[[Any], str]]],
           area: ChangeArea, action: str, what: str, visit: Visit | None = None,
           item: AgendaItem | None = None) -> VisitChange | None:
    """The change of ``obj``'s ``fields`` (see ``changed``), summed up as
    "{what}: label, label", on ``visit`` (else ``obj.visit``, read after the history:
    loading it may flush); None when none of them changed."""
    details = changed(obj, fields)
    if not details:
        return None
    return record(visit or obj.visit, actor, area, action, f"{what}: {listed(details)}",
                  item=item, details=details)


VISIT_FIELDS = {
    "title": ("title", text),
    "slug": ("web address", text),
    "city": ("city", text),
    "host": ("host", text),
    "timezone": ("time zone", text),
    "start_date": ("first day", text),
    "end_date": ("last day", text),
    "summary": ("summary", text),
}


VISIT_STATUS_TEXT = {VisitStatus.DRAFT: "Draft", VisitStatus.PUBLISHED: "Published",
                     VisitStatus.CANCELLED: "Cancelled"}


def visit_edited(actor: User, visit: Visit) -> VisitChange | None:
    return edited(actor, visit, VISIT_FIELDS, ChangeArea.VISIT, "visit_edited",
                  "Changed the visit's details", visit=visit)


def visit_status(actor: User, visit: Visit, status: VisitStatus) -> VisitChange:
    """Before the status is set. Cancelling a published visit is news for everyone."""
    action, summary = {
        VisitStatus.PUBLISHED: ("visit_published", "Published the visit"),
        VisitStatus.DRAFT: ("visit_unpublished", "Took the visit back to draft"),
        VisitStatus.CANCELLED: ("visit_cancelled", "Cancelled the visit"),
    }[status]
    return record(visit, actor, ChangeArea.VISIT, action, summary,
                  notify=status is VisitStatus.CANCELLED,
                  details={"status": {"old": VISIT_STATUS_TEXT[visit.status],
                                      "new": VISIT_STATUS_TEXT[status]}})


VENUE_FIELDS = {
    "name": ("name", text),
    "address": ("address", text),
    "latitude": ("latitude", text),
    "longitude": ("longitude", text),
    "access_notes": ("access notes", text),
}


def venue_added(actor: User, venue: Venue) -> VisitChange:
    return record(venue.visit, actor, ChangeArea.VENUES, "venue_added",
                  f"Added the venue {venue.name}",
                  details={"name": {"old": "", "new": venue.name}})


def venue_edited(actor: User, venue: Venue) -> VisitChange | None:
    return edited(actor, venue, VENUE_FIELDS, ChangeArea.VENUES, "venue_edited",
                  f"Changed the venue {venue.name}")


def venue_deleted(actor: User, venue: Venue) -> VisitChange:
    return record(venue.visit, actor, ChangeArea.VENUES, "venue_deleted",
                  f"Deleted the venue {venue.name}",
                  details={"name": {"old": venue.name, "new": ""}})
