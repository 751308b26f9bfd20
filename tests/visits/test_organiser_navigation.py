"""Every organiser page can be reached by following links from /organiser/.

The crawl starts at /organiser/ as a logged-in organiser, follows every same-site link
(<a href>, GET only: forms are not submitted) and records which endpoint each URL
answers to. Every GET endpoint of the organiser blueprint must be among them, apart
from the exceptions listed below with their reason, so a new organiser page cannot
be added without a way to get to it.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from werkzeug.exceptions import HTTPException

from eventsapp.agenda.models import ItemKind
from eventsapp.messages.models import Audience
from eventsapp.messages.rules import sending
from eventsapp.registration.models import RegistrationStatus
from eventsapp.visits.models import VisitStatus
from tests.conftest import login
from tests.support import (
    make_booking,
    make_business,
    make_item,
    make_member,
    make_question,
    make_registration,
    make_showcase,
    make_venue,
    make_visit,
)

# GET organiser endpoints the crawl is not expected to reach, and why. Every page an
# organiser reads is linked from another one; these two are not reached by a link.
NOT_LINKED: dict[str, str] = {
    "checkin.check_in_counts": "JSON that the check-in desk's script polls",
    "checkin.scanned": "opened by scanning an attendee's check-in QR code",
}

MAX_PAGES = 400


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _links(base: str, markup: str) -> list[str]:
    """Same-site paths (with their query) linked from a page, fragments dropped."""
    parser = _Links()
    parser.feed(markup)
    found = []
    for href in parser.hrefs:
        parts = urlsplit(urljoin(base, href))
        if parts.scheme not in ("http", "https") or parts.hostname != "localhost":
            continue  # another site, mailto:, webcal:
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def crawl(app, client, start: str = "/organiser/") -> dict[str, tuple[str, int]]:
    """{url: (endpoint, status)} for every page reachable from ``start``."""
    adapter = app.url_map.bind("localhost")
    seen: dict[str, tuple[str, int]] = {}
    queue = deque([start])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        try:
            endpoint, _args = adapter.match(urlsplit(url).path, method="GET")
        except HTTPException:
            seen[url] = ("(no GET route)", 404)
            continue
        response = client.get(url)
        seen[url] = (endpoint, response.status_code)
        if response.status_code == 200 and response.mimetype == "text/html":
            queue.extend(_links(f"http://localhost{url}", response.get_data(as_text=True)))
    assert len(seen) < MAX_PAGES, "the crawl did not finish: a link loop makes new URLs?"
    return seen


def _organiser_get_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/organiser/") and "GET" in rule.methods}


@pytest.fixture
def busy_visit(organiser):
    """A published visit with everything an organiser works with: venues, agenda
    items, a limited item, a showcase with slots and bookings, questions, members and
    registrations in every state; and a draft visit beside it."""
    visit = make_visit(organisers=[organiser], slug="cic-stoke", status=VisitStatus.PUBLISHED,
                       capacity=2)
    hall = make_venue(visit, name="Spode Works", latitude=53.0032, longitude=-2.1843)
    make_venue(visit, name="King's Hall")
    make_item(visit, "09:30", "10:30", title="Welcome", venue=hall)
    make_item(visit, "11:00", "12:00", kind=ItemKind.TOUR, title="Studio tour", capacity=10,
              venue=hall)
    showcase_item = make_item(visit, "13:30", "14:30", kind=ItemKind.SHOWCASE,
                              title="Member showcase", venue=hall)
    showcase = make_showcase(showcase_item)
    first = make_business(name="Saggar Lane Animation")
    second = make_business(name="Marl Hill Games", website="https://marlhill.example")
    make_member(first, email="animation@example.org")
    make_member(second, email="games@example.org", name="Tasha Beardmore")
    make_booking(showcase.slots[0], first, status="approved")
    make_booking(showcase.slots[1], second, status="pending")
    make_question(visit, label="Which studio would you most like to see?")
    make_registration(visit)
    make_registration(visit, status=RegistrationStatus.CONFIRMED)
    make_registration(visit, status=RegistrationStatus.WAITLISTED)
    make_registration(visit, status=RegistrationStatus.PENDING_APPROVAL)
    make_registration(visit, status=RegistrationStatus.CANCELLED)
    sending.send(organiser, visit.slug, sending.Draft(
        "Coaches", "Coaches leave at 9.", frozenset({Audience.CONFIRMED}), draft_key="k"))
    make_visit(organisers=[organiser], slug="draft-visit", title="Next year's visit")
    _tour_around(visit)
    return visit


def _tour_around(visit):
    """A tour the organiser's organisation convenes, with the visit and one leg."""
    from datetime import UTC, datetime, timedelta

    from eventsapp.extensions import db
    from eventsapp.tours.models import Tour, TourStop, TravelLeg, TravelMode

    tour = Tour(slug="smaller-cities", title="Smaller cities",
                organisation_id=visit.organisation_id)
    departs = datetime.now(UTC) + timedelta(days=20)
    db.session.add_all([
        tour, TourStop(tour=tour, visit=visit, position=0),
        TravelLeg(tour=tour, mode=TravelMode.RAIL, sequence=0, departs_from="Coventry",
                  arrives_at_place="Stoke", departs_at=departs,
                  arrives_at=departs + timedelta(hours=1), to_visit=visit)])
    db.session.commit()


def test_every_organiser_page_is_reachable_from_the_organiser_index(
        app, organiser_client, busy_visit):
    pages = crawl(app, organiser_client)

    reached = {endpoint for endpoint, _status in pages.values()}
    missing = _organiser_get_endpoints(app) - reached - set(NOT_LINKED)
    assert not missing, f"organiser pages no link leads to: {sorted(missing)}"
    assert not (set(NOT_LINKED) & reached), "reachable now: take it off NOT_LINKED"
    broken = {url: status for url, (_endpoint, status) in pages.items() if status != 200}
    assert not broken, f"links that do not answer 200: {broken}"


def _section_urls(markup: str) -> list[str]:
    """The seven sections' links, in order, from a page's visit navigation (the tabs)."""
    tabs = markup[markup.index('<ul class="visit-tabs">'):]
    tabs = tabs[:tabs.index("</ul>")]
    return _links("http://localhost/", tabs)


def test_the_visit_page_leads_in_one_click_of_its_sections_to_every_part_of_running_it(
        organiser_client, busy_visit):
    """What the visit page's line of links reached is still one section away."""
    markup = organiser_client.get("/organiser/visits/cic-stoke/").get_data(as_text=True)
    links = set(_links("http://localhost/organiser/visits/cic-stoke/", markup))
    for url in _section_urls(markup):
        page = organiser_client.get(url)
        assert page.status_code == 200
        links |= set(_links(f"http://localhost{url}", page.get_data(as_text=True)))

    showcase_item = next(i for i in busy_visit.items if i.kind is ItemKind.SHOWCASE)
    assert {
        "/organiser/visits/cic-stoke/registration",
        "/organiser/visits/cic-stoke/registrations",
        "/organiser/visits/cic-stoke/catering",
        "/organiser/visits/cic-stoke/showcases",
        f"/organiser/visits/cic-stoke/showcases/{showcase_item.id}",
        "/organiser/visits/cic-stoke/dashboard",
        "/organiser/visits/cic-stoke/run-sheet",
        "/organiser/visits/cic-stoke/check-in",
        "/organiser/visits/cic-stoke/messages",
        "/organiser/visits/cic-stoke/reminders",
        "/organiser/visits/cic-stoke/changes",
        "/organiser/visits/cic-stoke/report",
        "/organiser/members/",
        "/visits/cic-stoke/",
        "/visits/cic-stoke/agenda.ics",
    } <= links


def test_a_draft_visit_page_offers_no_public_links(organiser_client, busy_visit):
    markup = organiser_client.get("/organiser/visits/draft-visit/").get_data(as_text=True)

    links = set(_links("http://localhost/organiser/visits/draft-visit/", markup))
    assert "/organiser/visits/draft-visit/registrations" in links
    assert "/visits/draft-visit/" not in links
    assert "/visits/draft-visit/agenda.ics" not in links


def test_the_site_nav_shows_organisers_their_area_and_the_member_businesses(
        organiser_client, busy_visit):
    markup = organiser_client.get("/").get_data(as_text=True)
    header = markup[markup.index("<header"):markup.index("</header>")]

    assert '<a href="/organiser/">Organiser area</a>' in header
    assert '<a href="/organiser/members/">Member businesses</a>' in header
    assert "/member/" not in header


def test_the_site_nav_shows_members_their_area_only(client, busy_visit):
    login(client, make_member(make_business(name="Kilnlight Post"), email="post@example.org"))
    markup = client.get("/").get_data(as_text=True)
    header = markup[markup.index("<header"):markup.index("</header>")]

    assert '<a href="/member/">Member area</a>' in header
    assert "/organiser/" not in header


def test_visit_page_shows_registration_counts(organiser_client, organiser):
    from eventsapp.registration.models import RegistrationStatus
    from eventsapp.visits.models import VisitStatus
    from tests.support import make_registration, make_visit

    visit = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED, capacity=20,
                       slug="counted")
    make_registration(visit)
    make_registration(visit)
    make_registration(visit, status=RegistrationStatus.WAITLISTED)
    text = organiser_client.get("/organiser/visits/counted/").get_data(as_text=True)
    assert "2 confirmed of 20 places, 1 on the waiting list." in text


# --- the one navigation of a visit's organiser pages -----------------------------------------

SECTION_OF_PAGE = {
    "visits.organiser_visit": "Overview", "dashboard.dashboard": "Overview",
    "visits.edit_visit": "Overview", "visits.edit_venue": "Overview",
    "agenda.edit_item": "Agenda", "changes.changes": "Agenda",
    "changes.changes_preview": "Agenda",
    "registration.registrations": "Registrations", "registration.registration": "Registrations",
    "registration.catering": "Registrations", "registration.edit_question": "Registrations",
    "showcase.showcases": "Showcases", "showcase.showcase": "Showcases",
    "showcase.run_sheet": "Showcases",
    "messages.messages": "Messages", "messages.message": "Messages",
    "messages.reminder_settings": "Messages",
    "checkin.check_in_desk": "On the day", "dashboard.visit_run_sheet": "On the day",
    "dashboard.report": "After the visit",
}


def _marked_tab(markup: str) -> list[tuple[str, str]]:
    tabs = markup[markup.index('<ul class="visit-tabs">'):]
    tabs = tabs[:tabs.index("</ul>")]
    return re.findall(r'aria-current="(page|true)">([^<]+)</a>', tabs)


def test_every_organiser_page_of_a_visit_has_the_navigation_with_its_section_marked(
        app, organiser_client, busy_visit):
    pages = crawl(app, organiser_client)
    checked = set()
    for url, (endpoint, status) in pages.items():
        if not url.startswith("/organiser/visits/cic-stoke/") or status != 200:
            continue
        response = organiser_client.get(url)
        if response.mimetype != "text/html":
            continue
        markup = response.get_data(as_text=True)
        assert markup.count('<nav class="visit-nav') == 1, url
        marked = _marked_tab(markup)
        assert len(marked) == 1, (url, marked)  # one section, whichever the page
        if endpoint in SECTION_OF_PAGE:
            assert marked[0][1] == SECTION_OF_PAGE[endpoint], (url, marked)
            checked.add(endpoint)
        # the menu for phones says the same
        assert f'<span class="visit-menu-here">: {marked[0][1]}</span>' in markup
    assert checked == set(SECTION_OF_PAGE)


def test_the_section_page_is_marked_page_and_a_page_within_it_true(
        organiser_client, busy_visit):
    markup = organiser_client.get("/organiser/visits/cic-stoke/messages").get_data(as_text=True)
    assert _marked_tab(markup) == [("page", "Messages")]
    markup = organiser_client.get("/organiser/visits/cic-stoke/reminders").get_data(as_text=True)
    assert _marked_tab(markup) == [("true", "Messages")]
    assert ('<a href="/organiser/visits/cic-stoke/reminders" aria-current="page">Reminders</a>'
            in markup)


def test_a_visit_page_outside_the_visit_has_no_visit_navigation(organiser_client, busy_visit):
    for url in ("/organiser/", "/organiser/members/", "/organiser/visits/new"):
        assert "visit-nav" not in organiser_client.get(url).get_data(as_text=True), url
