"""What showcases, their slots and bookings write to the visit's change log
(visits.changelog)."""

from __future__ import annotations

from eventsapp.accounts.models import User
from eventsapp.agenda.models import AgendaItem
from eventsapp.extensions import db
from eventsapp.showcase.models import Showcase, ShowcaseBooking, ShowcaseSlot
from eventsapp.visits.changelog import (
    changed,
    edited,
    instant,
    listed,
    old_value,
    record,
    text,
    when,
)
from eventsapp.visits.models import ChangeArea, VisitChange
from eventsapp.wording import possessive

BOOKING_STATUS_TEXT = {"pending": "Awaiting approval", "approved": "Approved",
                       "declined": "Declined", "cancelled": "Cancelled"}


def showcase_configured(actor: User, showcase: Showcase) -> VisitChange | None:
    item = showcase.item
    visit = item.visit
    fields = {
        "slot_minutes": ("slot length", lambda v: f"{v} min"),
        "buffer_minutes": ("buffer", lambda v: f"{v} min"),
        "requires_approval": ("approval needed", text),
        "booking_deadline": ("booking deadline", lambda v: instant(v, visit)),
    }
    return edited(actor, showcase, fields, ChangeArea.BOOKINGS, "showcase_configured",
                  f"Changed the slot plan of “{item.title}”", visit=visit, item=item)


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
    return item, f"{possessive(name)} booking at {when(slot.starts_at, slot.ends_at, item.visit)}"


def booking_made(actor: User, booking: ShowcaseBooking, action: str = "booking_made"
                 ) -> VisitChange:
    """A new booking, by a member (booking_made) or an organiser (booking_assigned)."""
    item, what = _booking_context(booking)
    status = BOOKING_STATUS_TEXT[booking.status.value]
    return record(item.visit, actor, ChangeArea.BOOKINGS, action,
                  f"{what} in “{item.title}”: {booking.title} ({status.lower()})", item=item,
                  details={"booking": {"old": "", "new": f"{booking.title} ({status})"}})


BOOKING_FIELDS = {
    "title": ("title", text),
    "description": ("description", text),
    "format": ("format", text),
    "equipment": ("equipment", text),
    "people": ("people", lambda v: text((v or "").replace("\n", ", "))),
}


def booking_edited(actor: User, booking: ShowcaseBooking) -> VisitChange | None:
    details = changed(booking, BOOKING_FIELDS)
    if not details:
        return None
    item, what = _booking_context(booking)
    return record(item.visit, actor, ChangeArea.BOOKINGS, "booking_edited",
                  f"Changed {what}: {listed(details)}", item=item, details=details)


def booking_moved(actor: User, booking: ShowcaseBooking) -> VisitChange:
    """After the booking's slot_id is set, before it is flushed."""
    with db.session.no_autoflush:
        old = db.session.get(ShowcaseSlot, old_value(booking, "slot_id"))
        new = db.session.get(ShowcaseSlot, booking.slot_id)
        item = new.showcase.item
        visit = item.visit
        name = booking.business.name
    details = {"slot": {"old": when(old.starts_at, old.ends_at, visit),
                        "new": when(new.starts_at, new.ends_at, visit)}}
    return record(visit, actor, ChangeArea.BOOKINGS, "booking_moved",
                  f"Moved {possessive(name)} booking in “{item.title}”", item=item, details=details)


def booking_status(actor: User, booking: ShowcaseBooking) -> VisitChange | None:
    """After the status is set: approved, declined (organiser) or cancelled."""
    details = changed(booking, {"status": ("status",
                                            lambda v: BOOKING_STATUS_TEXT[str(v)])})
    if not details:
        return None
    item, what = _booking_context(booking)
    verb = details["status"]["new"].lower()
    return record(item.visit, actor, ChangeArea.BOOKINGS, f"booking_{booking.status.value}",
                  f"{what} in “{item.title}”: {verb}", item=item, details=details)
