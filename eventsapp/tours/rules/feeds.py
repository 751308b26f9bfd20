"""The tour's calendars: every published visit's agenda and the travel legs in one
feed, under the same sync rules as a visit's (stable UIDs, SEQUENCE, tombstones, a
body that changes only with its content, so ETags and 304s work).

Each is built once per content version (eventsapp.cache): its key holds the tour's own
version (its row, its convenor's name and address, its stops in order and its legs,
read fresh on every request) and each stop visit's stamp (Visit.content_version), so a
change committed by any worker is seen at the next request and nothing is invalidated
by hand."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from eventsapp.accounts import tokens
from eventsapp.cache import built_once
from eventsapp.calendar import ical
from eventsapp.calendar.agenda_json import agenda_document
from eventsapp.calendar.feeds import REFRESH, Document, Feed, visit_events
from eventsapp.dbtypes import utcnow
from eventsapp.errors import NotFound
from eventsapp.extensions import db
from eventsapp.registration.models import RegistrationStatus
from eventsapp.showcase.rules import lineups
from eventsapp.tours.events import cancelled, leg_event, personal
from eventsapp.tours.models import Tour, TourRegistration, TourStop
from eventsapp.tours.rules.reading import legs_of, public_tour
from eventsapp.tours.rules.registering import live_registrations
from eventsapp.visits.models import VisitStatus
from eventsapp.visits.stamps import stamp_by_id


def _organizer(tour: Tour) -> ical.Organizer:
    name = tour.organisation.name if tour.organisation else tour.title
    email = (tour.organisation.contact_email if tour.organisation else "") or \
        current_app.config["MAIL_FROM"]
    return ical.Organizer(name, email)


def _ever_public(stop: TourStop) -> bool:
    return stop.visit.first_published_at is not None


def _visit_events(stop: TourStop, base_url: str, now: datetime) -> list[ical.Event]:
    """The visit's public events (cached per content version by the calendar package);
    all cancelled once the visit left the tour or went back to draft."""
    events = visit_events(stamp_by_id(stop.visit_id, now), base_url, now)
    found = [e for item in events.items for e in (item.event, *item.bookings)]
    if stop.removed_at is not None or stop.visit.status is VisitStatus.DRAFT:
        since = stop.removed_at or stop.visit.updated_at
        found = [cancelled(e, since) for e in found]
    return found


def _calendar(tour: Tour, name: str, events: list[ical.Event]) -> ical.Calendar:
    zone = next((s.visit.timezone for s in tour.live_stops), "Europe/London")
    return ical.Calendar(name=name, timezone=zone, events=events, refresh=REFRESH,
                         description=tour.summary or tour.title)


def _etag(body: bytes) -> str:
    """Strong and quoted, from the bytes (identical data gives identical bytes)."""
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def _feed(calendar: ical.Calendar, filename: str, private: bool) -> Feed:
    body = ical.build(calendar)
    return Feed(body, _etag(body), ical.last_modified(calendar), filename, private)


def _version(tour: Tour, now: datetime) -> tuple[str]:
    """The tour's own version and its visits' content versions, as one digest. The tour
    has no counter of its own: its few rows are read whole (they are read to build the
    feed anyway), each leg's SEQUENCE and stamps included."""
    convenor = tour.organisation
    parts = (
        tour.id, tour.created_at, tour.updated_at, tour.title, tour.summary,
        (convenor.id, convenor.updated_at) if convenor else None,
        [(s.id, s.visit_id, s.position, s.removed_at) for s in tour.stops],
        [(leg.id, leg.sequence, leg.updated_at, leg.deleted_at) for leg in tour.legs],
        [stamp_by_id(s.visit_id, now).key for s in tour.stops],
    )
    return (hashlib.sha256(repr(parts).encode()).hexdigest(),)


def tour_feed(slug: str, base_url: str, now: datetime | None = None) -> Feed:
    """The tour's public calendar, built once per content version."""
    now = now or utcnow()
    tour = public_tour(slug)
    return built_once(("tour.ics", tour.id, base_url), _version(tour, now),
                      lambda: _tour_feed(tour, base_url, now))


def _tour_feed(tour: Tour, base_url: str, now: datetime) -> Feed:
    events: list[ical.Event] = []
    for stop in sorted(tour.stops, key=lambda s: (s.position, s.id)):
        if _ever_public(stop):
            events += _visit_events(stop, base_url, now)
    who = _organizer(tour)
    events += [leg_event(leg, tour, base_url, who) for leg in tour.legs]
    return _feed(_calendar(tour, tour.title, events), f"{tour.slug}.ics", private=False)


def tour_json(slug: str, base_url: str, now: datetime | None = None) -> Document:
    """The tour as JSON, built once per content version."""
    tour = public_tour(slug)
    return built_once(("tour.json", tour.id, base_url), _version(tour, now or utcnow()),
                      lambda: _tour_json(tour, base_url))


def _tour_json(tour: Tour, base_url: str) -> Document:
    visits = [s.visit for s in tour.live_stops if s.visit.status is not VisitStatus.DRAFT]
    bookings = lineups.bookings_by_item([v.id for v in visits])
    document = {
        "tour": {"slug": tour.slug, "title": tour.title, "summary": tour.summary,
                 "convenor": tour.organisation.name if tour.organisation else "",
                 "url": f"{base_url}/tours/{tour.slug}/",
                 "calendar_url": f"{base_url}/tours/{tour.slug}/agenda.ics"},
        "visits": [agenda_document(v, v.items, bookings, base_url) for v in visits],
        "legs": [{
            "id": leg.id, "uid": leg.uid, "sequence": leg.sequence, "mode": leg.mode.value,
            "departs_from": leg.departs_from, "arrives_at_place": leg.arrives_at_place,
            "departs_at": leg.departs_at.astimezone(leg.zone).isoformat(),
            "arrives_at": leg.arrives_at.astimezone(leg.zone).isoformat(),
            "timezone": leg.timezone, "notes": leg.notes, "seats": leg.seats,
            "status": "cancelled" if leg.deleted_at else "confirmed",
            "from_visit": leg.from_visit.slug if leg.from_visit else None,
            "to_visit": leg.to_visit.slug if leg.to_visit else None,
        } for leg in tour.legs],
    }
    body = json.dumps(document, ensure_ascii=False, indent=2).encode()
    return Document(body, _etag(body))


# --- the delegate's own feed -----------------------------------------------------------------

_STATUS = {RegistrationStatus.CONFIRMED: "CONFIRMED", RegistrationStatus.WAITLISTED: "TENTATIVE",
           RegistrationStatus.PENDING_APPROVAL: "TENTATIVE",
           RegistrationStatus.CANCELLED: "CANCELLED"}


def personal_feed(token: str, base_url: str, now: datetime | None = None) -> Feed:
    """Every visit and leg the delegate joined; those they left stay, cancelled, so
    their calendar drops them."""
    now = now or utcnow()
    if not tokens.looks_valid(token):
        raise NotFound("No such feed.")
    delegate = db.session.scalar(select(TourRegistration).where(
        TourRegistration.feed_token_hash == tokens.digest(token)))
    if delegate is None:
        raise NotFound("No such feed.")
    # What only this delegate's feed shows: their visits' and legs' statuses.
    own = (delegate.status, delegate.updated_at, delegate.feed_sequence,
           [(r.id, r.visit_id, r.status, r.updated_at) for r in delegate.registrations],
           [leg.id for leg in delegate.legs])
    stamp = (*_version(delegate.tour, now), hashlib.sha256(repr(own).encode()).hexdigest())
    return built_once(("tour-feed", delegate.id, base_url), stamp,
                      lambda: _personal_feed(delegate, base_url, now))


def _personal_feed(delegate: TourRegistration, base_url: str, now: datetime) -> Feed:
    tour = delegate.tour
    live = live_registrations(delegate) if delegate.is_live else {}
    every = {r.visit_id: r for r in sorted(delegate.registrations, key=lambda r: r.id)}
    events: list[ical.Event] = []
    stops = {s.visit_id: s for s in tour.stops}
    for visit_id, registration in every.items():
        stop = stops.get(visit_id)
        if stop is None or not _ever_public(stop):
            continue
        status = _STATUS[live[visit_id].status] if visit_id in live else "CANCELLED"
        changed = max(registration.updated_at, delegate.updated_at)
        events += [personal(e, status, delegate.feed_sequence, changed)
                   for e in _visit_events(stop, base_url, now)]
    confirmed = {v for v, r in live.items() if r.status is RegistrationStatus.CONFIRMED}
    travelling = legs_of(delegate, confirmed) if delegate.is_live else []
    who = _organizer(tour)
    for leg in tour.legs:
        if leg in travelling or leg in delegate.legs:
            status = "CONFIRMED" if leg in travelling else "CANCELLED"
            events.append(personal(leg_event(leg, tour, base_url, who), status,
                                   delegate.feed_sequence, delegate.updated_at))
    return _feed(_calendar(tour, f"{tour.title} (my tour)", events),
                 f"{tour.slug}-my-tour.ics", private=True)
