"""Hooks for the agenda, the visit and its venues."""

from __future__ import annotations

from eventsapp.accounts.models import User
from eventsapp.agenda.models import AgendaItem, ItemStatus
from eventsapp.changes.models import ChangeArea, VisitChange
from eventsapp.changes.rules.log import (
    NONE,
    _changed,
    _listed,
    _old_value,
    _text,
    _venue_name,
    record,
    when,
)
from eventsapp.extensions import db
from eventsapp.visits.models import Venue, Visit, VisitStatus

ITEM_FIELDS = {
    "kind": ("kind", _text),
    "title": ("title", _text),
    "venue_id": ("venue", _venue_name),
    "hosts": ("hosts", _text),
    "description": ("description", _text),
    "capacity": ("capacity", lambda v: NONE if v is None else str(v)),
}


STATUS_TEXT = {ItemStatus.CONFIRMED: "Confirmed", ItemStatus.CANCELLED: "Cancelled"}


def item_added(actor: User, item: AgendaItem) -> VisitChange:
    visit = item.visit
    with db.session.no_autoflush:
        venue = _venue_name(item.venue_id)
    details = {"time": {"old": "", "new": when(item.starts_at, item.ends_at, visit)},
               "venue": {"old": "", "new": venue}}
    return record(visit, actor, ChangeArea.AGENDA, "item_added",
                  f"Added “{item.title}”", item=item, details=details)


def item_edited(actor: User, item: AgendaItem) -> VisitChange | None:
    """After an edit is applied: the fields that changed. The time or the venue of
    an item is news for the people who attend it."""
    visit = item.visit
    details = _changed(item, ITEM_FIELDS)
    old_times = (_old_value(item, "starts_at"), _old_value(item, "ends_at"))
    if old_times != (item.starts_at, item.ends_at):
        details = {"time": {"old": when(*old_times, visit),
                            "new": when(item.starts_at, item.ends_at, visit)}, **details}
    if not details:
        return None
    return record(visit, actor, ChangeArea.AGENDA, "item_edited",
                  f"Changed “{item.title}”: {_listed(details)}", item=item, details=details,
                  notify="time" in details or "venue" in details)


def item_duplicated(actor: User, source: AgendaItem, copy: AgendaItem) -> VisitChange:
    return record(source.visit, actor, ChangeArea.AGENDA, "item_duplicated",
                  f"Duplicated “{source.title}” as “{copy.title}”", item=copy,
                  details={"time": {"old": "",
                                    "new": when(copy.starts_at, copy.ends_at, source.visit)}})


def item_status(actor: User, item: AgendaItem, status: ItemStatus) -> VisitChange | None:
    """Before the status is set: cancelled or reinstated (news for attendees)."""
    if item.status is status:
        return None
    action = "item_cancelled" if status is ItemStatus.CANCELLED else "item_reinstated"
    verb = "Cancelled" if status is ItemStatus.CANCELLED else "Reinstated"
    return record(item.visit, actor, ChangeArea.AGENDA, action, f"{verb} “{item.title}”",
                  item=item, notify=True,
                  details={"status": {"old": STATUS_TEXT[item.status],
                                      "new": STATUS_TEXT[status]}})


def item_deleted(actor: User, item: AgendaItem) -> VisitChange:
    """Before the delete. A published visit keeps the item as a tombstone, so the
    row points at it; a draft's item is gone, so only the title stays."""
    visit = item.visit
    kept = visit.first_published_at is not None
    return record(visit, actor, ChangeArea.AGENDA, "item_deleted",
                  f"Deleted “{item.title}” ({when(item.starts_at, item.ends_at, visit)})",
                  item=item if kept else None, notify=kept,
                  details={"status": {"old": STATUS_TEXT[item.status], "new": "Deleted"}})


VISIT_FIELDS = {
    "title": ("title", _text),
    "slug": ("web address", _text),
    "city": ("city", _text),
    "host": ("host", _text),
    "timezone": ("time zone", _text),
    "start_date": ("first day", _text),
    "end_date": ("last day", _text),
    "summary": ("summary", _text),
}


VISIT_STATUS_TEXT = {VisitStatus.DRAFT: "Draft", VisitStatus.PUBLISHED: "Published",
                     VisitStatus.CANCELLED: "Cancelled"}


def visit_edited(actor: User, visit: Visit) -> VisitChange | None:
    details = _changed(visit, VISIT_FIELDS)
    if not details:
        return None
    return record(visit, actor, ChangeArea.VISIT, "visit_edited",
                  f"Changed the visit's details: {_listed(details)}", details=details)


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
    "name": ("name", _text),
    "address": ("address", _text),
    "latitude": ("latitude", _text),
    "longitude": ("longitude", _text),
    "access_notes": ("access notes", _text),
}


def venue_added(actor: User, venue: Venue) -> VisitChange:
    return record(venue.visit, actor, ChangeArea.VENUES, "venue_added",
                  f"Added the venue {venue.name}",
                  details={"name": {"old": "", "new": venue.name}})


def venue_edited(actor: User, venue: Venue) -> VisitChange | None:
    details = _changed(venue, VENUE_FIELDS)
    if not details:
        return None
    return record(venue.visit, actor, ChangeArea.VENUES, "venue_edited",
                  f"Changed the venue {venue.name}: {_listed(details)}", details=details)


def venue_deleted(actor: User, venue: Venue) -> VisitChange:
    return record(venue.visit, actor, ChangeArea.VENUES, "venue_deleted",
                  f"Deleted the venue {venue.name}",
                  details={"name": {"old": venue.name, "new": ""}})
