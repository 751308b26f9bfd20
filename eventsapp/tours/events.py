"""Travel legs as calendar events (pure: models in, data out; no Flask)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from eventsapp.calendar.ical import Event, Organizer

if TYPE_CHECKING:
    from eventsapp.tours.models import Tour, TravelLeg


def leg_event(leg: TravelLeg, tour: Tour, base_url: str,
              organizer: Organizer | None = None) -> Event:
    lines = [f"{leg.mode.label} from {leg.departs_from} to {leg.arrives_at_place}, "
             f"part of {tour.title}."]
    if leg.notes:
        lines.append(leg.notes)
    if leg.seats is not None:
        lines.append(f"Coach booked: {leg.seats} seats.")
    return Event(
        uid=leg.uid,
        sequence=leg.sequence,
        summary=leg.title,
        starts=leg.departs_at,
        ends=leg.arrives_at,
        tzid=leg.timezone,
        created=leg.created_at,
        last_modified=leg.updated_at,
        status="CANCELLED" if leg.deleted_at is not None else "CONFIRMED",
        description="\n\n".join(lines),
        location=leg.departs_from,
        url=f"{base_url}/tours/{tour.slug}/#leg-{leg.id}",
        categories=("Travel",),
        organizer=organizer,
    )


def cancelled(event: Event, since: datetime) -> Event:
    """The event as a tombstone: CANCELLED with a raised SEQUENCE (once, however often
    it is asked for), so subscribed calendars drop it."""
    if event.status == "CANCELLED":
        return event
    return replace(event, status="CANCELLED", sequence=event.sequence + 1,
                   last_modified=max(event.last_modified, since))


def personal(event: Event, status: str, sequence: int, changed_at: datetime | None) -> Event:
    """The event in one delegate's feed: ``status`` (TENTATIVE while waiting, CANCELLED
    once they left) unless it is cancelled anyway; their own changes raise SEQUENCE."""
    wanted = event.status
    if status == "CANCELLED" or (status == "TENTATIVE" and wanted == "CONFIRMED"):
        wanted = status
    last = event.last_modified if changed_at is None else max(event.last_modified, changed_at)
    return replace(event, status=wanted, sequence=event.sequence + sequence, last_modified=last)
