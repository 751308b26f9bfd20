"""Change notices: one digest email per person for a visit's pending changes.

A visit's pending changes (services.changelog, ``notice = pending``) are due once the
newest of them is older than the quiet period (NOTICE_QUIET_MINUTES), so a burst of
edits goes out as one email. Each person affected gets ONE email per address
listing every change that concerns them, net of edits (exports.change_digest):

- a change of an item concerns the live registrations (confirmed, waitlisted or
  awaiting approval: the same people whose calendar feed holds the item) of an item
  without a capacity, the live registrations with a live sign-up (confirmed or
  waitlisted) for an item with one, and the active people of member businesses with
  an active booking (pending or approved) in the item;
- the visit's cancellation concerns every live registration and every member with
  an active booking in the visit;
- nobody is told of a change made before they registered, signed up or booked: what
  they saw then already had it.

Sending marks the rows sent (or not needed, when nothing is left to tell) and queues
the emails in one transaction that holds the visit's row lock (BEGIN IMMEDIATE on
SQLite), re-reading the pending rows inside it: two workers never send one change
twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from eventsapp.accounts.models import User
from eventsapp.changes import digest as change_digest
from eventsapp.changes.digest import Change
from eventsapp.db import write
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.locks import lock
from eventsapp.mail import outbox as mail
from eventsapp.paging import paginate
from eventsapp.registration.models import Registration, RegistrationStatus, SignupStatus
from eventsapp.registration.rules import notices
from eventsapp.showcase.models import BookingStatus, ShowcaseBooking, ShowcaseSlot
from eventsapp.visits import changelog as changes_log
from eventsapp.visits.models import ChangeArea, NoticeState, Visit, VisitChange, VisitStatus
from eventsapp.visits.rules import organiser_visit
from eventsapp.web.urls import absolute

LIVE_SIGNUP = (SignupStatus.CONFIRMED, SignupStatus.WAITLISTED)
ACTIVE_BOOKING = (BookingStatus.PENDING, BookingStatus.APPROVED)


@dataclass(frozen=True)
class Digest:
    to: str
    subject: str
    body: str


@dataclass
class SendResult:
    visits: int = 0
    emails: int = 0
    changes: int = 0  # rows marked sent or not needed


def quiet_period() -> timedelta:
    return timedelta(minutes=current_app.config.get("NOTICE_QUIET_MINUTES", 10))


# --- sending -----------------------------------------------------------------------------


def send_due(now: datetime | None = None) -> SendResult:
    """Send the digest of every visit whose newest pending change is older than the
    quiet period. Safe to run in several workers at once."""
    now = now or utcnow()
    cutoff = now - quiet_period()
    visit_ids = db.session.scalars(
        select(VisitChange.visit_id)
        .where(VisitChange.notice == NoticeState.PENDING)
        .group_by(VisitChange.visit_id)
        .having(func.max(VisitChange.created_at) <= cutoff)
        .order_by(VisitChange.visit_id)
    ).all()
    result = SendResult()
    for visit_id in visit_ids:
        with write():
            _add(result, _send_locked(visit_id, now, due_before=cutoff))
    return result


def notify_now(actor: User, slug: str) -> SendResult:
    """Send a visit's pending changes at once, without waiting for the quiet period."""
    with write():
        visit = organiser_visit(actor, slug)
        result = _send_locked(visit.id, utcnow(), due_before=None)
    return result


def _add(total: SendResult, one: SendResult) -> None:
    total.visits += one.visits
    total.emails += one.emails
    total.changes += one.changes


def _send_locked(visit_id: int, now: datetime, due_before: datetime | None) -> SendResult:
    """Inside a write transaction: lock the visit, re-read its pending changes, queue
    the digests, mark the changes (the caller's ``with write():`` commits)."""
    visit = lock(Visit, visit_id)
    rows = _pending(visit_id) if visit is not None else []
    if not rows or (due_before is not None and rows[-1].created_at > due_before):
        return SendResult()  # sent by another worker meanwhile, or edited again
    digests, told = _digests(visit, rows)
    for person in digests:
        mail.queue(person.email, "mail/change_digest.html", topic=f"changes:{visit.id}",
                   **person.context(visit))
    for row in rows:
        row.notice = NoticeState.SENT if row.id in told else NoticeState.NOT_NEEDED
        row.notified_at = now if row.id in told else None
    return SendResult(visits=1, emails=len(digests), changes=len(rows))


def _pending(visit_id: int) -> list[VisitChange]:
    return list(db.session.scalars(
        select(VisitChange)
        .where(VisitChange.visit_id == visit_id, VisitChange.notice == NoticeState.PENDING)
        .options(joinedload(VisitChange.item))
        .order_by(VisitChange.created_at, VisitChange.id)
        .execution_options(populate_existing=True)
    ))


# --- who is told what --------------------------------------------------------------------


@dataclass
class _Person:
    email: str
    name: str
    registration: Registration | None = None
    member: User | None = None
    changes: list[Change] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    cancelled: bool = False

    def context(self, visit: Visit, private_links: bool = True) -> dict:
        manage_url = None
        if self.registration is not None:
            manage_url = (notices.manage_url(self.registration) if private_links
                          else notices.PRIVATE_LINK_SHOWN)
        return dict(
            visit=visit, name=self.name, lines=self.lines, cancelled=self.cancelled,
            manage_url=manage_url, member_url=absolute("/member/") if self.member else None,
        )


def _digests(visit: Visit, rows: list[VisitChange]) -> tuple[list[_Person], set[int]]:
    """The people to email, each with their lines, and the ids of the changes told."""
    registrations = list(db.session.scalars(
        select(Registration)
        .where(Registration.visit_id == visit.id,
               Registration.status != RegistrationStatus.CANCELLED,
               Registration.email.is_not(None))
        .options(selectinload(Registration.signups))
        .order_by(Registration.id)
    ))
    bookings = list(db.session.scalars(
        select(ShowcaseBooking)
        .where(ShowcaseBooking.visit_id == visit.id, ShowcaseBooking.status.in_(ACTIVE_BOOKING))
        .options(joinedload(ShowcaseBooking.slot).joinedload(ShowcaseSlot.showcase),
                 joinedload(ShowcaseBooking.business))
        .order_by(ShowcaseBooking.id)
    ))
    people: dict[str, _Person] = {}

    def person(email: str, name: str) -> _Person:
        return people.setdefault(email.casefold(), _Person(email, name or email))

    positions = {item.id: n for n, item in enumerate(visit.items)}
    for row in rows:
        if row.action == "visit_cancelled" and visit.status is not VisitStatus.CANCELLED:
            continue  # published again before anyone was told
        item = row.item
        if row.action != "visit_cancelled" and item is None:
            continue
        concerned: dict[str, _Person] = {}
        for registration in registrations:
            if _attends(registration, row):
                p = person(registration.email, registration.full_name)
                p.registration = registration
                concerned[p.email.casefold()] = p
        for booking in bookings:
            if booking.created_at > row.created_at or (
                    item is not None and booking.slot.showcase.item_id != item.id):
                continue
            for user in booking.business.people:
                if user.active:
                    p = person(user.email, user.name)
                    p.member = user
                    concerned[p.email.casefold()] = p
        change = _change(visit, row, positions)
        for p in concerned.values():
            p.changes.append(change)
    told: set[int] = set()
    digests = []
    for p in people.values():
        p.lines, ids = change_digest.digest_lines(p.changes)
        if p.lines:
            p.cancelled = change_digest.is_cancellation(p.changes)
            digests.append(p)
            told |= ids
    return digests, told


def _attends(registration: Registration, row: VisitChange) -> bool:
    if registration.created_at > row.created_at:
        return False
    item = row.item
    if row.action == "visit_cancelled" or item.capacity is None:
        return True
    return any(s.item_id == item.id and s.status in LIVE_SIGNUP
               and s.created_at <= row.created_at for s in registration.signups)


def _change(visit: Visit, row: VisitChange, positions: dict[int, int]) -> Change:
    item = row.item
    if item is None:
        return Change(row.id, None, visit.title, row.details, -1)
    return Change(row.id, item.id, item.title, row.details, positions.get(item.id, 0),
                  changes_log.when(item.starts_at, item.ends_at, visit))


# --- for organisers ----------------------------------------------------------------------


@dataclass(frozen=True)
class Pending:
    count: int
    newest: datetime | None
    due_at: datetime | None
    quiet_minutes: int


@dataclass(frozen=True)
class Preview:
    visit: Visit
    pending: Pending
    digests: list[Digest]


def preview(actor: User, slug: str) -> Preview:
    """The digests that notifying now would send, without sending anything."""
    visit = organiser_visit(actor, slug)
    rows = _pending(visit.id)
    digests, _ = _digests(visit, rows) if rows else ([], set())
    rendered = []
    for person in digests:
        # Rendered by the very code that queues it, then taken back out of the session.
        message = mail.queue(person.email, "mail/change_digest.html",
                             **person.context(visit, private_links=False))
        db.session.expunge(message)
        rendered.append(Digest(message.to, message.subject, message.body_text))
    return Preview(visit, pending(visit), rendered)


@dataclass(frozen=True)
class ChangesPage:
    visit: Visit
    page: Pagination  # of VisitChange rows
    area: ChangeArea | None
    pending: Pending


def pending(visit: Visit) -> Pending:
    count, newest = db.session.execute(
        select(func.count(VisitChange.id), func.max(VisitChange.created_at))
        .where(VisitChange.visit_id == visit.id, VisitChange.notice == NoticeState.PENDING)
    ).one()
    quiet = quiet_period()
    return Pending(count, newest, newest + quiet if newest else None,
                   int(quiet.total_seconds() // 60))


def changes_page(actor: User, slug: str, area: ChangeArea | None = None, page: int = 1
                 ) -> ChangesPage:
    """A page of the visit's change log, newest first, with its pending notices."""
    visit = organiser_visit(actor, slug)
    where = [VisitChange.visit_id == visit.id]
    if area is not None:
        where.append(VisitChange.area == area)
    found = paginate(select(VisitChange).where(*where)
                     .order_by(VisitChange.created_at.desc(), VisitChange.id.desc()), page)
    return ChangesPage(visit, found, area, pending(visit))
