"""The change log of a visit (models.changes.VisitChange), written by every write path.

``record`` adds one row in the caller's transaction and never commits. The helpers
below it are the hooks the services call, one call per write: each says who did
what, and, for edits, which fields changed from what to what, in the words and the
time zone people read (read from SQLAlchemy's attribute history, so a hook runs
after the change is applied and before anything flushes it).

Changes people must be told about (an item's time, venue or status, the visit's
cancellation) are recorded with ``notify=True``: their notice is pending until
services.change_notices sends the digest, but only while the visit is published.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, datetime
from textwrap import shorten
from typing import Any

from sqlalchemy import inspect

from eventsapp.extensions import db
from eventsapp.models import (
    AgendaItem,
    ChangeArea,
    ItemStatus,
    NoticeState,
    Question,
    Showcase,
    ShowcaseBooking,
    ShowcaseSlot,
    User,
    Venue,
    Visit,
    VisitChange,
    VisitStatus,
)
from eventsapp.timezones import to_local, zone_abbreviation

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


# --- values as people read them ----------------------------------------------------------


def when(starts: datetime, ends: datetime, visit: Visit) -> str:
    """'Tue 14 Oct 10:00–11:00 BST' in the visit's zone."""
    start, end = to_local(starts, visit.zone), to_local(ends, visit.zone)
    end_text = f"{end:%H:%M}" if end.date() == start.date() else f"{_day(end)} {end:%H:%M}"
    return f"{_day(start)} {start:%H:%M}–{end_text} {zone_abbreviation(starts, visit.zone)}"


def _day(local: datetime | date) -> str:
    return f"{local:%a} {local.day} {local:%b}"


def instant(value: datetime | None, visit: Visit) -> str:
    if value is None:
        return NONE
    local = to_local(value, visit.zone)
    return f"{_day(local)} {local:%Y %H:%M} {zone_abbreviation(value, visit.zone)}"


def _venue_name(venue_id: int | None) -> str:
    venue = db.session.get(Venue, venue_id) if venue_id is not None else None
    return venue.name if venue is not None else "No venue"


def _text(value: Any) -> str:
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


def _changed(obj, fields: dict[str, tuple[str, Callable[[Any], str]]]
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


def _old_value(obj, name: str):
    history = inspect(obj).attrs[name].history
    return history.deleted[0] if history.deleted else getattr(obj, name)


def _listed(details: dict) -> str:
    return ", ".join(details)


# --- agenda ------------------------------------------------------------------------------

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


# --- the visit and its venues ------------------------------------------------------------

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


# --- registration settings and questions -------------------------------------------------


def settings_edited(actor: User, visit: Visit) -> VisitChange | None:
    fields = {
        "registration_opens_at": ("registration opens", lambda v: instant(v, visit)),
        "registration_closes_at": ("registration closes", lambda v: instant(v, visit)),
        "capacity": ("capacity", lambda v: "No limit" if v is None else str(v)),
        "waitlist_enabled": ("waiting list", _text),
        "registration_access": ("who may register", _text),
        "invitation_code": ("invitation code", _text),
        "contact_email": ("contact email", _text),
        "privacy_notice": ("privacy notice", _text),
    }
    details = _changed(visit, fields)
    if not details:
        return None
    return record(visit, actor, ChangeArea.REGISTRATION_SETTINGS, "settings_edited",
                  f"Changed the registration settings: {_listed(details)}", details=details)


QUESTION_FIELDS = {
    "kind": ("kind", _text),
    "label": ("question", _text),
    "help_text": ("help text", _text),
    "required": ("required", _text),
    "options": ("options", lambda v: _text((v or "").replace("\n", " / "))),
}


def question_added(actor: User, question: Question) -> VisitChange:
    return record(question.visit, actor, ChangeArea.REGISTRATION_SETTINGS, "question_added",
                  f"Added the question “{question.label}”",
                  details={"question": {"old": "", "new": question.label}})


def question_edited(actor: User, question: Question) -> VisitChange | None:
    details = _changed(question, QUESTION_FIELDS)
    if not details:
        return None
    return record(question.visit, actor, ChangeArea.REGISTRATION_SETTINGS, "question_edited",
                  f"Changed the question “{question.label}”: {_listed(details)}",
                  details=details)


def question_deleted(actor: User, question: Question) -> VisitChange:
    return record(question.visit, actor, ChangeArea.REGISTRATION_SETTINGS,
                  "question_deleted", f"Deleted the question “{question.label}”",
                  details={"question": {"old": question.label, "new": ""}})


def question_moved(actor: User, question: Question, old: int, new: int) -> VisitChange:
    """From place ``old`` to ``new`` in the form (0 = first)."""
    return record(question.visit, actor, ChangeArea.REGISTRATION_SETTINGS, "question_moved",
                  f"Moved the question “{question.label}” {'up' if new < old else 'down'}",
                  details={"place in the form": {"old": str(old + 1), "new": str(new + 1)}})


# --- showcases and bookings --------------------------------------------------------------

BOOKING_STATUS_TEXT = {"pending": "Awaiting approval", "approved": "Approved",
                       "declined": "Declined", "cancelled": "Cancelled"}


def showcase_configured(actor: User, showcase: Showcase) -> VisitChange | None:
    item = showcase.item
    visit = item.visit
    fields = {
        "slot_minutes": ("slot length", lambda v: f"{v} min"),
        "buffer_minutes": ("buffer", lambda v: f"{v} min"),
        "requires_approval": ("approval needed", _text),
        "booking_deadline": ("booking deadline", lambda v: instant(v, visit)),
    }
    details = _changed(showcase, fields)
    if not details:
        return None
    return record(visit, actor, ChangeArea.BOOKINGS, "showcase_configured",
                  f"Changed the slot plan of “{item.title}”: {_listed(details)}",
                  item=item, details=details)


def slot_blocked(actor: User, slot: ShowcaseSlot, blocked: bool) -> VisitChange | None:
    """Before the slot is blocked or unblocked."""
    if slot.blocked == blocked:
        return None
    item = slot.showcase.item
    verb = "Blocked" if blocked else "Unblocked"
    return record(item.visit, actor, ChangeArea.BOOKINGS,
                  "slot_blocked" if blocked else "slot_unblocked",
                  f"{verb} the slot {when(slot.starts_at, slot.ends_at, item.visit)} "
                  f"of “{item.title}”", item=item,
                  details={"slot": {"old": "Blocked" if slot.blocked else "Open",
                                    "new": "Blocked" if blocked else "Open"}})


def _booking_context(booking: ShowcaseBooking) -> tuple[AgendaItem, str]:
    with db.session.no_autoflush:
        slot = db.session.get(ShowcaseSlot, booking.slot_id)
        item = slot.showcase.item
        name = booking.business.name
    return item, f"{name}'s booking at {when(slot.starts_at, slot.ends_at, item.visit)}"


def booking_made(actor: User, booking: ShowcaseBooking, action: str = "booking_made"
                 ) -> VisitChange:
    """A new booking, by a member (booking_made) or an organiser (booking_assigned)."""
    item, what = _booking_context(booking)
    status = BOOKING_STATUS_TEXT[booking.status.value]
    return record(item.visit, actor, ChangeArea.BOOKINGS, action,
                  f"{what} in “{item.title}”: {booking.title} ({status.lower()})", item=item,
                  details={"booking": {"old": "", "new": f"{booking.title} ({status})"}})


BOOKING_FIELDS = {
    "title": ("title", _text),
    "description": ("description", _text),
    "format": ("format", _text),
    "equipment": ("equipment", _text),
    "people": ("people", lambda v: _text((v or "").replace("\n", ", "))),
}


def booking_edited(actor: User, booking: ShowcaseBooking) -> VisitChange | None:
    details = _changed(booking, BOOKING_FIELDS)
    if not details:
        return None
    item, what = _booking_context(booking)
    return record(item.visit, actor, ChangeArea.BOOKINGS, "booking_edited",
                  f"Changed {what}: {_listed(details)}", item=item, details=details)


def booking_moved(actor: User, booking: ShowcaseBooking) -> VisitChange:
    """After the booking's slot_id is set, before it is flushed."""
    with db.session.no_autoflush:
        old = db.session.get(ShowcaseSlot, _old_value(booking, "slot_id"))
        new = db.session.get(ShowcaseSlot, booking.slot_id)
        item = new.showcase.item
        visit = item.visit
        name = booking.business.name
    details = {"slot": {"old": when(old.starts_at, old.ends_at, visit),
                        "new": when(new.starts_at, new.ends_at, visit)}}
    return record(visit, actor, ChangeArea.BOOKINGS, "booking_moved",
                  f"Moved {name}'s booking in “{item.title}”", item=item, details=details)


def booking_status(actor: User, booking: ShowcaseBooking) -> VisitChange | None:
    """After the status is set: approved, declined (organiser) or cancelled."""
    details = _changed(booking, {"status": ("status",
                                            lambda v: BOOKING_STATUS_TEXT[str(v)])})
    if not details:
        return None
    item, what = _booking_context(booking)
    verb = details["status"]["new"].lower()
    return record(item.visit, actor, ChangeArea.BOOKINGS, f"booking_{booking.status.value}",
                  f"{what} in “{item.title}”: {verb}", item=item, details=details)
