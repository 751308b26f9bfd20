"""The demo's data: plain values, no database work (``services.demo`` builds from them).

Every person, business and organisation below is invented; the cluster, Platform, and
the delegation's visit are modelled on the Creative Industries Council's "Regions and
Clusters" visit to Stoke-on-Trent. Every time is a wall time in Europe/London.
"""

from __future__ import annotations

from eventsapp.agenda.models import ItemKind
from eventsapp.registration.models import OrganisationType
from eventsapp.showcase.models import BookingFormat

# --- accounts ------------------------------------------------------------------------------
# Fixed, documented passwords: the demo is for trying the app on your own machine only.

ORGANISER_EMAIL = "organiser@demo.eventsapp.test"
# The host organisation: the visit's host, and the organisation its organiser owns.
HOST_NAME = "Platform, the Stoke and Staffordshire moving-image cluster"
ORGANISER_PASSWORD = "demo-organiser-pass"  # noqa: S105 - documented demo account
ORGANISER_NAME = "Anika Shah"
MEMBER_PASSWORD = "demo-member-pass"  # noqa: S105 - documented demo accounts

VISIT_SLUG = "cic-stoke"
DAYS_AHEAD = 21  # at least three weeks ahead, on the first Tuesday from then
ZONE = "Europe/London"

# --- the visit -----------------------------------------------------------------------------

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


# --- member businesses and their showcase ------------------------------------------------

# The showcase item the demo splits into slots, found by its title in ITEMS.
SHOWCASE_TITLE = "Member showcase"
SLOT_MINUTES = 10
BUFFER_MINUTES = 2
REQUIRES_APPROVAL = True
# Bookings close at this wall time, this many days before the visit's first day.
DEADLINE_DAYS_BEFORE = 2
DEADLINE_TIME = "17:00"


def _booking(slot: int, title: str, format: BookingFormat, equipment: list[str],
             people: list[str], description: str) -> dict:
    return dict(slot=slot, title=title, format=format, equipment=equipment,
                people="\n".join(people), description=description)


# Each business has one login (MEMBER_PASSWORD); ``booking`` is the approved showcase
# booking the demo gives it (slot: index in the showcase, 0 = first), or None.
BUSINESSES = [
    dict(
        name="Saggar Lane Animation",
        website="https://saggar-lane.example",
        sectors="animation, stop-motion, children's TV",
        description=(
            "A stop-motion and 2D animation studio in a former saggar-maker's workshop. "
            "Makes children's series, title sequences and short films, with puppets and "
            "sets built in house."
        ),
        login=dict(name="Megan Colclough", email="animation@demo.eventsapp.test"),
        booking=_booking(
            0, "Clay to screen: a stop-motion pilot", BookingFormat.SCREENING,
            ["power", "screen", "sound"], ["Megan Colclough", "Ravi Thandi"],
            "Four minutes from the pilot of our pre-school series, followed by the puppets "
            "and one of the miniature sets it was shot on. We will show how a day's "
            "shooting turns into seconds of screen time and what a regional studio needs "
            "to win a full series commission.",
        ),
    ),
    dict(
        name="Kilnlight Post",
        website="https://kilnlight.example",
        sectors="post-production, VFX, colour grading, documentary",
        description=(
            "Post-production and visual effects for drama and documentary: edit, grade, "
            "sound mix and compositing from two suites at Spode Works, serving clients "
            "across the Midlands and the North West."
        ),
        login=dict(name="Jonah Hartshorne", email="vfx@demo.eventsapp.test"),
        booking=_booking(
            2, "Before and after: invisible effects in factual TV", BookingFormat.DEMO,
            ["power", "screen", "network"], ["Jonah Hartshorne"],
            "A live breakdown of shots from a recent documentary: set extensions, "
            "clean-ups and a regrade, layer by layer, on a grading panel the delegates can "
            "try. A short word on keeping high-end post work, and the jobs it brings, "
            "outside London.",
        ),
    ),
    dict(
        name="Marl Hill Games",
        website="https://marlhill.example",
        sectors="games, interactive, XR",
        description=(
            "An independent games studio of eight people making narrative games for PC "
            "and consoles, and location-based XR pieces for museums and heritage sites."
        ),
        login=dict(name="Tasha Beardmore", email="games@demo.eventsapp.test"),
        booking=None,  # left free: log in as this member and book a slot
    ),
]


# --- a few delegates already registered (confirmed, no email sent) -----------------------

REGISTRATIONS = [
    dict(full_name="Hannah Whitfield", email="h.whitfield@demo.eventsapp.test",
         organisation="Regions and Clusters sub-group", job_title="Policy adviser",
         organisation_type=OrganisationType.GOVERNMENT, dietary="Vegetarian"),
    dict(full_name="Dr Kwame Asante", email="k.asante@demo.eventsapp.test",
         organisation="Centre for Creative Places, Trentside University",
         job_title="Senior lecturer in cultural economics",
         organisation_type=OrganisationType.ACADEMIA),
    dict(full_name="Ines Carvalho", email="ines.carvalho@demo.eventsapp.test",
         organisation="Northern Screen Investment Fund", job_title="Investment manager",
         organisation_type=OrganisationType.INVESTOR, dietary="No nuts"),
    dict(full_name="Owen Pritchard", email="owen.pritchard@demo.eventsapp.test",
         organisation="Midlands Creative Network", job_title="Director",
         organisation_type=OrganisationType.INDUSTRY,
         access_needs="Step-free routes, please: I use a wheelchair."),
    dict(full_name="Sofia Lindgren", email="sofia.lindgren@demo.eventsapp.test",
         organisation="The Creative Economy Review", job_title="Correspondent",
         organisation_type=OrganisationType.PRESS),
]
