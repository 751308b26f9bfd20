"""A tour of three visits by three hosts, with rail legs between them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from eventsapp.extensions import db
from eventsapp.organisations.models import OrganisationKind
from eventsapp.tours.models import Tour, TourStop, TravelLeg, TravelMode
from eventsapp.visits.models import Visit, VisitStatus
from tests.support import add_to_organisation, make_organisation, make_user, make_visit

CITIES = [("coventry", "Coventry"), ("stoke", "Stoke-on-Trent"), ("hull", "Hull")]


@dataclass
class World:
    tour: Tour
    visits: list[Visit]
    legs: list[TravelLeg]
    convenor: object
    convenor_organisation: object


def make_tour(capacity: int | None = 20, all_or_nothing: bool = False, **visit_fields) -> World:
    convenor_organisation = make_organisation("CIC Regions and Clusters",
                                              kind=OrganisationKind.CONVENOR)
    convenor = make_user("convenor@example.org", organisation=convenor_organisation)
    tour = Tour(slug="smaller-cities", title="Revitalising smaller cities",
                summary="Three cities.", organisation=convenor_organisation,
                all_or_nothing=all_or_nothing)
    db.session.add(tour)
    start = datetime.now(UTC).date() + timedelta(days=30)
    visits = []
    for n, (slug, city) in enumerate(CITIES):
        host = make_organisation(f"{city} cluster")
        visit = make_visit(slug=f"tour-{slug}", title=f"Delegation: {city}", city=city,
                           host=f"{city} cluster", organisation=host,
                           status=VisitStatus.PUBLISHED, capacity=capacity,
                           start_date=start + timedelta(days=7 * n),
                           **visit_fields)
        db.session.add(TourStop(tour=tour, visit=visit, position=n))
        visit.tour = tour
        visits.append(visit)
    legs = []
    for n in range(2):
        day = visits[n].end_date
        departs = datetime(day.year, day.month, day.day, 17, 0, tzinfo=UTC)
        leg = TravelLeg(tour=tour, mode=TravelMode.RAIL, sequence=0,
                        departs_from=f"{visits[n].city} station", departs_at=departs,
                        arrives_at_place=f"{visits[n + 1].city} station",
                        arrives_at=departs + timedelta(hours=2), notes="Seats reserved.",
                        from_visit=visits[n], to_visit=visits[n + 1])
        db.session.add(leg)
        legs.append(leg)
    db.session.commit()
    return World(tour, visits, legs, convenor, convenor_organisation)


def viewer_of(organisation, email: str = "viewer@example.org"):
    user = make_user(email, organisation=None)
    add_to_organisation(organisation, user, "viewer")
    return user
