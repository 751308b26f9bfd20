"""Agenda items and showcase bookings as calendar events (pure: models in, data out)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventsapp.calendar.ical import Event, Organizer

if TYPE_CHECKING:
    from eventsapp.agenda.models import AgendaItem
    from eventsapp.showcase.models import ShowcaseBooking
    from eventsapp.visits.models import Visit

KIND_LABELS = {
    "talk": "Talk", "panel": "Panel", "tour": "Tour", "showcase": "Showcase",
    "meal": "Meal", "break": "Break", "travel": "Travel", "networking": "Networking",
    "other": "Other",
}


def item_status(item: AgendaItem, visit: Visit) -> str:
    if item.is_cancelled or item.deleted_at is not None or visit.status.value == "cancelled":
        return "CANCELLED"
    return "CONFIRMED"


def _venue_text(item: AgendaItem) -> str:
    venue = item.venue
    if venue is None:
        return ""
    return ", ".join(part for part in (venue.name, venue.address) if part)


def organizer(visit: Visit, fallback_email: str) -> Organizer:
    """The visit's contact: its host, at the registration settings' contact address,
    or at ``fallback_email`` (the address the site's emails come from) when it has none."""
    return Organizer(visit.host, visit.contact_email or fallback_email)


def booking_status(booking: ShowcaseBooking, item: AgendaItem, visit: Visit) -> str:
    if item_status(item, visit) == "CANCELLED" or not booking.is_active:
        return "CANCELLED"
    return "CONFIRMED" if booking.status.value == "approved" else "TENTATIVE"


def item_event(item: AgendaItem, visit: Visit, base_url: str, status: str | None = None,
               organizer: Organizer | None = None) -> Event:
    """``status`` overrides the item's own (TENTATIVE for a waiting attendee, say);
    a cancelled item stays CANCELLED whatever is asked."""
    own = item_status(item, visit)
    venue = item.venue
    description = [item.description] if item.description else []
    if item.host_names:
        description.append("Hosts: " + ", ".join(item.host_names))
    if venue is not None and venue.access_notes:
        description.append(f"Access at {venue.name}: {venue.access_notes}")
    description.append(f"{visit.title}, hosted by {visit.host}")
    last_change = max(item.updated_at, venue.updated_at) if venue else item.updated_at
    return Event(
        uid=item.uid,
        sequence=item.sequence,
        summary=item.title,
        starts=item.starts_at,
        ends=item.ends_at,
        tzid=visit.timezone,
        created=item.created_at,
        last_modified=last_change,
        status=own if own == "CANCELLED" or status is None else status,
        description="\n\n".join(description),
        location=_venue_text(item),
        geo=(venue.latitude, venue.longitude) if venue and venue.has_coordinates else None,
        url=f"{base_url}/visits/{visit.slug}/#item-{item.id}",
        categories=(KIND_LABELS.get(item.kind.value, "Other"),),
        organizer=organizer,
    )


def booking_event(booking: ShowcaseBooking, item: AgendaItem, visit: Visit, base_url: str,
                  organizer: Organizer | None = None) -> Event:
    """A member's showcase slot, inside its showcase item. It moves with the item and
    with the venue it takes place at (an address change is seen in both)."""
    status = booking_status(booking, item, visit)
    slot = booking.slot
    lines = [booking.description] if booking.description else []
    lines.append(f"{booking.business.name} presents ({booking.format.value}) during "
                 f"“{item.title}”.")
    if booking.people_names:
        lines.append("Presenting: " + ", ".join(booking.people_names))
    venue = item.venue
    return Event(
        uid=booking.uid,
        sequence=booking.sequence + item.sequence,
        summary=f"Showcase: {booking.business.name} – {booking.title}",
        starts=slot.starts_at,
        ends=slot.ends_at,
        tzid=visit.timezone,
        created=booking.created_at,
        last_modified=max(booking.updated_at, item.updated_at,
                          *((venue.updated_at,) if venue is not None else ())),
        status=status,
        description="\n\n".join(lines),
        location=_venue_text(item),
        geo=(venue.latitude, venue.longitude) if venue and venue.has_coordinates else None,
        url=f"{base_url}/visits/{visit.slug}/#item-{item.id}",
        categories=("Showcase",),
        organizer=organizer,
    )
