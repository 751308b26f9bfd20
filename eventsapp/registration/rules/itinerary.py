"""An attendee's itinerary: the items they attend, by day in time order, behind their
private link. Which items an attendee attends is decided here once, for the
itinerary and for their calendar feed (services.calendar) alike; this module
imports no other service that could import the calendar back."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventsapp.agenda.models import AgendaItem
from eventsapp.extensions import db
from eventsapp.registration.models import ItemSignup, Registration, RegistrationStatus, SignupStatus
from eventsapp.registration.rules.capacity import waitlist_position
from eventsapp.registration.rules.common import registration_for_token
from eventsapp.timezones import to_local
from eventsapp.visits.models import Visit


def attended_items(items: Iterable[AgendaItem], signups: Iterable[ItemSignup]
                   ) -> list[tuple[AgendaItem, SignupStatus | None]]:
    """The items an attendee attends, in the order given: every item without a
    capacity (with None), and each item with a capacity they hold a live sign-up for
    (with that sign-up's status, confirmed or waitlisted)."""
    mine = {s.item_id: s.status for s in signups if s.status is not SignupStatus.CANCELLED}
    attended = []
    for item in items:
        if item.capacity is None:
            attended.append((item, None))
        elif item.id in mine:
            attended.append((item, mine[item.id]))
    return attended


@dataclass(frozen=True)
class ItineraryEntry:
    item: AgendaItem
    signup: SignupStatus | None  # None: an item everyone attends

    @property
    def waiting(self) -> bool:
        return self.signup is SignupStatus.WAITLISTED


@dataclass(frozen=True)
class Itinerary:
    registration: Registration
    visit: Visit
    position: int | None  # on the visit's waiting list
    days: list[tuple[date, list[ItineraryEntry]]]  # empty for a cancelled registration

    @property
    def status(self) -> RegistrationStatus:
        return self.registration.status


def attendee_itinerary(token: str) -> Itinerary:
    """The itinerary behind a private link; NotFound for an unknown or erased one.
    A cancelled registration has no itinerary (its days are empty)."""
    registration = registration_for_token(token)
    visit = db.session.scalar(
        select(Visit).where(Visit.id == registration.visit_id)
        .options(selectinload(Visit.items).joinedload(AgendaItem.venue))
    )
    days = []
    if registration.is_live:
        by_day: dict[date, list[ItineraryEntry]] = {}
        for item, signup in attended_items(visit.live_items, registration.signups):
            day = to_local(item.starts_at, visit.zone).date()
            by_day.setdefault(day, []).append(ItineraryEntry(item, signup))
        days = sorted(by_day.items())
    return Itinerary(registration, visit, waitlist_position(registration), days)

