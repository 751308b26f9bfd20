"""Reminders before a visit: the attendee's itinerary, where and when the first item
starts, their private link and their agenda (.ics).

Each visit has its reminders in days before it begins (its first item, or midnight
of its first day without an agenda): 7 and 1 unless the organiser changed them. A
reminder is due from its moment until the next reminder's (or the visit's start), so
a worker that was stopped for a week sends the latest reminder, not every one; and
it goes to confirmed registrations made before its moment (someone who registers
two days before has just had their confirmation, and gets the 1-day one).

Once per person per reminder, whatever the workers: a ``reminders_sent`` row per
(registration, reminder) is inserted with ON CONFLICT DO NOTHING in the transaction
that queues the emails, and only the rows this transaction inserted are emailed. A
second worker's insert waits for the first one's commit and then inserts nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload, selectinload

from eventsapp.accounts.models import User
from eventsapp.agenda.models import AgendaItem, ItemStatus
from eventsapp.db import write
from eventsapp.dbtypes import utcnow
from eventsapp.errors import ValidationError
from eventsapp.extensions import db
from eventsapp.mail import outbox as mail
from eventsapp.mail.attachments import AGENDA, later
from eventsapp.messages.models import DEFAULT_REMINDER_DAYS, ReminderSent, ReminderSettings
from eventsapp.registration.models import Registration, RegistrationStatus, SignupStatus
from eventsapp.registration.rules import notices
from eventsapp.registration.rules.itinerary import attended_items
from eventsapp.timezones import to_local, to_utc
from eventsapp.visits.models import Visit, VisitStatus
from eventsapp.visits.rules import organiser_visit
from eventsapp.web.urls import absolute

TEMPLATE = "messages/email/reminder.html"
MAX_DAYS = 60
MAX_REMINDERS = 5


# --- settings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    enabled: bool
    days_before: tuple[int, ...]  # largest first


def settings(visit: Visit) -> Settings:
    row = db.session.get(ReminderSettings, visit.id)
    if row is None:
        return Settings(True, DEFAULT_REMINDER_DAYS)
    return Settings(row.enabled, tuple(sorted(set(row.days_before), reverse=True)))


def parse_days(text: str) -> tuple[int, ...]:
    """'7, 1' -> (7, 1); ValidationError naming what is wrong."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    days = set()
    for part in parts:
        if not part.isdigit() or not 1 <= int(part) <= MAX_DAYS:
            raise ValidationError({"days_before": f"“{part}” is not a number of days from 1 "
                                                  f"to {MAX_DAYS}."})
        days.add(int(part))
    if len(days) > MAX_REMINDERS:
        raise ValidationError({"days_before": f"At most {MAX_REMINDERS} reminders."})
    return tuple(sorted(days, reverse=True))


def update_settings(actor: User, slug: str, enabled: bool, days_text: str) -> Settings:
    with write():
        visit = organiser_visit(actor, slug)
        days = parse_days(days_text)
        if enabled and not days:
            raise ValidationError({"days_before": "Give at least one number of days, or "
                                                  "switch reminders off."})
        row = db.session.get(ReminderSettings, visit.id)
        if row is None:
            row = ReminderSettings(visit_id=visit.id)
            db.session.add(row)
        row.enabled = enabled
        row.days_before = list(days)
    return Settings(enabled, days)


# --- when --------------------------------------------------------------------------------


def begins_at(visit: Visit) -> datetime:
    """When the visit begins: its first live item, or midnight of its first day."""
    first = db.session.scalar(
        select(AgendaItem.starts_at)
        .where(AgendaItem.visit_id == visit.id, AgendaItem.deleted_at.is_(None),
               AgendaItem.status == ItemStatus.CONFIRMED)
        .order_by(AgendaItem.starts_at).limit(1))
    if first is not None:
        return first
    return to_utc(datetime.combine(visit.start_date, datetime.min.time()), visit.zone)


def due_reminder(days_before: tuple[int, ...], begins: datetime, now: datetime) -> int | None:
    """The reminder whose time has come and whose next one's has not (None: none)."""
    if now >= begins:
        return None
    due = [days for days in days_before if now >= begins - timedelta(days=days)]
    return min(due) if due else None


# --- sending -----------------------------------------------------------------------------


@dataclass
class SendResult:
    visits: int = 0
    emails: int = 0


def send_due(now: datetime | None = None) -> SendResult:
    """Queue every reminder that is due. Safe to run in several workers at once."""
    now = now or utcnow()
    horizon = (now + timedelta(days=MAX_DAYS + 2)).date()
    visit_ids = db.session.scalars(
        select(Visit.id).where(Visit.status == VisitStatus.PUBLISHED,
                               Visit.start_date >= (now - timedelta(days=2)).date(),
                               Visit.start_date <= horizon)
        .order_by(Visit.start_date, Visit.id)).all()
    db.session.rollback()  # end the read: each visit is sent in a write of its own
    result = SendResult()
    for visit_id in visit_ids:
        with write():
            emails = _send_visit(visit_id, now)
        if emails:
            result.visits += 1
            result.emails += emails
    return result


def _send_visit(visit_id: int, now: datetime) -> int:
    visit = db.session.get(Visit, visit_id)
    if visit is None or visit.status is not VisitStatus.PUBLISHED:
        return 0
    chosen = settings(visit)
    begins = begins_at(visit)
    days = due_reminder(chosen.days_before, begins, now) if chosen.enabled else None
    if days is None:
        return 0
    moment = begins - timedelta(days=days)
    already = exists().where(ReminderSent.registration_id == Registration.id,
                             ReminderSent.days_before == days)
    candidates = db.session.scalars(
        select(Registration.id)
        .where(Registration.visit_id == visit.id,
               Registration.status == RegistrationStatus.CONFIRMED,
               Registration.email.is_not(None), Registration.erased_at.is_(None),
               Registration.created_at <= moment, ~already)
        .order_by(Registration.id)).all()
    if not candidates:
        return 0
    mine = _claim(candidates, days, now)
    if not mine:
        return 0
    items = _agenda(visit)
    registrations = db.session.scalars(
        select(Registration).where(Registration.id.in_(mine))
        .options(selectinload(Registration.signups)).order_by(Registration.id))
    for registration in registrations:
        mail.queue_parts(registration.email, render(visit, registration, items, days),
                         topic=f"registration:{registration.id}",
                         attachments=[later(AGENDA, registration_id=registration.id)],
                         visit=visit)
    return len(mine)


def _claim(registration_ids: list[int], days: int, now: datetime) -> list[int]:
    """Insert the reminders_sent rows; the ids of the ones this transaction inserted."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(ReminderSent)
        .values([{"registration_id": rid, "days_before": days, "sent_at": now}
                 for rid in registration_ids])
        .on_conflict_do_nothing(index_elements=["registration_id", "days_before"])
        .returning(ReminderSent.registration_id))
    return sorted(db.session.scalars(statement).all())


def _agenda(visit: Visit) -> list[AgendaItem]:
    return list(db.session.scalars(
        select(AgendaItem)
        .where(AgendaItem.visit_id == visit.id, AgendaItem.deleted_at.is_(None),
               AgendaItem.status == ItemStatus.CONFIRMED)
        .options(joinedload(AgendaItem.venue))
        .order_by(AgendaItem.starts_at, AgendaItem.id)))


@dataclass(frozen=True)
class Day:
    label: str
    entries: list[tuple[AgendaItem, bool]]  # (item, on its waiting list)


def itinerary(visit: Visit, registration: Registration, items: list[AgendaItem]) -> list[Day]:
    by_day: dict = {}
    for item, signup in attended_items(items, registration.signups):
        day = to_local(item.starts_at, visit.zone).date()
        by_day.setdefault(day, []).append((item, signup is SignupStatus.WAITLISTED))
    return [Day(f"{day:%A} {day.day} {day:%B}", entries) for day, entries in sorted(
        by_day.items())]


def render(visit: Visit, registration: Registration, items: list[AgendaItem], days: int
           ) -> mail.Parts:
    days_list = itinerary(visit, registration, items)
    first = next((item for day in days_list for item, waiting in day.entries if not waiting),
                 None)
    return mail.render_parts(
        TEMPLATE, visit=visit, registration=registration, days=days_list, first=first,
        days_before=days, manage_url=notices.manage_url(registration),
        feed_url=notices.feed_url(registration),
        visit_url=absolute(f"/visits/{visit.slug}/"))
