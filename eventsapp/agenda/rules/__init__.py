"""The agenda builder: items, their changes, and the warnings an organiser sees."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import Flask, current_app

from eventsapp.accounts.models import User
from eventsapp.agenda import changelog
from eventsapp.agenda.models import AgendaItem, ItemKind, ItemStatus
from eventsapp.db import write
from eventsapp.dbtypes import utcnow
from eventsapp.errors import ValidationError
from eventsapp.extensions import db
from eventsapp.timezones import NonexistentLocalTime, to_local, to_utc
from eventsapp.visits.models import Visit
from eventsapp.visits.rules import organiser_visit, organiser_visit_row

# Told, inside update_item's write, that an item is about to move to [starts, ends);
# may refuse with a ValidationError (nothing is saved then).
ItemFollower = Callable[[AgendaItem, datetime, datetime], None]


def init_app(app: Flask, followers: Iterable[ItemFollower]) -> None:
    """What moves with an item, from the features above the agenda (a showcase's slots):
    create_app names them, so the agenda names none of them."""
    app.extensions["agenda_item_followers"] = tuple(followers)


@dataclass(frozen=True)
class ItemInput:
    kind: ItemKind
    title: str
    starts_local: datetime  # naive wall time in the visit's zone
    ends_local: datetime
    venue_id: int | None = None
    hosts: str = ""
    description: str = ""
    capacity: int | None = None


@dataclass(frozen=True)
class AgendaWarning:
    """Something an organiser should look at; never blocks a save."""

    code: str  # overlap | no_travel | host_clash | outside_dates
    message: str
    item_ids: tuple[int, ...]


# --- reading -------------------------------------------------------------------------


def organiser_item(actor: User, slug: str, item_id: int) -> AgendaItem:
    return organiser_visit_row(actor, slug, AgendaItem, item_id, "agenda item")


def agenda_by_day(visit: Visit, items: list[AgendaItem] | None = None):
    """[(local date, [items])] for every day of the visit plus any day an item falls
    on outside the visit's dates, in time order. Days without items are kept."""
    items = visit.live_items if items is None else items
    zone = visit.zone
    days: dict[date, list[AgendaItem]] = {day: [] for day in visit.days}
    for item in sorted(items, key=lambda i: (i.starts_at, i.id)):
        days.setdefault(to_local(item.starts_at, zone).date(), []).append(item)
    return sorted(days.items())


# --- writing -------------------------------------------------------------------------


def _checked_times(visit: Visit, data: ItemInput):
    errors: dict[str, str] = {}
    zone = visit.zone
    starts = ends = None
    try:
        starts = to_utc(data.starts_local, zone)
    except NonexistentLocalTime as exc:
        errors["starts_at"] = str(exc)
    try:
        ends = to_utc(data.ends_local, zone)
    except NonexistentLocalTime as exc:
        errors["ends_at"] = str(exc)
    if starts and ends and ends <= starts:
        errors["ends_at"] = "The end must be after the start."
    return errors, starts, ends


def _validate_item(visit: Visit, data: ItemInput):
    errors, starts, ends = _checked_times(visit, data)
    if data.venue_id is not None and data.venue_id not in {v.id for v in visit.venues}:
        errors["venue_id"] = "Choose one of this visit's venues."
    if data.capacity is not None and data.capacity < 1:
        errors["capacity"] = "Capacity must be at least 1, or left empty for no limit."
    if errors:
        raise ValidationError(errors)
    return starts, ends


def add_item(actor: User, slug: str, data: ItemInput) -> AgendaItem:
    with write():
        visit = organiser_visit(actor, slug)
        starts, ends = _validate_item(visit, data)
        item = AgendaItem(visit=visit, status=ItemStatus.CONFIRMED, sequence=0)
        _apply(item, data, starts, ends)
        db.session.add(item)
        changelog.item_added(actor, item)
    return item


def update_item(actor: User, slug: str, item_id: int, data: ItemInput) -> AgendaItem:
    """Edit an item. SEQUENCE goes up when its time or venue changes, not otherwise.
    A showcase's slots move with it (the followers given to init_app)."""
    with write():
        item = organiser_item(actor, slug, item_id)
        starts, ends = _validate_item(item.visit, data)
        for follow in current_app.extensions["agenda_item_followers"]:
            follow(item, starts, ends)
        if (starts, ends, data.venue_id) != (item.starts_at, item.ends_at, item.venue_id):
            item.sequence += 1
        _apply(item, data, starts, ends)
        changelog.item_edited(actor, item)
    return item


def _apply(item: AgendaItem, data: ItemInput, starts: datetime, ends: datetime) -> None:
    item.kind = data.kind
    item.title = data.title.strip()
    item.description = data.description.strip()
    item.hosts = "\n".join(
        line.strip() for line in data.hosts.replace("\r", "").split("\n") if line.strip()
    )
    item.starts_at = starts
    item.ends_at = ends
    item.venue_id = data.venue_id
    item.capacity = data.capacity


def duplicate_item(actor: User, slug: str, item_id: int) -> AgendaItem:
    """A copy with a new calendar UID, at the same time, titled "(copy)"."""
    with write():
        source = organiser_item(actor, slug, item_id)
        title = source.title if len(source.title) > 193 else f"{source.title} (copy)"
        copy = AgendaItem(
            visit_id=source.visit_id,
            venue_id=source.venue_id,
            kind=source.kind,
            title=title,
            description=source.description,
            hosts=source.hosts,
            starts_at=source.starts_at,
            ends_at=source.ends_at,
            capacity=source.capacity,
            status=ItemStatus.CONFIRMED,
            sequence=0,
        )
        db.session.add(copy)
        changelog.item_duplicated(actor, source, copy)
    return copy


def set_item_status(actor: User, slug: str, item_id: int, status: ItemStatus) -> AgendaItem:
    """Cancel an item (it stays on the agenda, struck through) or reinstate it."""
    with write():
        item = organiser_item(actor, slug, item_id)
        changelog.item_status(actor, item, status)
        if item.status is not status:
            item.status = status
            item.sequence += 1
    return item


def delete_item(actor: User, slug: str, item_id: int) -> None:
    """Delete an item. Once the visit has been published, a tombstone stays so that
    subscribed calendars receive the item as cancelled and drop it."""
    with write():
        item = organiser_item(actor, slug, item_id)
        changelog.item_deleted(actor, item)
        if item.visit.first_published_at is None:
            db.session.delete(item)
        else:
            item.deleted_at = utcnow()
            item.status = ItemStatus.CANCELLED
            item.sequence += 1


# --- warnings (pure) -------------------------------------------------------------------


def agenda_warnings(visit: Visit, items: list[AgendaItem] | None = None) -> list[AgendaWarning]:
    """Everything worth a second look in an agenda; cancelled items are ignored."""
    zone = visit.zone
    live = sorted(
        (i for i in (visit.live_items if items is None else items) if not i.is_cancelled),
        key=lambda i: (i.starts_at, i.ends_at, i.id),
    )
    warnings: list[AgendaWarning] = []

    def when(item: AgendaItem) -> str:
        return f"{to_local(item.starts_at, zone):%a %H:%M}"

    def overlaps(a: AgendaItem, b: AgendaItem) -> bool:
        return a.starts_at < b.ends_at and b.starts_at < a.ends_at

    for index, a in enumerate(live):
        for b in live[index + 1 :]:
            if b.starts_at >= a.ends_at:
                break
            if a.venue_id is not None and a.venue_id == b.venue_id and overlaps(a, b):
                warnings.append(AgendaWarning(
                    "overlap",
                    f"“{a.title}” and “{b.title}” overlap at {a.venue.name} "
                    f"({when(a)} and {when(b)}).",
                    (a.id, b.id),
                ))
            shared = {h.casefold() for h in a.host_names} & {h.casefold() for h in b.host_names}
            for host in sorted(shared):
                name = next(h for h in a.host_names if h.casefold() == host)
                warnings.append(AgendaWarning(
                    "host_clash",
                    f"{name} hosts both “{a.title}” ({when(a)}) and “{b.title}” ({when(b)}).",
                    (a.id, b.id),
                ))

    warnings.extend(_travel_warnings(live, when))

    first_day, last_day = visit.start_date, visit.end_date
    for item in live:
        start_day = to_local(item.starts_at, zone).date()
        # The last instant the item covers: one ending at midnight ends on the day before.
        end_day = to_local(item.ends_at - timedelta(microseconds=1), zone).date()
        if start_day < first_day or end_day > last_day:
            warnings.append(AgendaWarning(
                "outside_dates",
                f"“{item.title}” ({to_local(item.starts_at, zone):%d %b %H:%M}) falls outside "
                f"the visit's dates ({first_day:%d %b} – {last_day:%d %b %Y}).",
                (item.id,),
            ))
    return warnings


def _travel_warnings(live: list[AgendaItem], when) -> list[AgendaWarning]:
    """Back-to-back items at two different venues with no travel item and no gap."""
    warnings = []
    by_end: dict[datetime, list[AgendaItem]] = defaultdict(list)
    for item in live:
        by_end[item.ends_at].append(item)
    for b in live:
        for a in by_end.get(b.starts_at, []):
            if ItemKind.TRAVEL in (a.kind, b.kind):
                continue
            if a.venue_id is None or b.venue_id is None or a.venue_id == b.venue_id:
                continue
            warnings.append(AgendaWarning(
                "no_travel",
                f"“{a.title}” at {a.venue.name} ends as “{b.title}” starts at "
                f"{b.venue.name} ({when(b)}), with no travel item or gap between them.",
                (a.id, b.id),
            ))
    return warnings
