"""A visit's dashboard: registrations over time, places, the waiting list, types of
organisation, check-ins and showcase slots, in a fixed number of queries however
many registrations there are (each figure is a GROUP BY in the database)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import BigInteger, Integer, and_, case, cast, extract, func, select

from eventsapp.accounts.models import User
from eventsapp.agenda.models import AgendaItem, ItemKind, ItemStatus
from eventsapp.extensions import db
from eventsapp.registration.models import (
    ORGANISATION_TYPE_LABELS,
    OrganisationType,
    Registration,
    RegistrationStatus,
)
from eventsapp.showcase.models import BookingStatus, Showcase, ShowcaseBooking, ShowcaseSlot
from eventsapp.timezones import to_local
from eventsapp.visits.models import Visit
from eventsapp.visits.rules import organiser_visit

NOT_GIVEN = "Not given"
# Every UTC offset in use is a whole number of quarter hours, so a quarter-hour bucket
# of UTC time never straddles a local midnight: counting per bucket in the database
# and adding the buckets up per local day in Python is exact in any zone.
BUCKET_SECONDS = 15 * 60
# Beyond this many days the chart keeps only the days someone registered on.
MAX_FILLED_DAYS = 400


@dataclass(frozen=True)
class DayCount:
    day: date  # in the visit's zone
    new: int
    total: int  # registrations received up to and including this day


@dataclass(frozen=True)
class ShowcaseCount:
    item_id: int
    title: str
    starts_at: datetime
    cancelled: bool
    set_up: bool  # slots have been planned for it
    slots: int
    approved: int
    pending: int
    free: int
    blocked: int

    @property
    def booked(self) -> int:
        return self.approved + self.pending


@dataclass(frozen=True)
class Dashboard:
    visit: Visit
    confirmed: int
    waitlisted: int
    pending_approval: int
    cancelled: int
    checked_in: int  # of the confirmed
    by_day: list[DayCount]
    organisation_types: list[tuple[str, int]]  # (label, live registrations)
    showcases: list[ShowcaseCount]

    @property
    def capacity(self) -> int | None:
        return self.visit.capacity

    @property
    def received(self) -> int:
        return self.confirmed + self.waitlisted + self.pending_approval + self.cancelled

    @property
    def live(self) -> int:
        return self.confirmed + self.waitlisted + self.pending_approval

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.confirmed, 0)

    @property
    def not_checked_in(self) -> int:
        return self.confirmed - self.checked_in


def visit_dashboard(actor: User, slug: str) -> Dashboard:
    """The figures of a visit the actor organises; NotFound otherwise."""
    visit = organiser_visit(actor, slug)
    statuses: Counter[RegistrationStatus] = Counter()
    kinds: Counter[OrganisationType | None] = Counter()
    checked_in = 0
    rows = db.session.execute(
        select(Registration.status, Registration.organisation_type, func.count(),
               func.count(Registration.checked_in_at))
        .where(Registration.visit_id == visit.id)
        .group_by(Registration.status, Registration.organisation_type)
    ).all()
    for status, kind, count, arrived in rows:
        statuses[status] += count
        if status is not RegistrationStatus.CANCELLED:
            kinds[kind] += count
        if status is RegistrationStatus.CONFIRMED:
            checked_in += arrived
    return Dashboard(
        visit=visit,
        confirmed=statuses[RegistrationStatus.CONFIRMED],
        waitlisted=statuses[RegistrationStatus.WAITLISTED],
        pending_approval=statuses[RegistrationStatus.PENDING_APPROVAL],
        cancelled=statuses[RegistrationStatus.CANCELLED],
        checked_in=checked_in,
        by_day=_by_day(visit),
        organisation_types=_organisation_types(kinds),
        showcases=_showcases(visit),
    )


def _organisation_types(kinds: Counter) -> list[tuple[str, int]]:
    rows = [(label, kinds[kind]) for kind, label in ORGANISATION_TYPE_LABELS.items()]
    if kinds[None]:
        rows.append((NOT_GIVEN, kinds[None]))
    return rows


def _epoch_seconds(column):
    """Seconds since 1970 of a stored instant, in this database's own words."""
    if db.session.get_bind().dialect.name == "sqlite":  # UTC wall time as text
        return cast(func.strftime("%s", column), Integer)
    return cast(func.floor(extract("epoch", column)), BigInteger)


def _by_day(visit: Visit) -> list[DayCount]:
    """Registrations received (later cancellations included) per day in the visit's
    zone, every day from the first to the last, with the running total."""
    bucket = (_epoch_seconds(Registration.created_at) // BUCKET_SECONDS).label("bucket")
    rows = db.session.execute(
        select(bucket, func.count())
        .where(Registration.visit_id == visit.id)
        .group_by(bucket)
    ).all()
    per_day: Counter[date] = Counter()
    for number, count in rows:
        instant = datetime.fromtimestamp(int(number) * BUCKET_SECONDS, UTC)
        per_day[to_local(instant, visit.zone).date()] += count
    if not per_day:
        return []
    first, last = min(per_day), max(per_day)
    if (last - first).days < MAX_FILLED_DAYS:
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    else:
        days = sorted(per_day)
    result, total = [], 0
    for day in days:
        total += per_day[day]
        result.append(DayCount(day, per_day[day], total))
    return result


def _showcases(visit: Visit) -> list[ShowcaseCount]:
    """Each live showcase item with its slots: approved, pending, free and blocked."""
    active = and_(ShowcaseBooking.slot_id == ShowcaseSlot.id,
                  ShowcaseBooking.status.in_([BookingStatus.PENDING, BookingStatus.APPROVED]))
    unbooked = ShowcaseBooking.id.is_(None)
    rows = db.session.execute(
        select(
            AgendaItem.id, AgendaItem.title, AgendaItem.starts_at, AgendaItem.status,
            func.count(Showcase.id.distinct()),
            func.count(ShowcaseSlot.id),
            func.count(case((ShowcaseBooking.status == BookingStatus.APPROVED, 1))),
            func.count(case((ShowcaseBooking.status == BookingStatus.PENDING, 1))),
            func.count(case((and_(ShowcaseSlot.blocked.is_(False), unbooked), 1))),
            func.count(case((and_(ShowcaseSlot.blocked.is_(True), unbooked), 1))),
        )
        .select_from(AgendaItem)
        .outerjoin(Showcase, Showcase.item_id == AgendaItem.id)
        .outerjoin(ShowcaseSlot, ShowcaseSlot.showcase_id == Showcase.id)
        .outerjoin(ShowcaseBooking, active)
        .where(AgendaItem.visit_id == visit.id, AgendaItem.kind == ItemKind.SHOWCASE,
               AgendaItem.deleted_at.is_(None))
        .group_by(AgendaItem.id, AgendaItem.title, AgendaItem.starts_at, AgendaItem.status)
        .order_by(AgendaItem.starts_at, AgendaItem.id)
    ).all()
    return [
        ShowcaseCount(item_id=item_id, title=title, starts_at=starts_at,
                      cancelled=status is ItemStatus.CANCELLED, set_up=bool(showcases),
                      slots=slots, approved=approved, pending=pending, free=free,
                      blocked=blocked)
        for item_id, title, starts_at, status, showcases, slots, approved, pending, free,
        blocked in rows
    ]
