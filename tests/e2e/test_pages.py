"""Every main page at 1280 px and at 390 px: nothing sticks out sideways, every control
can be reached with the Tab key, and axe-core finds no serious or critical violation.

A screenshot of each page at each width is written to test-artifacts/screenshots/
(<page>-<width>.png) and axe's full findings, minor ones included, to
test-artifacts/axe/<page>-<width>.json.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest

from eventsapp import create_app
from eventsapp.agenda.models import ItemKind
from eventsapp.checkin import rules as checkin
from eventsapp.extensions import db
from eventsapp.registration.models import OrganisationType, QuestionKind, RegistrationStatus
from eventsapp.registration.rules import limited_items, notices
from eventsapp.visits.models import VisitStatus
from tests.changes.support import log_sample_changes
from tests.conftest import _config, _empty_tables
from tests.e2e.support import (
    WIDTHS,
    axe_violations,
    expect,
    format_violations,
    keyboard_gaps,
    log_in,
    screenshot,
    serious,
    sideways_overflow,
)
from tests.support import (
    PASSWORD,
    SUMMER,
    make_booking,
    make_business,
    make_item,
    make_member,
    make_question,
    make_registration,
    make_showcase,
    make_user,
    make_venue,
    make_visit,
)


@dataclass(frozen=True)
class Page:
    role: str | None  # who looks at it: None (anyone), "member" or "organiser"
    path: Callable[[SimpleNamespace], str]
    heading: str  # the start of its <h1>, to be sure the right page is checked


PAGES = {
    "home": Page(None, lambda s: "/", "Upcoming delegation visits"),
    "visit": Page(None, lambda s: f"/visits/{s.slug}/", "Regions and Clusters"),
    "register": Page(None, lambda s: f"/visits/{s.slug}/register", "Register for"),
    "attendee": Page(None, lambda s: f"/r/{s.manage_token}", "Your registration for"),
    "login": Page(None, lambda s: "/login", "Log in"),
    "member-dashboard": Page("member", lambda s: "/member/", "Clayworks Studio"),
    "member-showcase": Page("member", lambda s: f"/member/showcases/{s.showcase_id}",
                            "Makers' showcase"),
    "member-book": Page("member", lambda s: f"/member/slots/{s.free_slot_id}/book",
                        "Book a showcase slot"),
    "member-booking": Page("member", lambda s: f"/member/bookings/{s.own_booking_id}",
                           "Clay printing in 3D"),
    "organiser-visits": Page("organiser", lambda s: "/organiser/", "Your visits"),
    "organiser-visit": Page("organiser", lambda s: f"/organiser/visits/{s.slug}/",
                            "Regions and Clusters"),
    "organiser-item-form": Page(
        "organiser", lambda s: f"/organiser/visits/{s.slug}/items/{s.tour_id}/edit",
        "Edit “Kiln room tour”"),
    "organiser-new-item": Page(
        "organiser", lambda s: f"/organiser/visits/{s.slug}/items/new", "Add an agenda item"),
    "organiser-agenda-import": Page(
        "organiser", lambda s: f"/organiser/visits/{s.slug}/agenda/import",
        "Import the agenda from CSV"),
    "organiser-duplicate": Page(
        "organiser", lambda s: f"/organiser/visits/{s.slug}/duplicate", "Duplicate “Regions"),
    "organiser-registrations": Page(
        "organiser", lambda s: f"/organiser/visits/{s.slug}/registrations", "Registrations"),
    "organiser-registration-settings": Page(
        "organiser", lambda s: f"/organiser/visits/{s.slug}/registration",
        "Registration settings"),
    "organiser-showcases": Page(
        "organiser", lambda s: f"/organiser/visits/{s.slug}/showcases", "Showcases"),
    "organiser-showcase": Page(
        "organiser", lambda s: f"/organiser/visits/{s.slug}/showcases/{s.showcase_item_id}",
        "Makers' showcase"),
    "organiser-members": Page("organiser", lambda s: "/organiser/members/", "Member businesses"),
    "organiser-check-in": Page(
        "organiser", lambda s: f"/organiser/visits/{s.slug}/check-in", "Check-in"),
    "organiser-check-in-scanned": Page("organiser", lambda s: s.checkin_path, "Ada Delegate"),
    "organiser-dashboard": Page(
        "organiser", lambda s: f"/organiser/visits/{s.slug}/dashboard", "Dashboard"),
    "organiser-run-sheet": Page(
        "organiser", lambda s: f"/organiser/visits/{s.slug}/run-sheet", "Run sheet"),
    "attendee-itinerary": Page(None, lambda s: f"/r/{s.manage_token}/itinerary",
                               "Your itinerary"),
    "organiser-changes": Page(
        "organiser", lambda s: f"/organiser/visits/{s.slug}/changes", "Change log"),
    "organiser-changes-preview": Page(
        "organiser", lambda s: f"/organiser/visits/{s.slug}/changes/preview",
        "Preview of change notices"),
    "organiser-report": Page(
        "organiser", lambda s: f"/organiser/visits/{s.slug}/report", "Impact report"),
}


@pytest.fixture(scope="module")
def site(_schema):
    """One realistic visit, written once for every page check here (they only look)."""
    app = create_app(_config(_schema))
    with app.app_context():
        data = _build_site()
    yield data
    with app.app_context():
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def _build_site() -> SimpleNamespace:
    organiser = make_user(email="olu@platform.example", name="Olu Organiser")
    visit = make_visit(
        organisers=[organiser], slug="cic-stoke", status=VisitStatus.PUBLISHED,
        start_date=SUMMER, title="Regions and Clusters: Stoke-on-Trent",
        host="Platform Creative Cluster", capacity=40, contact_email="visits@platform.example",
        summary="Two days with the city's ceramics studios, makers and the university.\n"
                "Lunch is provided on both days.",
    )
    works = make_venue(visit, latitude=53.0027, longitude=-2.1794,
                       access_notes="Step-free entrance from Elenora Street; lift to every floor.")
    factory = make_venue(visit, name="Emma Bridgewater Factory",
                         address="Lichfield Street, Hanley, Stoke-on-Trent ST1 3EJ")
    make_item(visit, "09:00", "09:30", title="Welcome and the cluster in numbers", venue=works,
              hosts="Dr Ada Lovelace, Staffordshire University\nSam Potter, Platform")
    tour = make_item(visit, "09:45", "10:45", title="Kiln room tour", kind=ItemKind.TOUR,
                     venue=works, capacity=12,
                     description="A walk through the bottle kilns; sturdy shoes, please.")
    showcase_item = make_item(visit, "11:00", "12:00", title="Makers' showcase",
                              kind=ItemKind.SHOWCASE, venue=factory)
    make_item(visit, "12:00", "13:00", title="Lunch", kind=ItemKind.MEAL, venue=factory)
    make_item(visit, "09:30", "11:00", day=1, title="Panel: skills for the clusters",
              kind=ItemKind.PANEL, venue=works)
    showcase = make_showcase(showcase_item, slot_minutes=10, buffer_minutes=2)
    make_question(visit, kind=QuestionKind.SINGLE_CHOICE, label="Which days will you attend?",
                  options="Both days\nThe first day only\nThe second day only", required=True)
    make_question(visit, label="What would you most like to see?",
                  help_text="A studio, a technique, a person.")

    clayworks = make_business(name="Clayworks Studio")
    make_member(clayworks)
    potbank = make_business(name="Potbank Press", website="https://potbank.example",
                            sectors="print, publishing")
    make_member(potbank, email="pat@potbank.example", name="Pat Press")
    glaze = make_business(name="Glaze & Grain", website="glaze.example", sectors="")
    make_booking(showcase.slots[0], potbank, title="Letterpress, live")
    make_booking(showcase.slots[2], glaze, status="pending", title="Tiles from waste glass")

    # The member's own booking is in another visit, so this one's slots are bookable.
    leeds = make_visit(organisers=[organiser], slug="creative-leeds", title="Creative Leeds",
                       city="Leeds", status=VisitStatus.PUBLISHED,
                       start_date=SUMMER + timedelta(days=40))
    leeds_showcase = make_showcase(make_item(leeds, "14:00", "15:00", title="Leeds showcase",
                                             kind=ItemKind.SHOWCASE))
    own = make_booking(leeds_showcase.slots[1], clayworks, status="pending",
                       title="Clay printing in 3D")
    make_visit(organisers=[organiser], slug="draft-visit", title="Sheffield (draft)",
               city="Sheffield")

    ada = make_registration(visit, full_name="Ada Delegate", email="ada@example.org",
                            organisation="Department for Culture", dietary="Vegetarian",
                            organisation_type=OrganisationType.GOVERNMENT)
    limited_items.sign_up(notices.manage_token(ada), tour.id)
    make_registration(visit, full_name="Ben Investor", organisation="North Capital",
                      organisation_type=OrganisationType.INVESTOR)
    make_registration(visit, status=RegistrationStatus.WAITLISTED, full_name="Cy Waiting")
    make_registration(visit, status=RegistrationStatus.PENDING_APPROVAL, full_name="Di Pending")
    log_sample_changes(visit, organiser, tour)
    return SimpleNamespace(
        slug=visit.slug,
        manage_token=notices.manage_token(ada),
        checkin_path=checkin.path(ada),
        showcase_id=showcase.id,
        showcase_item_id=showcase_item.id,
        free_slot_id=showcase.slots[1].id,
        own_booking_id=own.id,
        tour_id=tour.id,
        logins={"organiser": organiser.email, "member": "member@clayworks.example"},
    )


@pytest.fixture(scope="module")
def logged_in(site, browser, live_server):
    """The cookies of a member and of an organiser, each logged in once through the form."""
    states = {None: None}
    for role, email in site.logins.items():
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        log_in(page, email, PASSWORD)
        states[role] = context.storage_state()
        context.close()
    return states


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("name", list(PAGES))
def test_page_fits_works_by_keyboard_and_passes_axe(site, logged_in, new_page, name, width):
    spec = PAGES[name]
    page = new_page(width, bypass_csp=True, storage_state=logged_in[spec.role])
    response = page.goto(spec.path(site))
    assert response.status == 200, f"{name}: {response.status} at {page.url}"
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("^" + re.escape(spec.heading)))
    screenshot(page, f"{name}-{WIDTHS[width][0]}")

    problems = []
    overflow = sideways_overflow(page)
    if overflow:
        problems.append(
            f"sideways overflow: the page is {overflow['scrollWidth']} px wide in a "
            f"{overflow['innerWidth']} px window; sticking out:\n    "
            + "\n    ".join(overflow["offenders"]))
    violations = serious(axe_violations(page, report_name=f"{name}-{WIDTHS[width][0]}"))
    if violations:
        problems.append("axe-core, serious or critical:\n" + format_violations(violations))
    gaps = keyboard_gaps(page)
    if gaps:
        problems.append("not reachable with the keyboard:\n    " + "\n    ".join(gaps))
    assert not problems, f"{name} at {WIDTHS[width][0]} px\n" + "\n".join(problems)


def test_the_dashboards_number_tables_print_open(site, logged_in, new_page):
    """The numbers behind each chart sit folded in <details>; printing opens them (and
    folds them again afterwards), so the paper copy has them."""
    page = new_page("desktop", storage_state=logged_in["organiser"])
    page.goto(f"/organiser/visits/{site.slug}/dashboard")
    folded = page.locator("details.chart-data")
    assert folded.count() >= 3
    assert folded.evaluate_all("all => all.filter(d => d.open).length") == 0

    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert folded.evaluate_all("all => all.every(d => d.open)")
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert folded.evaluate_all("all => all.filter(d => d.open).length") == 0
