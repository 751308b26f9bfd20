"""The organiser's run sheet of a whole visit: every live item by day in time order,
with its venue, hosts, sign-up counts and, for showcases, the bookings, in a fixed
number of queries whatever the size of the agenda (the showcase run sheet of one item is
exports.run_sheet; the visit's run sheet reuses its rows for showcase items)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from eventsapp.accounts.models import User
from eventsapp.agenda.models import AgendaItem
from eventsapp.agenda.rules import agenda_by_day
from eventsapp.extensions import db
from eventsapp.registration.models import ItemSignup, SignupStatus
from eventsapp.showcase.models import ShowcaseBooking
from eventsapp.showcase.rules import lineups
from eventsapp.visits.models import Venue, Visit
from eventsapp.visits.rules import organiser_visit_with_agenda


@dataclass(frozen=True)
class RunSheetItem:
    item: AgendaItem
    confirmed: int = 0  # sign-ups, for an item with a capacity
    waitlisted: int = 0
    bookings: list[ShowcaseBooking] = field(default_factory=list)  # active, in slot order


@dataclass(frozen=True)
class VisitRunSheet:
    visit: Visit
    days: list[tuple[date, list[RunSheetItem]]]


def visit_run_sheet(actor: User, slug: str) -> VisitRunSheet:
    """The run sheet of a visit the actor organises; NotFound otherwise."""
    return _run_sheet(organiser_visit_with_agenda(actor, slug))


def venue_run_sheet(venue: Venue) -> VisitRunSheet:
    """The run sheet of one venue (for its partner's link): the days with something
    at that venue, and only those items."""
    sheet = _run_sheet(venue.visit)
    days = [(day, [entry for entry in entries if entry.item.venue_id == venue.id])
            for day, entries in sheet.days]
    return VisitRunSheet(sheet.visit, [(day, entries) for day, entries in days if entries])


def _run_sheet(visit: Visit) -> VisitRunSheet:
    signups: Counter[tuple[int, SignupStatus]] = Counter()
    for item_id, status, count in db.session.execute(
        select(ItemSignup.item_id, ItemSignup.status, func.count())
        .join(AgendaItem, AgendaItem.id == ItemSignup.item_id)
        .where(AgendaItem.visit_id == visit.id, ItemSignup.status != SignupStatus.CANCELLED)
        .group_by(ItemSignup.item_id, ItemSignup.status)
    ):
        signups[(item_id, status)] = count
    bookings = active_bookings_by_item(visit)
    days = [
        (day, [RunSheetItem(item, signups[(item.id, SignupStatus.CONFIRMED)],
                            signups[(item.id, SignupStatus.WAITLISTED)],
                            bookings.get(item.id, []))
               for item in items])
        for day, items in agenda_by_day(visit)
    ]
    return VisitRunSheet(visit, days)



def active_bookings_by_item(visit: Visit) -> dict[int, list[ShowcaseBooking]]:
    """Approved and pending bookings under their showcase item, in slot order."""
    return lineups.bookings_by_item([visit.id], lineups.ACTIVE)
