"""The demo tour: "Revitalising smaller cities", convened by the CIC Regions and
Clusters sub-group, with Coventry's launch, the Stoke visit and Hull, each by its
own host organisation, and a rail leg between each pair. Only what is missing is
added (a database from before tours gains the tour; its old demo tour is renamed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from eventsapp.accounts.models import Role, User
from eventsapp.accounts.rules import ensure_feed_token, user_with_email
from eventsapp.agenda.models import AgendaItem, ItemKind, ItemStatus
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.organisations import rules as organisations
from eventsapp.organisations.models import (
    Organisation,
    OrganisationKind,
    OrganisationMember,
    OrganisationRole,
)
from eventsapp.timezones import to_utc
from eventsapp.tours.models import Tour, TourStop, TravelLeg, TravelMode
from eventsapp.visits.models import Venue, Visit, VisitStatus

TOUR_SLUG = "revitalising-smaller-cities"
OLD_TOUR_SLUG = "cic-smaller-cities"  # the demo's tour before tours had pages
TOUR_TITLE = "Revitalising smaller cities"
TOUR_SUMMARY = (
    "The Creative Industries Council's Regions and Clusters sub-group visits the creative "
    "clusters of smaller cities to inform national policy: a launch in Coventry, then "
    "Stoke-on-Trent with Platform, then Hull. Each city's own cluster hosts its visit.")
CONVENOR_NAME = "CIC Regions and Clusters sub-group"
CONVENOR_EMAIL = "convenor@demo.eventsapp.test"
CONVENOR_PASSWORD = "demo-convenor-pass"  # noqa: S105 - documented demo account
HOST_PASSWORD = "demo-organiser-pass"  # noqa: S105 - documented demo accounts
ZONE = "Europe/London"

# (slug, title, host organisation, organiser email, organiser name, city, days from
#  the Stoke visit's start, venue, items: (day, start, end, kind, title, description))
OTHER_VISITS = [
    ("cic-coventry", "Regions and Clusters launch: Coventry", "Coventry Creative Cluster",
     "coventry@demo.eventsapp.test", "Jas Dhillon", "Coventry", -7,
     dict(name="Coventry Transport Museum", address="Millennium Place, Hales Street, "
          "Coventry CV1 1JD", latitude=52.4105, longitude=-1.5079),
     [(0, "10:00", "11:00", ItemKind.TALK, "Launch: revitalising smaller cities",
       "The sub-group sets out the programme and what it will ask of each city."),
      (0, "11:15", "12:30", ItemKind.PANEL, "What clusters need from national policy",
       "City leaders, cluster directors and funders."),
      (0, "12:30", "13:30", ItemKind.MEAL, "Lunch", "")]),
    ("cic-hull", "Regions and Clusters delegation: Hull", "Hull Creative Cluster",
     "hull@demo.eventsapp.test", "Megan Carr", "Hull", 7,
     dict(name="Fruit Market studios", address="Humber Street, Hull HU1 1TU",
          latitude=53.7395, longitude=-0.3322),
     [(0, "10:30", "11:30", ItemKind.TALK, "Welcome to the Fruit Market",
       "How a derelict market became the city's creative quarter."),
      (0, "11:45", "13:00", ItemKind.TOUR, "Studio visits along Humber Street", ""),
      (0, "13:00", "14:00", ItemKind.MEAL, "Lunch", "")]),
]


@dataclass
class TourResult:
    slug: str = TOUR_SLUG
    created_tour: bool = False
    created_visits: int = 0
    created_legs: int = 0
    created_people: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # who, email, password

    @property
    def changed(self) -> bool:
        return bool(self.created_tour or self.created_visits or self.created_legs
                    or self.created_people)


def _person(email: str, name: str, password: str, result: TourResult) -> User:
    user = user_with_email(email)
    if user is None:
        user = User(email=email, name=name, role=Role.ORGANISER)
        user.set_password(password)
        ensure_feed_token(user)
        db.session.add(user)
        db.session.flush()
        result.created_people += 1
    return user


def _organisation(name: str, kind: OrganisationKind, owner: User, city: str = ""
                  ) -> Organisation:
    found = organisations.organisation_named(name)
    if found is None:
        found = organisations.make_organisation(name, kind=kind, default_city=city)
    if organisations.role_in(owner, found.id) is None:
        db.session.add(OrganisationMember(organisation=found, user=owner,
                                          role=OrganisationRole.OWNER))
        db.session.flush()
    return found


def _at(day: date, hhmm: str) -> datetime:
    return to_utc(datetime.combine(day, time.fromisoformat(hhmm)), ZoneInfo(ZONE))


def _visit(spec, stoke: Visit, result: TourResult) -> Visit:
    slug, title, host_name, email, name, city, offset, venue, items = spec
    organiser = _person(email, name, HOST_PASSWORD, result)
    host = _organisation(host_name, OrganisationKind.HOST, organiser, city)
    result.logins.append((f"organiser, {host_name}", email, HOST_PASSWORD))
    visit = db.session.scalar(select(Visit).where(Visit.slug == slug))
    if visit is not None:
        return visit
    start = stoke.start_date + timedelta(days=offset)
    visit = Visit(organisation=host, slug=slug, title=title, host=host_name, city=city,
                  timezone=ZONE, start_date=start, end_date=start,
                  summary=f"{title}, hosted by {host_name}, part of {TOUR_TITLE}.",
                  status=VisitStatus.PUBLISHED, first_published_at=utcnow(), capacity=40,
                  waitlist_enabled=True)
    place = Venue(**venue)
    visit.venues.append(place)
    visit.organisers.append(organiser)
    for day, begins, ends, kind, item_title, text in items:
        visit.items.append(AgendaItem(
            kind=kind, title=item_title, description=text, hosts="",
            starts_at=_at(start + timedelta(days=day), begins),
            ends_at=_at(start + timedelta(days=day), ends), venue=place,
            status=ItemStatus.CONFIRMED, sequence=0))
    db.session.add(visit)
    db.session.flush()
    result.created_visits += 1
    return visit


def add_tour(stoke: Visit) -> TourResult:
    """In the caller's transaction: the tour around the demo's Stoke visit."""
    result = TourResult()
    convenor = _person(CONVENOR_EMAIL, "Prof. Ruth Adebayo", CONVENOR_PASSWORD, result)
    convening = _organisation(CONVENOR_NAME, OrganisationKind.CONVENOR, convenor)
    result.logins.append((f"convenor, {CONVENOR_NAME}", CONVENOR_EMAIL, CONVENOR_PASSWORD))
    coventry = _visit(OTHER_VISITS[0], stoke, result)
    hull = _visit(OTHER_VISITS[1], stoke, result)
    tour = db.session.scalar(select(Tour).where(Tour.slug == TOUR_SLUG)) or \
        db.session.scalar(select(Tour).where(Tour.slug == OLD_TOUR_SLUG))
    if tour is None or tour.slug == OLD_TOUR_SLUG or tour.organisation_id is None:
        result.created_tour = True
        tour = tour or Tour(slug=TOUR_SLUG, title=TOUR_TITLE)
        tour.slug, tour.title, tour.summary = TOUR_SLUG, TOUR_TITLE, TOUR_SUMMARY
        tour.organisation = convening
        db.session.add(tour)
        db.session.flush()
    stops = {s.visit_id: s for s in tour.live_stops}
    added = False
    for visit in (coventry, stoke, hull):
        if visit.id not in stops and db.session.scalar(select(TourStop.id).where(
                TourStop.visit_id == visit.id, TourStop.removed_at.is_(None))) is None:
            stops[visit.id] = TourStop(tour=tour, visit=visit)
            db.session.add(stops[visit.id])
            visit.tour = tour
            added = True
    if added:  # the demo's order (an upgraded database had Stoke alone, first)
        for position, visit in enumerate((coventry, stoke, hull)):
            if visit.id in stops:
                stops[visit.id].position = position
    if not tour.legs:
        for leg in _legs(coventry, stoke, hull):
            leg.tour = tour
            db.session.add(leg)
            result.created_legs += 1
    db.session.flush()
    return result


def _legs(coventry: Visit, stoke: Visit, hull: Visit) -> list[TravelLeg]:
    """The morning train to each next city, on its first day."""
    return [
        TravelLeg(mode=TravelMode.RAIL, sequence=0, timezone=ZONE,
                  departs_from="Coventry station", arrives_at_place="Stoke-on-Trent station",
                  departs_at=_at(stoke.start_date, "07:45"),
                  arrives_at=_at(stoke.start_date, "08:50"),
                  from_visit=coventry, to_visit=stoke,
                  notes="Direct train; the group meets at the ticket barrier at 07:30."),
        TravelLeg(mode=TravelMode.RAIL, sequence=0, timezone=ZONE,
                  departs_from="Stoke-on-Trent station", arrives_at_place="Hull Paragon",
                  departs_at=_at(hull.start_date, "07:20"),
                  arrives_at=_at(hull.start_date, "10:05"),
                  from_visit=stoke, to_visit=hull,
                  notes="Change at Sheffield; seats reserved together in coach C."),
    ]
