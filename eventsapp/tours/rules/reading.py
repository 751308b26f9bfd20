"""What the tour's public page and the convenor's dashboard show."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventsapp.errors import NotFound
from eventsapp.extensions import db
from eventsapp.registration.models import Registration, RegistrationStatus
from eventsapp.tours.models import Tour, TourRegistration, TourRegistrationStatus, TravelLeg
from eventsapp.tours.rules.access import tour_by_slug
from eventsapp.visits.models import Visit, VisitStatus


def public_visits(tour: Tour) -> list[Visit]:
    """The tour's visits the public may see (published or cancelled), in tour order."""
    return [s.visit for s in tour.live_stops if s.visit.status is not VisitStatus.DRAFT]


def public_tour(slug: str) -> Tour:
    """A tour with at least one visit the public may see; NotFound otherwise."""
    tour = tour_by_slug(slug)
    if not public_visits(tour):
        raise NotFound("No such tour.")
    return tour


def open_visits(tour: Tour) -> list[Visit]:
    return [v for v in public_visits(tour) if v.status is VisitStatus.PUBLISHED]


# --- passengers ------------------------------------------------------------------------------

PASSENGER_RULE = (
    "A leg's passengers are the people registered for the tour who either ticked that "
    "leg when registering, or hold a confirmed place on the visits at both of its ends. "
    "People waiting for a place, awaiting approval or cancelled are not counted.")


@dataclass(frozen=True)
class Passenger:
    tour_registration: TourRegistration
    ticked: bool


def passengers(tour: Tour, delegates: list[TourRegistration],
               confirmed: dict[int, set[int]]) -> dict[int, list[Passenger]]:
    """Each live leg's passengers by leg id (see PASSENGER_RULE). ``confirmed``: the
    visit ids each tour registration holds a confirmed place on."""
    found: dict[int, list[Passenger]] = {}
    for leg in tour.live_legs:
        found[leg.id] = [
            Passenger(d, leg in d.legs) for d in delegates
            if d.status is TourRegistrationStatus.LIVE and (
                leg in d.legs or (leg.from_visit_id is not None and leg.to_visit_id is not None
                                  and {leg.from_visit_id, leg.to_visit_id} <= confirmed[d.id]))]
    return found


def legs_of(tour_registration: TourRegistration, confirmed: set[int]) -> list[TravelLeg]:
    """The legs a delegate travels (PASSENGER_RULE), tombstones of ticked legs included."""
    return [leg for leg in tour_registration.tour.legs if leg in tour_registration.legs or (
        leg.from_visit_id is not None and leg.to_visit_id is not None
        and {leg.from_visit_id, leg.to_visit_id} <= confirmed)]


PASSENGER_HEADER = ("Name", "Email", "Organisation", "Visits joined", "Dietary needs",
                    "Access needs", "On this leg because")


def _confirmed_visits(delegates: list[TourRegistration]) -> dict[int, set[int]]:
    return {d.id: {r.visit_id for r in d.registrations
                   if r.status is RegistrationStatus.CONFIRMED} for d in delegates}


def passenger_list(tour: Tour, leg_id: int) -> tuple[TravelLeg, list[tuple[str, ...]]]:
    """One live leg and its passengers as rows under PASSENGER_HEADER, by name. "Visits
    joined": the tour's visits each holds a place on, with the status when it is not
    confirmed (waiting, awaiting approval)."""
    leg = next((leg for leg in tour.live_legs if leg.id == leg_id), None)
    if leg is None:
        raise NotFound("No such travel leg.")
    delegates = list(db.session.scalars(
        select(TourRegistration).where(TourRegistration.tour_id == tour.id,
                                       TourRegistration.status == TourRegistrationStatus.LIVE)
        .options(selectinload(TourRegistration.legs),
                 selectinload(TourRegistration.registrations))
        .order_by(TourRegistration.full_name, TourRegistration.id)))
    titles = {s.visit_id: s.visit.title for s in tour.live_stops}
    rows = []
    for passenger in passengers(tour, delegates, _confirmed_visits(delegates))[leg.id]:
        d = passenger.tour_registration
        joined = [titles[r.visit_id] + ("" if r.status is RegistrationStatus.CONFIRMED
                                        else f" ({r.status.value.replace('_', ' ')})")
                  for r in d.registrations if r.is_live and r.visit_id in titles]
        rows.append((d.full_name, d.email, d.organisation, "; ".join(joined), d.dietary,
                     d.access_needs,
                     "ticked the leg" if passenger.ticked else "on the visits at both ends"))
    return leg, rows


# --- the convenor's dashboard ----------------------------------------------------------------


@dataclass
class VisitFigures:
    visit: Visit
    counts: dict[str, int]  # by status value
    from_tour: int  # registered through the tour's form
    needs: list[Registration]  # live registrations with dietary or access needs


@dataclass
class Dashboard:
    tour: Tour
    visits: list[VisitFigures]
    several: list[tuple[str, str, list[Visit]]]  # name, email, confirmed/waiting visits
    delegates: list[TourRegistration]
    passengers: dict[int, list[Passenger]]
    passenger_rule: str = PASSENGER_RULE


def dashboard(tour: Tour) -> Dashboard:
    visits = [s.visit for s in tour.live_stops]
    ids = [v.id for v in visits]
    rows = list(db.session.scalars(
        select(Registration).where(Registration.visit_id.in_(ids),
                                   Registration.erased_at.is_(None))
        .order_by(Registration.full_name, Registration.id))) if ids else []
    by_visit: dict[int, list[Registration]] = defaultdict(list)
    for row in rows:
        by_visit[row.visit_id].append(row)
    figures = []
    for visit in visits:
        mine = by_visit[visit.id]
        counts = {status.value: sum(1 for r in mine if r.status is status)
                  for status in RegistrationStatus}
        figures.append(VisitFigures(
            visit, counts, sum(1 for r in mine if r.tour_registration_id and r.is_live),
            [r for r in mine if r.is_live and (r.dietary or r.access_needs)]))
    # People on several visits: the same email live on two or more of the tour's visits,
    # whether they registered through the tour or visit by visit.
    people: dict[str, list[Registration]] = defaultdict(list)
    for row in rows:
        if row.is_live and row.email_key:
            people[row.email_key].append(row)
    visit_by_id = {v.id: v for v in visits}
    several = sorted(
        ((regs[0].full_name, regs[0].email or "", [visit_by_id[r.visit_id] for r in regs])
         for regs in people.values() if len(regs) > 1), key=lambda p: p[0].casefold())
    delegates = list(db.session.scalars(
        select(TourRegistration).where(TourRegistration.tour_id == tour.id)
        .options(selectinload(TourRegistration.legs))
        .order_by(TourRegistration.full_name, TourRegistration.id)))
    confirmed: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        if row.tour_registration_id and row.status is RegistrationStatus.CONFIRMED:
            confirmed[row.tour_registration_id].add(row.visit_id)
    return Dashboard(tour, figures, several, delegates, passengers(tour, delegates, confirmed))
