"""What needs an organiser: registrations awaiting approval, showcase bookings awaiting
a decision, and people who joined a full visit's waiting list.

Counts for the organiser's pages (``needs``), and an email digest: at most one per
organiser every ORGANISER_DIGEST_MINUTES, sent when something new arrived in one of
their visits since the last digest told them, and listing everything that still
waits for them, with links. (eventsapp.changes.digest is another thing: it tells
attendees and members of agenda changes.)

Each organiser's digest is written under a lock on their user row (BEGIN IMMEDIATE on
SQLite), which re-reads when their last digest went: two workers never send two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from eventsapp.accounts.models import Role, User
from eventsapp.agenda.models import AgendaItem, ItemKind, ItemStatus
from eventsapp.db import write
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.locks import lock
from eventsapp.mail import outbox as mail
from eventsapp.members.models import MemberBusiness
from eventsapp.messages.models import OrganiserDigest
from eventsapp.registration.models import Registration, RegistrationStatus
from eventsapp.showcase.models import BookingStatus, Showcase, ShowcaseBooking, ShowcaseSlot
from eventsapp.visits.models import Visit, VisitStatus, visit_organisers
from eventsapp.web.urls import absolute

TEMPLATE = "messages/email/organiser_digest.html"
NAMES_SHOWN = 10


def period() -> timedelta:
    return timedelta(minutes=current_app.config.get("ORGANISER_DIGEST_MINUTES", 30))


# --- counts --------------------------------------------------------------------------------


@dataclass
class Needs:
    pending_approval: int = 0
    bookings_pending: int = 0
    waitlisted: int = 0
    confirmed: int = 0  # not a need: shown beside them on the organiser home

    @property
    def any(self) -> bool:
        return bool(self.pending_approval or self.bookings_pending)

    def lines(self) -> list[str]:
        """'3 awaiting approval', '1 booking to decide', for a badge or a line."""
        parts = []
        if self.pending_approval:
            parts.append(f"{self.pending_approval} awaiting approval")
        if self.bookings_pending:
            noun = "booking" if self.bookings_pending == 1 else "bookings"
            parts.append(f"{self.bookings_pending} {noun} to decide")
        if self.waitlisted:
            parts.append(f"{self.waitlisted} on the waiting list")
        return parts


def needs(visit_ids: list[int]) -> dict[int, Needs]:
    """What waits in each visit, and how many are confirmed, in two grouped queries
    whatever the number of visits."""
    found = {visit_id: Needs() for visit_id in visit_ids}
    if not visit_ids:
        return found
    for visit_id, status, count in db.session.execute(
            select(Registration.visit_id, Registration.status, func.count())
            .where(Registration.visit_id.in_(visit_ids),
                   Registration.status != RegistrationStatus.CANCELLED)
            .group_by(Registration.visit_id, Registration.status)):
        if status is RegistrationStatus.PENDING_APPROVAL:
            found[visit_id].pending_approval = count
        elif status is RegistrationStatus.WAITLISTED:
            found[visit_id].waitlisted = count
        else:
            found[visit_id].confirmed = count
    for visit_id, count in db.session.execute(
            select(ShowcaseBooking.visit_id, func.count())
            .where(ShowcaseBooking.visit_id.in_(visit_ids),
                   ShowcaseBooking.status == BookingStatus.PENDING)
            .group_by(ShowcaseBooking.visit_id)):
        found[visit_id].bookings_pending = count
    return found


def showcases_without_slots(visit_id: int) -> list[AgendaItem]:
    """The visit's live showcase items that members cannot book yet: no slots set."""
    has_slots = (select(ShowcaseSlot.id)
                 .join(Showcase, Showcase.id == ShowcaseSlot.showcase_id)
                 .where(Showcase.item_id == AgendaItem.id).exists())
    return list(db.session.scalars(
        select(AgendaItem)
        .where(AgendaItem.visit_id == visit_id, AgendaItem.kind == ItemKind.SHOWCASE,
               AgendaItem.deleted_at.is_(None), AgendaItem.status == ItemStatus.CONFIRMED,
               ~has_slots)
        .order_by(AgendaItem.starts_at, AgendaItem.id)))


# --- the digest ----------------------------------------------------------------------------


@dataclass
class VisitNews:
    visit: Visit
    needs: Needs
    new_pending: list[str] = field(default_factory=list)  # names, newest last
    new_bookings: list[str] = field(default_factory=list)
    new_waitlisted: list[str] = field(default_factory=list)
    registrations_url: str = ""
    showcases_url: str = ""

    @property
    def has_news(self) -> bool:
        return bool(self.new_pending or self.new_bookings or self.new_waitlisted)


@dataclass
class SendResult:
    emails: int = 0


def _open_visits(now: datetime):
    """Visits an organiser still acts on: not cancelled, not over."""
    return (Visit.status != VisitStatus.CANCELLED,
            Visit.end_date >= (now - timedelta(days=1)).date())


def _latest_news(now: datetime) -> dict[int, datetime]:
    """Each open visit's newest thing that needs an organiser."""
    latest: dict[int, datetime] = {}
    queries = [
        select(Registration.visit_id, func.max(Registration.created_at))
        .where(Registration.status == RegistrationStatus.PENDING_APPROVAL)
        .group_by(Registration.visit_id),
        select(Registration.visit_id, func.max(Registration.queued_at))
        .where(Registration.status == RegistrationStatus.WAITLISTED)
        .group_by(Registration.visit_id),
        select(ShowcaseBooking.visit_id, func.max(ShowcaseBooking.created_at))
        .where(ShowcaseBooking.status == BookingStatus.PENDING)
        .group_by(ShowcaseBooking.visit_id),
    ]
    open_ids = select(Visit.id).where(*_open_visits(now))
    for query in queries:
        column = query.selected_columns[0]
        for visit_id, when in db.session.execute(query.where(column.in_(open_ids))):
            if when is not None and (visit_id not in latest or when > latest[visit_id]):
                latest[visit_id] = when
    return latest


def send_due(now: datetime | None = None) -> SendResult:
    """Queue a digest for every organiser with news whose last digest is older than
    ORGANISER_DIGEST_MINUTES. Safe to run in several workers at once."""
    now = now or utcnow()
    latest = _latest_news(now)
    due: list[int] = []
    if latest:
        rows = db.session.execute(
            select(User.id, visit_organisers.c.visit_id, OrganiserDigest.sent_at,
                   OrganiserDigest.covered_until)
            .join(visit_organisers, visit_organisers.c.user_id == User.id)
            .outerjoin(OrganiserDigest, OrganiserDigest.user_id == User.id)
            .where(visit_organisers.c.visit_id.in_(list(latest)), User.active.is_(True),
                   User.role == Role.ORGANISER))
        for user_id, visit_id, sent_at, covered in rows:
            if _is_due(sent_at, covered, latest[visit_id], now) and user_id not in due:
                due.append(user_id)
    db.session.rollback()  # end the read: each organiser is written in a write of their own
    result = SendResult()
    for user_id in sorted(due):
        with write():
            result.emails += _send_locked(user_id, now)
    return result


def _is_due(sent_at: datetime | None, covered: datetime | None, newest: datetime,
            now: datetime) -> bool:
    if sent_at is not None and sent_at > now - period():
        return False
    return covered is None or newest > covered


def _send_locked(user_id: int, now: datetime) -> int:
    user = lock(User, user_id)
    if user is None or not user.active:
        return 0
    state = db.session.scalar(select(OrganiserDigest).where(OrganiserDigest.user_id == user_id)
                              .execution_options(populate_existing=True))
    if state is not None and state.sent_at > now - period():
        return 0  # another worker sent it meanwhile
    since = state.covered_until if state is not None else None
    news = digest_for(user, since, now)
    if not any(n.has_news for n in news):
        return 0
    mail.queue_parts(user.email, mail.render_parts(
        TEMPLATE, user=user, visits=[n for n in news if n.has_news or n.needs.any],
        home_url=absolute("/organiser/"), names_shown=NAMES_SHOWN,
        minutes=int(period().total_seconds() // 60)), topic=f"digest:{user.id}")
    if state is None:
        db.session.add(OrganiserDigest(user_id=user.id, sent_at=now, covered_until=now))
    else:
        state.sent_at = state.covered_until = now
    return 1


def digest_for(user: User, since: datetime | None, now: datetime) -> list[VisitNews]:
    """For each open visit the organiser runs: what waits, and what is new since ``since``."""
    visits = list(db.session.scalars(
        select(Visit).where(Visit.organisers.any(User.id == user.id), *_open_visits(now))
        .order_by(Visit.start_date, Visit.id)))
    counts = needs([v.id for v in visits])
    news = []
    for visit in visits:
        item = VisitNews(
            visit, counts[visit.id],
            registrations_url=absolute(f"/organiser/visits/{visit.slug}/registrations"),
            showcases_url=absolute(f"/organiser/visits/{visit.slug}/showcases"))
        item.new_pending = _names(visit, RegistrationStatus.PENDING_APPROVAL,
                                  Registration.created_at, since, now)
        item.new_waitlisted = _names(visit, RegistrationStatus.WAITLISTED,
                                     Registration.queued_at, since, now)
        item.new_bookings = [
            f"{business}: {title}" for business, title in db.session.execute(
                select(MemberBusiness.name, ShowcaseBooking.title)
                .join(MemberBusiness, MemberBusiness.id == ShowcaseBooking.business_id)
                .where(ShowcaseBooking.visit_id == visit.id,
                       ShowcaseBooking.status == BookingStatus.PENDING,
                       ShowcaseBooking.created_at <= now,
                       *([ShowcaseBooking.created_at > since] if since else []))
                .order_by(ShowcaseBooking.created_at))]
        news.append(item)
    return news


def _names(visit: Visit, status: RegistrationStatus, column, since: datetime | None,
           now: datetime) -> list[str]:
    return [name or "(no name)" for name in db.session.scalars(
        select(Registration.full_name)
        .where(Registration.visit_id == visit.id, Registration.status == status,
               column <= now, *([column > since] if since else []))
        .order_by(column))]
