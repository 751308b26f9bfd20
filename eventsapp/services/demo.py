"""The demo visit: a delegation visit to Stoke-on-Trent's moving-image cluster.

``load_demo`` creates the demo organiser and the visit ``cic-stoke`` if they are not
there yet and leaves them as they are if they are, so running it again changes
nothing. Every time below is a wall time in Europe/London.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from eventsapp.extensions import db
from eventsapp.models import (
    AgendaItem,
    ItemKind,
    ItemStatus,
    Role,
    Tour,
    User,
    Venue,
    Visit,
    VisitStatus,
    utcnow,
)
from eventsapp.services.errors import Conflict
from eventsapp.services.tx import begin_write
from eventsapp.timezones import to_utc

ORGANISER_EMAIL = "organiser@demo.eventsapp.test"
ORGANISER_PASSWORD = "demo-organiser-pass"  # noqa: S105 - documented demo account
ORGANISER_NAME = "Anika Shah"
VISIT_SLUG = "cic-stoke"
TOUR_SLUG = "cic-smaller-cities"
DAYS_AHEAD = 21
ZONE = "Europe/London"


@dataclass(frozen=True)
class DemoResult:
    organiser_email: str
    organiser_password: str
    slug: str
    created_organiser: bool
    created_visit: bool
    start_date: date
    end_date: date
    venue_count: int
    item_count: int

    @property
    def changed(self) -> bool:
        return self.created_organiser or self.created_visit


# --- the data ----------------------------------------------------------------------------

TITLE = "Regions and Clusters delegation: Stoke-on-Trent"
SUMMARY = (
    "Two days with Platform, the moving-image cluster of Stoke-on-Trent and Staffordshire, "
    "for the Creative Industries Council's Regions and Clusters group. Delegates hear what "
    "the cluster's first two years achieved and what its independent evaluation found, "
    "walk round the studios where member companies work, watch a showcase of their "
    "recent projects and talk about how smaller cities can grow a creative economy of "
    "their own, well beyond the city's ceramics heritage."
)

UNIVERSITY, POTTERY, STUDIO, CIVIC = "university", "pottery", "studio", "civic"

VENUES = {
    UNIVERSITY: dict(
        name="Creative Arts Building, Staffordshire University",
        address="College Road, Shelton, Stoke-on-Trent ST4 2DE",
        latitude=53.00905,
        longitude=-2.17795,
        access_notes=(
            "Step-free entrance from College Road; lifts to every floor; accessible "
            "toilets on the ground floor. Five minutes' level walk from Stoke-on-Trent "
            "station. Ask at reception for the delegation room."
        ),
    ),
    POTTERY: dict(
        name="Spode Works Studios",
        address="Elenora Street, Stoke, Stoke-on-Trent ST4 1QQ",
        latitude=53.00322,
        longitude=-2.18431,
        access_notes=(
            "A converted pottery works: the yard is cobbled and uneven in places. The "
            "showcase hall and café are on the ground floor and step-free; two of the "
            "upstairs studios on the tour are reached by stairs only."
        ),
    ),
    STUDIO: dict(
        name="Kiln Yard Studios",
        address="Unit 3, Festival Way, Etruria, Stoke-on-Trent ST1 5PU",
        latitude=53.02671,
        longitude=-2.19702,
        access_notes=(
            "Working production studio: keep to the marked walkways and keep phones on "
            "silent on the sound stage. Step-free throughout; parking on site."
        ),
    ),
    CIVIC: dict(
        name="King's Hall",
        address="Glebe Street, Stoke, Stoke-on-Trent ST4 1HP",
        latitude=53.00468,
        longitude=-2.18226,
        access_notes=(
            "Step-free entrance on Kingsway; hearing loop in the hall; accessible "
            "toilets beside the cloakroom. Four minutes' walk from Spode Works."
        ),
    ),
}

CHAIR = "Marcus Hulme, chair of Platform"
DIRECTOR = "Anika Shah, Platform cluster director"
EVALUATOR = "Tom Everitt, independent evaluation lead"
STUDIO_MANAGER = "Lily Copeland, studio manager, Spode Works Studios"
SUBGROUP_CHAIR = "Prof. Ruth Adebayo, Regions and Clusters sub-group"
COUNCILLOR = "Cllr Dan Meakin, Stoke-on-Trent City Council"
PRODUCER = "Sam Okoro, head of production, Kiln Yard Studios"
ACADEMIC = "Dr Helen Bourne, Staffordshire University"
SKILLS_LEAD = "Priya Kaur, Platform skills lead"

# (day, start, end, kind, title, venue, hosts, capacity, description)
ITEMS = [
    (0, "09:30", "10:15", ItemKind.OTHER, "Arrival coffee and welcome", UNIVERSITY,
     [CHAIR], None,
     "Coffee as the delegation arrives, then a short welcome to the city and an outline "
     "of the two days."),
    (0, "10:15", "11:05", ItemKind.TALK, "Platform at two: what the evaluation found",
     UNIVERSITY, [DIRECTOR, EVALUATOR], None,
     "How the cluster began, what its member companies have achieved nationally and "
     "internationally, and the points for discussion raised by the independent report."),
    (0, "11:05", "11:30", ItemKind.TRAVEL, "Coach to Spode Works Studios", None,
     [], None,
     "The coach leaves from the College Road entrance."),
    (0, "11:30", "12:30", ItemKind.TOUR, "Studio tour: from pot bank to production house",
     POTTERY, [STUDIO_MANAGER], 20,
     "A walk through the former pottery works, now home to animation, post-production "
     "and games studios. Small groups; sign up for a place."),
    (0, "12:30", "13:30", ItemKind.MEAL, "Lunch", POTTERY,
     [], None,
     "Lunch from a local kitchen in the studio café. Tell us about dietary needs when "
     "you register."),
    (0, "13:30", "15:00", ItemKind.SHOWCASE, "Member showcase", POTTERY,
     [DIRECTOR], None,
     "Platform members show recent work in short slots: drama, animation, immersive "
     "and games projects made in Stoke-on-Trent and Staffordshire."),
    (0, "15:00", "16:30", ItemKind.PANEL,
     "Round-table: smaller cities and the creative economy", POTTERY,
     [SUBGROUP_CHAIR, COUNCILLOR, CHAIR], None,
     "How towns and smaller cities can build on what they are good at, close the gap "
     "with the big centres and make the creative industries part of every growth plan."),
    (0, "16:30", "16:45", ItemKind.TRAVEL, "Walk to King's Hall", None,
     [], None,
     "A short, level walk along Kingsway; the coach takes anyone who prefers to ride."),
    (0, "17:00", "19:00", ItemKind.NETWORKING, "Networking reception", CIVIC,
     [CHAIR, COUNCILLOR], None,
     "Drinks and conversation with cluster members, the university and civic partners."),
    (1, "09:00", "09:30", ItemKind.BREAK, "Coffee at the studio", STUDIO,
     [], None,
     "Coffee on arrival at Kiln Yard Studios."),
    (1, "09:30", "10:45", ItemKind.TOUR, "Inside a working production studio", STUDIO,
     [PRODUCER], 16,
     "The sound stage, the edit suites and the kit room, with the people who run them. "
     "Places are limited; sign up when you register."),
    (1, "10:45", "11:10", ItemKind.TRAVEL, "Coach to Staffordshire University", None,
     [], None,
     "The coach leaves from the studio car park."),
    (1, "11:10", "12:20", ItemKind.PANEL, "Skills and higher education links", UNIVERSITY,
     [ACADEMIC, SKILLS_LEAD], None,
     "Placements, graduate retention and the courses that feed the cluster: what works "
     "and what the city region still needs."),
    (1, "12:20", "13:00", ItemKind.TALK, "What the delegation takes back", UNIVERSITY,
     [SUBGROUP_CHAIR, DIRECTOR], None,
     "Closing reflections and next steps for the Regions and Clusters group."),
    (1, "13:00", "14:00", ItemKind.MEAL, "Lunch and departures", UNIVERSITY,
     [], None,
     "A sandwich lunch; taxis to Stoke-on-Trent station on request."),
]


# --- loading -------------------------------------------------------------------------


def load_demo(today: date) -> DemoResult:
    """Create the demo organiser and the demo visit (starting ``today`` + 21 days)
    unless they exist. One transaction, one commit."""
    begin_write()
    organiser = db.session.scalar(
        select(User).where(func.lower(User.email) == ORGANISER_EMAIL)
    )
    if organiser is not None and organiser.role is not Role.ORGANISER:
        db.session.rollback()
        raise Conflict(f"{ORGANISER_EMAIL} exists but is not an organiser account.")
    created_organiser = organiser is None
    if created_organiser:
        organiser = User(email=ORGANISER_EMAIL, name=ORGANISER_NAME, role=Role.ORGANISER)
        organiser.set_password(ORGANISER_PASSWORD)
        db.session.add(organiser)

    visit = db.session.scalar(select(Visit).where(Visit.slug == VISIT_SLUG))
    created_visit = visit is None
    if created_visit:
        visit = _build_visit(today + timedelta(days=DAYS_AHEAD))
        db.session.add(visit)
    if organiser not in visit.organisers and (created_organiser or created_visit):
        visit.organisers.append(organiser)

    db.session.commit()
    return DemoResult(
        organiser_email=ORGANISER_EMAIL,
        organiser_password=ORGANISER_PASSWORD,
        slug=visit.slug,
        created_organiser=created_organiser,
        created_visit=created_visit,
        start_date=visit.start_date,
        end_date=visit.end_date,
        venue_count=len(visit.venues),
        item_count=len(visit.live_items),
    )


def _build_visit(start: date) -> Visit:
    tour = db.session.scalar(select(Tour).where(Tour.slug == TOUR_SLUG)) or Tour(
        slug=TOUR_SLUG, title="Creative Industries Council: Revitalising Smaller Cities"
    )
    visit = Visit(
        tour=tour,
        slug=VISIT_SLUG,
        title=TITLE,
        host="Platform, the Stoke and Staffordshire moving-image cluster",
        city="Stoke-on-Trent",
        timezone=ZONE,
        start_date=start,
        end_date=start + timedelta(days=1),
        summary=SUMMARY,
        status=VisitStatus.PUBLISHED,
        first_published_at=utcnow(),
    )
    venues = {key: Venue(**fields) for key, fields in VENUES.items()}
    visit.venues.extend(venues.values())
    for day, start_hhmm, end_hhmm, kind, title, venue, hosts, capacity, text in ITEMS:
        visit.items.append(AgendaItem(
            kind=kind,
            title=title,
            description=text,
            hosts="\n".join(hosts),
            starts_at=_instant(visit, day, start_hhmm),
            ends_at=_instant(visit, day, end_hhmm),
            venue=venues[venue] if venue else None,
            capacity=capacity,
            status=ItemStatus.CONFIRMED,
            sequence=0,
        ))
    return visit


def _instant(visit: Visit, day: int, hhmm: str) -> datetime:
    wall = datetime.combine(visit.start_date + timedelta(days=day), time.fromisoformat(hhmm))
    return to_utc(wall, visit.zone)
