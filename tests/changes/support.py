"""A published visit in October (London on BST) with people to tell, and helpers to
change it through the real services."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from eventsapp.agenda import rules as agenda
from eventsapp.agenda.models import AgendaItem, ItemKind
from eventsapp.agenda.rules import ItemInput
from eventsapp.extensions import db
from eventsapp.mail.models import OutboxMessage
from eventsapp.registration.models import ItemSignup, SignupStatus
from eventsapp.timezones import to_local
from eventsapp.visits import changelog as changes_log
from eventsapp.visits.models import NoticeState, VisitChange, VisitStatus
from tests.support import make_item, make_venue, make_visit

YEAR = datetime.now(UTC).year + 2
DAY = date(YEAR, 10, 14)  # London is on BST (UTC+1)


def day_label(day: date = DAY) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def wall(instant: datetime, visit) -> datetime:
    return to_local(instant, visit.zone).replace(tzinfo=None)


def item_input(item: AgendaItem, **changes) -> ItemInput:
    """The item as its edit form shows it, with ``changes``; times as "HH:MM" on its day."""
    visit = item.visit
    data = ItemInput(kind=item.kind, title=item.title,
                     starts_local=wall(item.starts_at, visit),
                     ends_local=wall(item.ends_at, visit), venue_id=item.venue_id,
                     hosts=item.hosts, description=item.description, capacity=item.capacity)
    for name in ("starts_local", "ends_local"):
        if isinstance(changes.get(name), str):
            hour, minute = (int(p) for p in changes[name].split(":"))
            changes[name] = getattr(data, name).replace(hour=hour, minute=minute)
    return replace(data, **changes)


def edit(organiser, item: AgendaItem, **changes) -> AgendaItem:
    item = db.session.get(AgendaItem, item.id)
    return agenda.update_item(organiser, item.visit.slug, item.id, item_input(item, **changes))


def move(organiser, item: AgendaItem, start: str, end: str) -> AgendaItem:
    return edit(organiser, item, starts_local=start, ends_local=end)


@dataclass
class World:
    visit: object
    spode: object
    middleport: object
    tour: AgendaItem  # capacity 10
    panel: AgendaItem  # capacity 10
    welcome: AgendaItem  # no capacity


def published_world(organiser, status=VisitStatus.PUBLISHED) -> World:
    visit = make_visit(organisers=[organiser], slug="cic-stoke", start_date=DAY,
                       end_date=DAY + timedelta(days=1), status=status,
                       contact_email="hello@example.org")
    spode = make_venue(visit, name="Spode Works")
    middleport = make_venue(visit, name="Middleport Pottery")
    tour = make_item(visit, "10:00", "11:00", title="Studio tour", kind=ItemKind.TOUR,
                     venue=spode, capacity=10)
    panel = make_item(visit, "14:00", "15:00", title="Panel", kind=ItemKind.PANEL,
                      venue=spode, capacity=10)
    welcome = make_item(visit, "09:00", "09:45", title="Welcome", venue=spode)
    return World(visit, spode, middleport, tour, panel, welcome)


def sign_up(registration, item, status=SignupStatus.CONFIRMED) -> ItemSignup:
    signup = ItemSignup(item_id=item.id, registration_id=registration.id, status=status)
    db.session.add(signup)
    db.session.commit()
    return signup


def changes(visit, **where) -> list[VisitChange]:
    db.session.rollback()
    stmt = select(VisitChange).where(VisitChange.visit_id == visit.id)
    for name, value in where.items():
        stmt = stmt.where(getattr(VisitChange, name) == value)
    return list(db.session.scalars(stmt.order_by(VisitChange.created_at, VisitChange.id)))


def last_change(visit) -> VisitChange:
    return changes(visit)[-1]


def pending(visit) -> list[VisitChange]:
    return changes(visit, notice=NoticeState.PENDING)


def outbox() -> list[OutboxMessage]:
    db.session.rollback()
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.topic.like("changes:%"))
        .order_by(OutboxMessage.to)))


def mail_to(address: str) -> list[OutboxMessage]:
    return [m for m in outbox() if m.to == address]


def log_sample_changes(visit, organiser, item: AgendaItem) -> None:
    """Two rows for pages to show (tests/e2e): the item moved, its notice waiting, and
    a venue added. Only the log is written; the item itself stays where it is."""
    from eventsapp.visits.models import ChangeArea

    times = changes_log.when(item.starts_at, item.ends_at, visit)
    changes_log.record(visit, organiser, ChangeArea.VENUES, "venue_added",
                     "Added the venue Emma Bridgewater Factory",
                     details={"name": {"old": "", "new": "Emma Bridgewater Factory"}})
    changes_log.record(visit, organiser, ChangeArea.AGENDA, "item_edited",
                     f"Changed “{item.title}”: time", item=item, notify=True,
                     details={"time": {"old": times.replace("09:45", "09:15"), "new": times}})
    db.session.commit()
