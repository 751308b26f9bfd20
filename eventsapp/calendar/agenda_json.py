"""The agenda as JSON (pure: models in, a JSON-ready dict out)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from eventsapp.calendar.events import item_status

if TYPE_CHECKING:
    from eventsapp.agenda.models import AgendaItem
    from eventsapp.showcase.models import ShowcaseBooking
    from eventsapp.visits.models import Venue, Visit


def _local_iso(instant, zone) -> str:
    return instant.astimezone(zone).isoformat()


def _venue(venue: Venue | None) -> dict[str, Any] | None:
    if venue is None:
        return None
    return {
        "id": venue.id,
        "name": venue.name,
        "address": venue.address,
        "latitude": venue.latitude,
        "longitude": venue.longitude,
        "access_notes": venue.access_notes,
    }


def agenda_document(visit: Visit, items: Sequence[AgendaItem],
                    bookings: Mapping[int, Sequence[ShowcaseBooking]], base_url: str
                    ) -> dict[str, Any]:
    """{visit, days: [{date, items: [...]}]} with local ISO 8601 times and offsets."""
    zone = visit.zone
    days: dict[str, list[dict[str, Any]]] = {day.isoformat(): [] for day in visit.days}
    for item in items:
        if item.deleted_at is not None:
            continue
        local_day = item.starts_at.astimezone(zone).date().isoformat()
        days.setdefault(local_day, []).append({
            "id": item.id,
            "uid": item.uid,
            "sequence": item.sequence,
            "kind": item.kind.value,
            "title": item.title,
            "description": item.description,
            "hosts": item.host_names,
            "starts_at": _local_iso(item.starts_at, zone),
            "ends_at": _local_iso(item.ends_at, zone),
            "status": item_status(item, visit).lower(),
            "capacity": item.capacity,
            "venue": _venue(item.venue),
            "url": f"{base_url}/visits/{visit.slug}/#item-{item.id}",
            "calendar_url": f"{base_url}/visits/{visit.slug}/items/{item.id}.ics",
            "showcase_bookings": [
                {
                    "uid": b.uid,
                    "member": b.business.name,
                    "title": b.title,
                    "format": b.format.value,
                    "starts_at": _local_iso(b.slot.starts_at, zone),
                    "ends_at": _local_iso(b.slot.ends_at, zone),
                }
                for b in bookings.get(item.id, ())
            ],
        })
    return {
        "visit": {
            "slug": visit.slug,
            "title": visit.title,
            "host": visit.host,
            "city": visit.city,
            "timezone": visit.timezone,
            "start_date": visit.start_date.isoformat(),
            "end_date": visit.end_date.isoformat(),
            "status": visit.status.value,
            "summary": visit.summary,
            "url": f"{base_url}/visits/{visit.slug}/",
            "calendar_url": f"{base_url}/visits/{visit.slug}/agenda.ics",
        },
        "days": [{"date": day, "items": entries} for day, entries in sorted(days.items())],
    }
