"""What the agenda writes to the visit's change log (visits.changelog)."""

from __future__ import annotations

from eventsapp.accounts.models import User
from eventsapp.agenda.models import AgendaItem, ItemStatus
from eventsapp.extensions import db
from eventsapp.visits.changelog import (
    NONE,
    changed,
    listed,
    old_value,
    record,
    text,
    venue_name,
    when,
)
from eventsapp.visits.models import ChangeArea, VisitChange

ITEM_FIELDS = {
    "kind": ("kind", text),
    "title": ("title", text),
    "venue_id": ("venue", venue_name),
    "hosts": ("hosts", text),
    "description": ("description", text),
    "capacity": ("capacity", lambda v: NONE if v is None else str(v)),
}


STATUS_TEXT = {ItemStatus.CONFIRMED: "Confirmed", ItemStatus.CANCELLED: "Cancelled"}


def item_added(actor: User, item: AgendaItem) -> VisitChange:
    visit = item.visit
    with db.session.no_autoflush:
        venue = venue_name(item.venue_id)
    details = {"time": {"old": "", "new": when(item.starts_at, item.ends_at, visit)},
               "venue": {"old": "", "new": venue}}
    return record(visit, actor, ChangeArea.AGENDA, "item_added",
                  f"Added “{item.title}”", item=item, details=details)


def item_edited(actor: User, item: AgendaItem) -> VisitChange | None:
    """After an edit is applied: the fields that changed. The time or the venue of
    an item is news for the people who attend it."""
    visit = item.visit
    details = changed(item, ITEM_FIELDS)
    old_times = (old_value(item, "starts_at"), old_value(item, "ends_at"))
    if old_times != (item.starts_at, item.ends_at):
        details = {"time": {"old": when(*old_times, visit),
                            "new": when(item.starts_at, item.ends_at, visit)}, **details}
    if not details:
        return None
    return record(visit, actor, ChangeArea.AGENDA, "item_edited",
                  f"Changed “{item.title}”: {listed(details)}", item=item, details=details,
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
