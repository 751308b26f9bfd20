"""Calendar feeds: which events each person's calendar holds, built in a fixed number
of queries, with a strong ETag and Last-Modified for conditional GETs."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from eventsapp.exports import ical
from eventsapp.exports.agenda_events import booking_event, item_event
from eventsapp.extensions import db
from eventsapp.models import (
    AgendaItem,
    BookingStatus,
    Registration,
    RegistrationStatus,
    Showcase,
    ShowcaseBooking,
    ShowcaseSlot,
    SignupStatus,
    User,
    Visit,
    VisitStatus,
    utcnow,
)
from eventsapp.services import registration as registration_service
from eventsapp.services import tokens
from eventsapp.services.errors import NotFound
from eventsapp.services.tx import begin_write
from eventsapp.services.users import ensure_feed_token
from eventsapp.services.visits import is_slug
from eventsapp.timezones import to_local

REFRESH = timedelta(hours=1)


@dataclass(frozen=True)
class Feed:
    body: bytes
    etag: str  # strong, quoted, from the body
    last_modified: datetime | None
    filename: str
    private: bool


def _feed(calendar: ical.Calendar, filename: str, private: bool) -> Feed:
    body = ical.build(calendar)
    etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
    return Feed(body, etag, ical.last_modified(calendar), filename, private)


# --- loading --------------------------------------------------------------------------------


def _visit_with_agenda(*conditions) -> list[Visit]:
    return list(db.session.scalars(
        select(Visit).where(*conditions).options(
            selectinload(Visit.items).joinedload(AgendaItem.venue),
        )
    ).unique())


def _approved_bookings(visit_ids: list[int]) -> dict[int, list[ShowcaseBooking]]:
    """Approved bookings by showcase item id."""
    if not visit_ids:
        return {}
    rows = db.session.scalars(
        select(ShowcaseBooking)
        .join(ShowcaseBooking.slot)
        .where(ShowcaseBooking.visit_id.in_(visit_ids),
               ShowcaseBooking.status == BookingStatus.APPROVED)
        .options(joinedload(ShowcaseBooking.business),
                 joinedload(ShowcaseBooking.slot).joinedload(ShowcaseSlot.showcase))
        .order_by(ShowcaseSlot.starts_at, ShowcaseBooking.id)
    ).all()
    grouped: dict[int, list[ShowcaseBooking]] = {}
    for booking in rows:
        grouped.setdefault(booking.slot.showcase.item_id, []).append(booking)
    return grouped


def feed_items(visit: Visit, now: datetime) -> list[AgendaItem]:
    """Live items, plus deleted items' tombstones until the visit has ended (so that
    subscribed calendars receive them as cancelled), in time order."""
    ended = to_local(now, visit.zone).date() > visit.end_date
    return [i for i in visit.items if i.deleted_at is None or not ended]


def _agenda_events(visit: Visit, base_url: str, bookings: dict[int, list[ShowcaseBooking]],
                   now: datetime, status: str | None = None) -> list[ical.Event]:
    events = []
    for item in feed_items(visit, now):
        events.append(item_event(item, visit, base_url, status))
        for booking in bookings.get(item.id, []):
            events.append(booking_event(booking, item, visit, base_url))
    return events


# --- public feeds ----------------------------------------------------------------------------


def _public_visit(slug: str) -> Visit:
    if not is_slug(slug):  # PostgreSQL refuses some strings outright (a NUL from %00)
        raise NotFound("No such visit.")
    visits = _visit_with_agenda(Visit.slug == slug, Visit.status != VisitStatus.DRAFT)
    if not visits:
        raise NotFound("No such visit.")
    return visits[0]


def visit_feed(slug: str, base_url: str, now: datetime | None = None) -> Feed:
    """Every item of a published (or cancelled) visit and each approved showcase booking."""
    now = now or utcnow()
    visit = _public_visit(slug)
    events = _agenda_events(visit, base_url, _approved_bookings([visit.id]), now)
    calendar = ical.Calendar(
        name=visit.title, timezone=visit.timezone, events=events, refresh=REFRESH,
        description=f"{visit.title}: {visit.city}, hosted by {visit.host}",
    )
    return _feed(calendar, f"{visit.slug}.ics", private=False)


def item_feed(slug: str, item_id: int, base_url: str) -> Feed:
    visit = _public_visit(slug)
    item = next((i for i in visit.items if i.id == item_id and i.deleted_at is None), None)
    if item is None:
        raise NotFound("No such agenda item.")
    events = [item_event(item, visit, base_url)]
    for booking in _approved_bookings([visit.id]).get(item.id, []):
        events.append(booking_event(booking, item, visit, base_url))
    calendar = ical.Calendar(name=f"{item.title} · {visit.title}", timezone=visit.timezone,
                             events=events, refresh=REFRESH)
    return _feed(calendar, f"{visit.slug}-item-{item.id}.ics", private=False)


# --- personal feeds ----------------------------------------------------------------------------


def attendee_events(registration: Registration, base_url: str,
                    now: datetime | None = None) -> ical.Calendar:
    """The items an attendee attends: every item without a capacity and those with a
    capacity they signed up for. Waiting (for the visit or an item) or awaiting
    approval: TENTATIVE. A cancelled registration: everything CANCELLED, so
    subscribed calendars drop it."""
    now = now or utcnow()
    visit = _visit_with_agenda(Visit.id == registration.visit_id)[0]
    signups = {s.item_id: s.status for s in registration.signups
               if s.status is not SignupStatus.CANCELLED}
    if registration.status is RegistrationStatus.CANCELLED or visit.status is VisitStatus.DRAFT:
        base_status = "CANCELLED"
    elif registration.status is RegistrationStatus.CONFIRMED:
        base_status = "CONFIRMED"
    else:
        base_status = "TENTATIVE"
    bookings = _approved_bookings([visit.id])
    events = []
    for item in feed_items(visit, now):
        if item.capacity is None:
            status = base_status
        elif item.id in signups:
            waiting = signups[item.id] is SignupStatus.WAITLISTED
            status = "TENTATIVE" if waiting and base_status == "CONFIRMED" else base_status
        else:
            continue
        events.append(item_event(item, visit, base_url, status))
        for booking in bookings.get(item.id, []):
            events.append(booking_event(booking, item, visit, base_url))
    return ical.Calendar(name=f"{visit.title} (my agenda)", timezone=visit.timezone,
                         events=events, refresh=REFRESH)


def attendee_feed(token: str, base_url: str, now: datetime | None = None) -> Feed:
    registration = registration_service.registration_for_feed_token(token)
    calendar = attendee_events(registration, base_url, now)
    return _feed(calendar, "my-agenda.ics", private=True)


def _user_for_feed_token(token: str) -> User:
    if not tokens.looks_valid(token):
        raise NotFound("No such feed.")
    user = db.session.scalar(select(User).where(User.feed_token_hash == tokens.digest(token)))
    if user is None or not user.active:
        raise NotFound("No such feed.")
    return user


def member_calendar(user: User, base_url: str, now: datetime | None = None) -> ical.Calendar:
    """A member's showcase bookings (pending ones TENTATIVE, cancelled or declined ones
    CANCELLED) plus the agenda of each visit they have booked for."""
    now = now or utcnow()
    bookings = db.session.scalars(
        select(ShowcaseBooking)
        .where(ShowcaseBooking.business_id == user.business_id)
        .options(joinedload(ShowcaseBooking.business),
                 joinedload(ShowcaseBooking.slot).joinedload(ShowcaseSlot.showcase)
                 .joinedload(Showcase.item))
        .order_by(ShowcaseBooking.id)
    ).all() if user.business_id else []
    visit_ids = sorted({b.visit_id for b in bookings if b.is_active})
    visits = {v.id: v for v in _visit_with_agenda(
        Visit.id.in_(visit_ids), Visit.status != VisitStatus.DRAFT)} if visit_ids else {}
    events = []
    for visit in sorted(visits.values(), key=lambda v: (v.start_date, v.id)):
        events += [item_event(i, visit, base_url) for i in feed_items(visit, now)]
    for booking in bookings:
        item = booking.slot.showcase.item
        visit = visits.get(booking.visit_id) or item.visit
        if visit.status is VisitStatus.DRAFT:
            continue
        events.append(booking_event(booking, item, visit, base_url))
    zone = next(iter(visits.values())).timezone if visits else "Europe/London"
    return ical.Calendar(name="My showcases", timezone=zone, events=events, refresh=REFRESH)


def organiser_calendar(user: User, base_url: str, now: datetime | None = None
                       ) -> ical.Calendar:
    """Every visit the organiser runs, drafts included (as TENTATIVE)."""
    now = now or utcnow()
    visits = _visit_with_agenda(Visit.organisers.any(User.id == user.id))
    bookings = _approved_bookings([v.id for v in visits])
    events = []
    for visit in sorted(visits, key=lambda v: (v.start_date, v.id)):
        status = "TENTATIVE" if visit.status is VisitStatus.DRAFT else None
        events += _agenda_events(visit, base_url, bookings, now, status)
    zone = visits[0].timezone if visits else "Europe/London"
    return ical.Calendar(name="Visits I organise", timezone=zone, events=events,
                         refresh=REFRESH)


def user_feed(token: str, base_url: str, now: datetime | None = None) -> Feed:
    user = _user_for_feed_token(token)
    if user.is_organiser:
        return _feed(organiser_calendar(user, base_url, now), "my-visits.ics", private=True)
    return _feed(member_calendar(user, base_url, now), "my-showcases.ics", private=True)


def personal_feed(token: str, base_url: str, now: datetime | None = None) -> Feed:
    """/feeds/<token>.ics: an attendee's, a member's or an organiser's feed."""
    try:
        return attendee_feed(token, base_url, now)
    except NotFound:
        return user_feed(token, base_url, now)


# --- feed links and resets ------------------------------------------------------------------


def reset_attendee_feed(manage_token: str) -> Registration:
    """A new feed link for the attendee; the old one answers 404 from now on."""
    begin_write()
    registration = registration_service.registration_for_token(manage_token)
    registration.feed_generation += 1
    registration.feed_token_hash = tokens.digest(tokens.make(
        tokens.FEED, registration.token_nonce, registration.feed_generation))
    db.session.commit()
    return registration


def reset_user_feed(actor: User) -> User:
    begin_write()
    user = db.session.get(User, actor.id)
    if user.token_nonce is None:
        ensure_feed_token(user)
    else:
        user.feed_generation += 1
        user.feed_token_hash = tokens.digest(
            tokens.make(tokens.FEED, user.token_nonce, user.feed_generation))
    db.session.commit()
    return user


def ensure_user_feed(actor: User) -> User:
    """Make sure a user has a feed link (older accounts may not)."""
    if actor.token_nonce is not None:
        return actor
    begin_write()
    user = db.session.get(User, actor.id)
    ensure_feed_token(user)
    db.session.commit()
    return user


# --- calendars attached to emails ------------------------------------------------------------

ATTACHMENT_TYPE = "text/calendar; method=PUBLISH; charset=utf-8"


def attachment(calendar: ical.Calendar, filename: str) -> dict[str, str]:
    """An outbox attachment (services.outbox.build_email makes it a MIME part)."""
    return {"filename": filename, "content_type": ATTACHMENT_TYPE,
            "content": ical.build(calendar).decode("utf-8")}


def booking_calendar(booking: ShowcaseBooking, base_url: str) -> ical.Calendar:
    """A member's booking with the showcase item it belongs to: the same UIDs and
    SEQUENCEs as in their feed, so importing it twice never makes duplicates."""
    item = booking.slot.showcase.item
    visit = item.visit
    events = [item_event(item, visit, base_url),
              booking_event(booking, item, visit, base_url)]
    return ical.Calendar(name=f"{booking.title} · {visit.title}", timezone=visit.timezone,
                         events=events, refresh=REFRESH)


def agenda_json(slug: str, base_url: str) -> dict:
    """The public agenda as a JSON-ready document (approved showcase bookings included)."""
    from eventsapp.exports.agenda_json import agenda_document

    visit = _public_visit(slug)
    return agenda_document(visit, visit.items, _approved_bookings([visit.id]), base_url)
