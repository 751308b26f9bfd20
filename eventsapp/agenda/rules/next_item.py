"""What a new agenda item starts as, so that building a day is mostly typing titles.

A new item starts where the previous item of its day ended, at that item's venue, and
lasts as long as the last item of its kind. The first item of an empty day starts at
the time the visit's other days start (the first day's first item), else at 09:00.
Pure reading: nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from eventsapp.agenda.models import AgendaItem, ItemKind
from eventsapp.timezones import to_local
from eventsapp.visits.models import Visit

DAY_STARTS = time(9, 0)
DEFAULT_LENGTH = timedelta(hours=1)


@dataclass(frozen=True)
class ItemDefaults:
    day: date
    kind: ItemKind
    starts_local: datetime  # naive wall times in the visit's zone
    ends_local: datetime
    venue_id: int | None


def _wall(instant: datetime, visit: Visit) -> datetime:
    return to_local(instant, visit.zone).replace(tzinfo=None)


def _items(visit: Visit) -> list[AgendaItem]:
    return [item for item in visit.live_items if not item.is_cancelled]


def kind_lengths(visit: Visit) -> dict[ItemKind, timedelta]:
    """How long each kind lasts: its most recently added item's length."""
    lengths: dict[ItemKind, timedelta] = {}
    for item in sorted(_items(visit), key=lambda i: i.id):
        lengths[item.kind] = item.ends_at - item.starts_at
    return lengths


def live_item(visit: Visit, raw_id: str) -> AgendaItem | None:
    """The visit's live item with this id (as typed in a URL), or None."""
    if not raw_id.isdigit():
        return None
    return next((i for i in _items(visit) if i.id == int(raw_id)), None)


def choose_day(visit: Visit, asked: str | None, after: AgendaItem | None = None) -> date:
    """The day asked for (YYYY-MM-DD) when it is one of the visit's, else the day of
    ``after``, else the visit's first day."""
    try:
        day = date.fromisoformat(asked or "")
    except ValueError:
        day = None
    if day in visit.days:
        return day
    if after is not None:
        return _wall(after.starts_at, visit).date()
    return visit.start_date


def _day_start(visit: Visit, day: date, items: list[AgendaItem]) -> datetime:
    """When an empty day starts: at the time the nearest earlier day with items started
    (or the nearest later one), else at 09:00."""
    firsts: dict[date, time] = {}
    for item in sorted(items, key=lambda i: i.starts_at):
        firsts.setdefault(_wall(item.starts_at, visit).date(), _wall(item.starts_at, visit).time())
    earlier = [d for d in firsts if d < day]
    later = [d for d in firsts if d > day]
    if earlier:
        start = firsts[max(earlier)]
    elif later:
        start = firsts[min(later)]
    else:
        start = DAY_STARTS
    return datetime.combine(day, start)


def item_defaults(visit: Visit, day: date, kind: ItemKind | None = None,
                  after: AgendaItem | None = None) -> ItemDefaults:
    """The start, end, venue and kind a new item on ``day`` is offered. ``after`` (an
    item just saved) is the previous item when given; otherwise the one of that day
    that ends last."""
    items = _items(visit)
    if after is None or _wall(after.starts_at, visit).date() != day:
        on_day = [i for i in items if _wall(i.starts_at, visit).date() == day]
        after = max(on_day, key=lambda i: (i.ends_at, i.id), default=None)
    kind = kind or ItemKind.TALK
    length = kind_lengths(visit).get(kind, DEFAULT_LENGTH)
    if after is not None:
        starts = _wall(after.ends_at, visit)
        venue_id = after.venue_id
    else:
        starts = _day_start(visit, day, items)
        venue_id = None
    # Wall-clock arithmetic: a talk of 45 minutes ends 45 wall minutes later, which is
    # what the organiser types; the rules say if that time does not exist.
    return ItemDefaults(day=day, kind=kind, starts_local=starts, ends_local=starts + length,
                        venue_id=venue_id)


def days_defaults(visit: Visit, kind: ItemKind | None = None) -> dict[str, dict]:
    """Each day's defaults as plain values, for the form's script to switch days in place."""
    result = {}
    for day in visit.days:
        found = item_defaults(visit, day, kind)
        result[day.isoformat()] = {
            "starts_at": f"{found.starts_local:%Y-%m-%dT%H:%M}",
            "ends_at": f"{found.ends_local:%Y-%m-%dT%H:%M}",
            "venue_id": "" if found.venue_id is None else str(found.venue_id),
        }
    return result
