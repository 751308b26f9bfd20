"""Calendar feeds: which events each person's calendar holds, built in a fixed number
of queries, with a strong ETag and Last-Modified for conditional GETs.

Every event whose status changes raises its SEQUENCE and moves its DTSTAMP and
LAST-MODIFIED in every feed that holds it: items and bookings carry their own
counters; an attendee's feed adds the registration's (Registration.feed_sequence),
raised by each change of the registration's status."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from eventsapp.accounts import tokens
from eventsapp.accounts.models import User
from eventsapp.agenda.models import AgendaItem
from eventsapp.cache import built_once
from eventsapp.calendar import ical
from eventsapp.calendar.agenda_json import agenda_document
from eventsapp.calendar.events import booking_event, item_event, organizer
from eventsapp.dbtypes import utcnow
from eventsapp.errors import NotFound
from eventsapp.extensions import cache, db
from eventsapp.organisations import rules as organisations
from eventsapp.registration.models import ItemSignup, Registration, RegistrationStatus, SignupStatus
from eventsapp.registration.rules import notices as registration_notices
from eventsapp.showcase.models import BookingStatus, Showcase, ShowcaseBooking, ShowcaseSlot
from eventsapp.showcase.rules import lineups
from eventsapp.timezones import to_local
from eventsapp.visits.models import Visit, VisitStatus
from eventsapp.visits.stamps import VisitStamp, public_stamp, stamp_by_id

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
    return Feed(body, _etag(body), ical.last_modified(calendar), filename, private)


def _newest(*instants: datetime | None) -> datetime | None:
    return max((i for i in instants if i is not None), default=None)


def _organizer(visit: Visit) -> ical.Organizer:
    return organizer(visit, current_app.config["MAIL_FROM"])


# --- loading --------------------------------------------------------------------------------


def _visit_with_agenda(*conditions) -> list[Visit]:
    return list(db.session.scalars(
        select(Visit).where(*conditions).options(
            selectinload(Visit.items).joinedload(AgendaItem.venue),
        )
    ).unique())


def _approved_bookings(visit_ids: list[int]) -> dict[int, list[ShowcaseBooking]]:
    """Approved bookings by showcase item id."""
    return lineups.bookings_by_item(visit_ids)


def _feed_bookings(visit_ids: list[int]) -> dict[int, list[ShowcaseBooking]]:
    """The bookings public calendars hold, by showcase item id: approved ones, and
    those approved once and since declined or cancelled (CANCELLED, so subscribed
    calendars drop them). One never approved was never shown, so it is left out."""
    found = lineups.bookings_by_item(visit_ids, tuple(BookingStatus))
    kept = {item_id: [b for b in bookings
                      if b.status is BookingStatus.APPROVED or b.approved_at is not None]
            for item_id, bookings in found.items()}
    return {item_id: bookings for item_id, bookings in kept.items() if bookings}


def feed_items(visit: Visit, now: datetime) -> list[AgendaItem]:
    """Live items, plus deleted items' tombstones until the visit has ended (so that
    subscribed calendars receive them as cancelled), in time order."""
    ended = to_local(now, visit.zone).date() > visit.end_date
    return [i for i in visit.items if i.deleted_at is None or not ended]


def _agenda_events(visit: Visit, base_url: str, bookings: dict[int, list[ShowcaseBooking]],
                   now: datetime, status: str | None = None) -> list[ical.Event]:
    events = []
    who = _organizer(visit)
    for item in feed_items(visit, now):
        events.append(item_event(item, visit, base_url, status, who))
        for booking in bookings.get(item.id, []):
            events.append(_with_status(booking_event(booking, item, visit, base_url, who),
                                       status))
    return events


def _with_status(event: ical.Event, status: str | None, sequence: int = 0,
                 changed_at: datetime | None = None) -> ical.Event:
    """The event as a feed whose events are all ``status`` shows it (None: as it is):
    CANCELLED wins; TENTATIVE turns a confirmed event tentative. ``sequence`` and
    ``changed_at``: what the feed's own changes add to its SEQUENCE and stamps."""
    wanted = event.status
    if status == "CANCELLED" or (status == "TENTATIVE" and wanted == "CONFIRMED"):
        wanted = status
    last = event.last_modified if changed_at is None else max(event.last_modified, changed_at)
    if (wanted, sequence, last) == (event.status, 0, event.last_modified):
        return event
    return replace(event, status=wanted, sequence=event.sequence + sequence, last_modified=last)


# --- a visit's events, built once per content version -----------------------------------------


@dataclass
class ItemEvents:
    """One agenda item's event and its approved showcase bookings' events, as bytes.
    ``id`` and ``capacity`` let services.itinerary.attended_items choose among them."""

    id: int
    capacity: int | None
    title: str
    deleted: bool  # a tombstone: kept in feeds as CANCELLED, has no feed of its own
    event: ical.Event
    bookings: list[ical.Event]
    last_modified: datetime
    _by_status: dict[str | None, bytes]

    def bytes_for(self, status: str | None = None, sequence: int = 0,
                  changed_at: datetime | None = None) -> bytes:
        """The item's event and its bookings' with ``status`` (None: their own); a
        cancelled event stays cancelled whatever is asked, as agenda_events decides.
        ``sequence``/``changed_at``: a personal feed's own change (never cached)."""
        personal = sequence != 0 or changed_at is not None
        chunk = None if personal else self._by_status.get(status)
        if chunk is None:
            own = self.event.status
            wanted = own if status is None or own == "CANCELLED" else status
            event = replace(self.event, status=wanted)
            chunk = b"".join(ical.event_bytes(_with_status(e, status, sequence, changed_at))
                             for e in (event, *self.bookings))
            if not personal:
                self._by_status[status] = chunk
        return chunk


@dataclass
class VisitEvents:
    visit_id: int
    slug: str
    title: str
    timezone: str
    years: tuple[int, int]
    items: list[ItemEvents]
    feed: Feed  # the whole public agenda
    changed_at: datetime  # the visit's own last edit: its name heads every feed
    _heads: dict[str, bytes] = field(default_factory=dict)
    _runs: dict[str, list[Run]] = field(default_factory=dict)

    def head(self, name: str) -> bytes:
        """The calendar head for a feed of this visit called ``name``."""
        found = self._heads.get(name)
        if found is None:
            probe = ical.Event(uid="x", sequence=0, summary="", starts=utcnow(), ends=utcnow(),
                               tzid=self.timezone, created=utcnow(), last_modified=utcnow())
            found = ical.head(ical.Calendar(name=name, timezone=self.timezone,
                                            events=(probe,), refresh=REFRESH), self.years)
            self._heads[name] = found
        return found

    def item(self, item_id: int) -> ItemEvents | None:
        return next((i for i in self.items if i.id == item_id), None)

    def runs(self, base: str) -> list[Run]:
        """The events as an attendee whose status is ``base`` gets them: each run of
        items without a capacity (which every attendee has) as one block of bytes,
        and each item with a capacity on its own, to take or leave. Made once per
        status, so a personal feed joins a few dozen pieces, not hundreds."""
        found = self._runs.get(base)
        if found is None:
            found = []
            block: list[ItemEvents] = []
            for item in [*self.items, None]:
                if item is not None and item.capacity is None:
                    block.append(item)
                    continue
                if block:
                    found.append(Run(None, b"".join(i.bytes_for(base) for i in block),
                                     max(i.last_modified for i in block), tuple(block)))
                    block = []
                if item is not None:
                    found.append(Run(item, b"", item.last_modified))
            self._runs[base] = found
        return found


class Run(NamedTuple):
    limited: ItemEvents | None  # an item with a capacity, or None for a block
    block: bytes
    last_modified: datetime
    items: tuple[ItemEvents, ...] = ()  # a block's items


def _build_visit_events(visit_id: int, base_url: str, now: datetime) -> VisitEvents:
    visit = _visit_with_agenda(Visit.id == visit_id)[0]
    bookings = _feed_bookings([visit.id])
    who = _organizer(visit)
    items = []
    every_event = []
    for item in feed_items(visit, now):
        event = item_event(item, visit, base_url, organizer=who)
        booking_events = [booking_event(b, item, visit, base_url, who)
                          for b in bookings.get(item.id, [])]
        every_event += [event, *booking_events]
        chunk = ical.event_bytes(event)
        extra = b"".join(ical.event_bytes(e) for e in booking_events)
        items.append(ItemEvents(
            id=item.id, capacity=item.capacity, title=item.title,
            deleted=item.deleted_at is not None, event=event,
            bookings=booking_events,
            last_modified=max(e.last_modified for e in (event, *booking_events)),
            _by_status={None: chunk + extra},
        ))
    calendar = ical.Calendar(
        name=visit.title, timezone=visit.timezone, events=every_event, refresh=REFRESH,
        description=f"{visit.title}: {visit.city}, hosted by {visit.host}",
    )
    years = ical.years_of(every_event) if every_event else (now.year - 1, now.year + 1)
    body = ical.assemble(ical.head(calendar, years), (i.bytes_for() for i in items))
    feed = Feed(body, _etag(body), _newest(ical.last_modified(calendar), visit.updated_at),
                f"{visit.slug}.ics", private=False)
    return VisitEvents(visit.id, visit.slug, visit.title, visit.timezone, years, items, feed,
                       visit.updated_at)


def visit_events(stamp: VisitStamp, base_url: str, now: datetime | None = None
                 ) -> VisitEvents:
    """The visit's events, built once per content version (eventsapp.cache). Every
    event of the agenda as an object: what the feeds are built from, but slow to read
    back from a cache (a copy is unpickled), so each feed keeps its own bytes too."""
    return built_once(("calendar", stamp.visit_id, base_url), stamp.key,
                      lambda: _build_visit_events(stamp.visit_id, base_url, now or utcnow()))


def clear_cache() -> None:
    """Forget every cached calendar, JSON document and page (benchmarks' cold builds)."""
    cache.clear()


def _etag(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\x00")
    return '"' + digest.hexdigest()[:40] + '"'


def _assembled(events: VisitEvents, name: str, chosen: list[tuple[ItemEvents, str | None]],
               filename: str, private: bool) -> Feed:
    """A feed made of some of a visit's events. Its ETag comes from what it is made of
    (the visit's feed, the name and each item's status), not from hashing the body."""
    body = ical.assemble(events.head(name), (item.bytes_for(status) for item, status in chosen))
    etag = _etag(events.feed.etag, name,
                 ",".join(f"{item.id}:{status}" for item, status in chosen))
    last = _newest(events.changed_at, *(item.last_modified for item, _ in chosen))
    return Feed(body, etag, last, filename, private)


# --- public feeds ----------------------------------------------------------------------------


def visit_feed(slug: str, base_url: str, now: datetime | None = None) -> Feed:
    """Every item of a published (or cancelled) visit and each approved showcase booking."""
    stamp = public_stamp(slug, now)
    return built_once(("agenda.ics", stamp.visit_id, base_url), stamp.key,
                      lambda: visit_events(stamp, base_url, now).feed)


def item_feed(slug: str, item_id: int, base_url: str) -> Feed:
    stamp = public_stamp(slug)
    # False: no such item in this version (kept too, so asking again costs no build).
    feed = built_once(("item.ics", stamp.visit_id, item_id, base_url), stamp.key,
                      lambda: _item_feed(visit_events(stamp, base_url), item_id))
    if not feed:
        raise NotFound("No such agenda item.")
    return feed


def _item_feed(events: VisitEvents, item_id: int) -> Feed | bool:
    item = events.item(item_id)
    if item is None or item.deleted:
        return False
    return _assembled(events, f"{item.title} · {events.title}", [(item, None)],
                      f"{events.slug}-item-{item.id}.ics", private=False)


# --- personal feeds ----------------------------------------------------------------------------


# The statuses an attendee's events can have in their feed (_attendee_statuses).
ATTENDEE_STATUSES = ("CONFIRMED", "TENTATIVE", "CANCELLED")


def _my_agenda(title: str) -> str:
    return f"{title} (my agenda)"


def _attendee_statuses(status: RegistrationStatus, draft: bool
                       ) -> tuple[str, dict[SignupStatus | None, str]]:
    if status is RegistrationStatus.CANCELLED or draft:
        base = "CANCELLED"
    elif status is RegistrationStatus.CONFIRMED:
        base = "CONFIRMED"
    else:
        base = "TENTATIVE"
    waiting = "TENTATIVE" if base == "CONFIRMED" else base
    return base, {None: base, SignupStatus.CONFIRMED: base, SignupStatus.WAITLISTED: waiting}


class _Signup(NamedTuple):
    item_id: int
    status: SignupStatus


class _Attendee(NamedTuple):
    visit_id: int
    status: RegistrationStatus
    sequence: int  # Registration.feed_sequence
    changed_at: datetime | None  # Registration.feed_changed_at
    signups: list


def attendee_feed(token: str, base_url: str, now: datetime | None = None) -> Feed:
    """An attendee's feed, put together from the visit's cached events: two reads
    (the registration with its sign-ups, the visit's stamp) whatever the agenda's size."""
    if not tokens.looks_valid(token):
        raise NotFound("No such feed.")
    # The registration, its own change counter, and its sign-ups, cancelled ones too
    # (their events stay in the feed, as CANCELLED), in one read.
    rows = db.session.execute(
        select(Registration.visit_id, Registration.status, Registration.feed_sequence,
               Registration.feed_changed_at, ItemSignup.item_id, ItemSignup.status)
        .outerjoin(ItemSignup, ItemSignup.registration_id == Registration.id)
        .where(Registration.feed_token_hash == tokens.digest(token),
               Registration.erased_at.is_(None))).all()
    if not rows:
        raise NotFound("No such feed.")
    visit_id, status, sequence, changed_at = rows[0][:4]
    signups = [_Signup(item_id, signup) for *_, item_id, signup in rows if item_id is not None]
    return _attendee_feed(_Attendee(visit_id, status, sequence or 0, changed_at, signups),
                          base_url, now)


def registration_feed(registration: Registration, base_url: str, now: datetime | None = None
                      ) -> Feed:
    """The attendee's agenda from the visit's cached events (feeds and emails)."""
    return _attendee_feed(_Attendee(registration.visit_id, registration.status,
                                    registration.feed_sequence or 0,
                                    registration.feed_changed_at, registration.signups),
                          base_url, now)


class Piece(NamedTuple):
    """A piece of an attendee's feed: a block of items every attendee has (``item_id``
    None), or an item with a capacity, as bytes for each status it can have there."""
    item_id: int | None
    block: bytes
    last_modified: datetime
    by_status: dict[str, bytes]


@dataclass(frozen=True)
class AttendeePieces:
    head: bytes
    title: str
    visit_etag: str
    changed_at: datetime
    pieces: list[Piece]


def _attendee_pieces(events: VisitEvents, base: str, sequence: int = 0,
                     changed_at: datetime | None = None) -> AttendeePieces:
    """Every piece an attendee whose status is ``base`` may get, with the registration's
    own counter and stamp added to each event (when it ever changed status)."""
    personal = sequence != 0 or changed_at is not None
    pieces = []
    for run in events.runs(base):
        if run.limited is None:
            block = (b"".join(item.bytes_for(base, sequence, changed_at) for item in run.items)
                     if personal else run.block)
            pieces.append(Piece(None, block, run.last_modified, {}))
        else:
            item = run.limited
            pieces.append(Piece(item.id, b"", item.last_modified,
                                {status: item.bytes_for(status, sequence, changed_at)
                                 for status in ATTENDEE_STATUSES}))
    return AttendeePieces(events.head(_my_agenda(events.title)), events.title,
                          events.feed.etag, events.changed_at, pieces)


def _attendee_feed(attendee: _Attendee, base_url: str, now: datetime | None) -> Feed:
    """Every item without a capacity and each one with a sign-up (CANCELLED once left),
    as services.itinerary.attended_items chooses them, from pieces built once per
    version and status; when the registration changed status, its counter and stamp
    are added to each event of its pieces (built once per counter and stamp too)."""
    stamp = stamp_by_id(attendee.visit_id, now)
    base, statuses = _attendee_statuses(attendee.status, stamp.status is VisitStatus.DRAFT)
    mine: dict[int, SignupStatus] = {}
    for signup in attendee.signups:  # a live sign-up wins over a cancelled one
        if signup.item_id not in mine or signup.status is not SignupStatus.CANCELLED:
            mine[signup.item_id] = signup.status
    statuses[SignupStatus.CANCELLED] = "CANCELLED"
    sequence, changed_at = attendee.sequence, attendee.changed_at
    # The pieces follow from the visit's version, the status and the registration's
    # counter and stamp alone, so those key them (registrations sharing them share one).
    parts = built_once(("attendee feed", stamp.visit_id, base_url, base, sequence,
                        changed_at), stamp.key,
                       lambda: _attendee_pieces(visit_events(stamp, base_url, now), base,
                                                sequence, changed_at))
    pieces, last = [], _newest(parts.changed_at, changed_at)
    for piece in parts.pieces:
        if piece.item_id is None:
            pieces.append(piece.block)
        elif piece.item_id in mine:
            pieces.append(piece.by_status[statuses[mine[piece.item_id]]])
        else:
            continue
        last = _newest(last, piece.last_modified)
    body = ical.assemble(parts.head, pieces)
    # The bytes follow from the visit's events, the name, the status, the registration's
    # counter and the sign-ups.
    etag = _etag(parts.visit_etag, _my_agenda(parts.title), base, str(sequence),
                 str(changed_at),
                 ",".join(f"{item}:{signup}" for item, signup in sorted(mine.items())))
    return Feed(body, etag, last, "my-agenda.ics", private=True)


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
        who = _organizer(visit)
        events += [item_event(i, visit, base_url, organizer=who) for i in feed_items(visit, now)]
    for booking in bookings:
        item = booking.slot.showcase.item
        visit = visits.get(booking.visit_id) or item.visit
        if visit.status is VisitStatus.DRAFT:
            continue
        events.append(booking_event(booking, item, visit, base_url, _organizer(visit)))
    zone = next(iter(visits.values())).timezone if visits else "Europe/London"
    return ical.Calendar(name="My showcases", timezone=zone, events=events, refresh=REFRESH)


def organiser_calendar(user: User, base_url: str, now: datetime | None = None
                       ) -> ical.Calendar:
    """Every visit of the organiser's organisations and those they co-organise, drafts
    included (as TENTATIVE)."""
    now = now or utcnow()
    visits = _visit_with_agenda(or_(
        Visit.organisation_id.in_(organisations.readable_organisation_ids(user)),
        Visit.co_organisers.any(User.id == user.id)))
    bookings = _feed_bookings([v.id for v in visits])
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


# --- calendars attached to emails ------------------------------------------------------------

ATTACHMENT_TYPE = "text/calendar; method=PUBLISH; charset=utf-8"


def attachment(calendar: ical.Calendar | Feed, filename: str) -> dict[str, str]:
    """An outbox attachment (mail.delivery.build_email makes it a MIME part)."""
    body = calendar.body if isinstance(calendar, Feed) else ical.build(calendar)
    return {"filename": filename, "content_type": ATTACHMENT_TYPE,
            "content": body.decode("utf-8")}


def agenda_attachment(spec: dict) -> dict[str, str] | None:
    """The attendee's agenda for an email, made when it is sent (mail.attachments)."""
    registration = registration_notices.attachment_registration(spec)
    if registration is None:
        return None
    return attachment(registration_feed(registration, spec["base_url"]),
                      f"{registration.visit.slug}-my-agenda.ics")


def booking_attachment(spec: dict) -> dict[str, str] | None:
    """A member's booking for an email, made when it is sent (mail.attachments)."""
    booking = db.session.get(ShowcaseBooking, spec["booking_id"])
    if booking is None:
        return None
    return attachment(booking_calendar(booking, spec["base_url"]),
                      f"{booking.slot.showcase.item.visit.slug}-showcase-{booking.id}.ics")


def booking_calendar(booking: ShowcaseBooking, base_url: str) -> ical.Calendar:
    """A member's booking with the showcase item it belongs to: the same UIDs and
    SEQUENCEs as in their feed, so importing it twice never makes duplicates."""
    item = booking.slot.showcase.item
    visit = item.visit
    who = _organizer(visit)
    events = [item_event(item, visit, base_url, organizer=who),
              booking_event(booking, item, visit, base_url, who)]
    return ical.Calendar(name=f"{booking.title} · {visit.title}", timezone=visit.timezone,
                         events=events, refresh=REFRESH)


@dataclass(frozen=True)
class Document:
    body: bytes
    etag: str


def _build_agenda_json(visit_id: int, base_url: str) -> Document:

    visit = _visit_with_agenda(Visit.id == visit_id)[0]
    document = agenda_document(visit, visit.items, _approved_bookings([visit.id]), base_url)
    body = json.dumps(document, ensure_ascii=False, indent=2).encode()
    return Document(body, _etag(body))


def agenda_json(slug: str, base_url: str) -> Document:
    """The public agenda as JSON (approved showcase bookings included), built once per
    content version."""
    stamp = public_stamp(slug)
    return built_once(("agenda.json", stamp.visit_id, base_url), stamp.key,
                      lambda: _build_agenda_json(stamp.visit_id, base_url))
