"""The organiser's dashboard of a visit: the numbers read back from its tables and
charts, a fixed number of queries whatever the number of registrations, the empty
state, and who may see it."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pytest

from eventsapp.agenda.models import ItemKind
from eventsapp.registration.models import OrganisationType, RegistrationStatus
from eventsapp.visits.models import Visit, VisitStatus
from tests.conftest import login
from tests.support import (
    make_booking,
    make_business,
    make_item,
    make_registration,
    make_showcase,
    make_user,
    make_visit,
    page_text,
)

SUMMER = date(2030, 6, 12)  # British Summer Time
BASE = "/organiser/visits/cic-stoke"
SVG = "{http://www.w3.org/2000/svg}"
GOV, ACADEMIA, INDUSTRY = (OrganisationType.GOVERNMENT, OrganisationType.ACADEMIA,
                           OrganisationType.INDUSTRY)
INVESTOR, PRESS = OrganisationType.INVESTOR, OrganisationType.PRESS


def table(markup: str, table_id: str) -> dict[str, list[str]]:
    """A table's body rows: the row header's text -> the other cells' texts."""
    match = re.search(rf'<table[^>]*id="{table_id}"[^>]*>(.*?)</table>', markup, re.S)
    assert match, f"no table {table_id}"
    body = match.group(1).split("<tbody>", 1)[1]
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = [page_text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows[cells[0]] = cells[1:]
    return rows


def svgs(markup: str) -> dict[str, ET.Element]:
    """Every chart on the page, parsed as XML (so each must be well-formed), by id."""
    found = {}
    for svg in re.findall(r"<svg\b.*?</svg>", markup, re.S):
        root = ET.fromstring(svg)  # noqa: S314 - the app's own output, in a test
        found[root.find(f"{SVG}title").get("id").removesuffix("-title")] = root
    return found


def svg_texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


@pytest.fixture
def visit(organiser):
    return make_visit(organisers=[organiser], slug="cic-stoke", status=VisitStatus.PUBLISHED,
                      start_date=SUMMER, capacity=10)


def at(day: int, hhmm: str) -> datetime:
    """A UTC instant in the days before the visit."""
    hour, minute = (int(p) for p in hhmm.split(":"))
    return datetime(2030, 5, day, hour, minute, tzinfo=UTC)


def known_data(visit):
    """7 confirmed of 10 places (2 checked in), 3 waiting, 1 awaiting approval, 1
    cancelled; registered over three days of May in London time."""
    kinds = [GOV, GOV, GOV, ACADEMIA, ACADEMIA, INDUSTRY, None]
    created = [at(1, "09:00"), at(1, "10:00"), at(1, "22:59"),  # 1 May (BST)
               at(1, "23:30"), at(2, "12:00"), at(2, "12:00"),  # 2 May: 23:30Z is 00:30 BST
               at(4, "08:00")]
    confirmed = [make_registration(visit, organisation_type=kind, created_at=when)
                 for kind, when in zip(kinds, created, strict=True)]
    for registration in confirmed[:2]:
        registration.checked_in_at = at(20, "09:00")
    for kind in (INVESTOR, INVESTOR, PRESS):
        make_registration(visit, status=RegistrationStatus.WAITLISTED, organisation_type=kind,
                          created_at=at(4, "09:00"))
    make_registration(visit, status=RegistrationStatus.PENDING_APPROVAL,
                      organisation_type=ACADEMIA, created_at=at(4, "10:00"))
    # A cancelled registration counts as received, not as live, and its check-in
    # (from before it was cancelled) is not counted.
    make_registration(visit, status=RegistrationStatus.CANCELLED, organisation_type=PRESS,
                      created_at=at(4, "11:00"), checked_in_at=at(20, "09:00"))


def showcase_data(visit):
    item = make_item(visit, "13:00", "14:00", kind=ItemKind.SHOWCASE,
                     title="Makers' showcase")
    showcase = make_showcase(item, slot_minutes=10, buffer_minutes=2)  # 5 slots
    assert len(showcase.slots) == 5
    make_booking(showcase.slots[0], make_business(name="Clayworks Studio"))
    make_booking(showcase.slots[1], make_business(name="Pixel Mill"), status="pending")
    make_booking(showcase.slots[2], make_business(name="Old Kiln"), status="cancelled")
    showcase.slots[3].blocked = True
    return item


def test_the_dashboard_shows_the_numbers_of_a_known_visit(organiser_client, visit, db):
    known_data(visit)
    item = showcase_data(visit)
    db.session.commit()
    response = organiser_client.get(f"{BASE}/dashboard")
    assert response.status_code == 200
    markup = response.get_data(as_text=True)

    assert table(markup, "table-places") == {
        "Capacity": ["10"], "Confirmed": ["7"], "Places left": ["3"], "Waiting list": ["3"],
        "Awaiting approval": ["1"], "Cancelled": ["1"]}
    assert table(markup, "table-checkins") == {
        "Checked in": ["2"], "Not yet": ["5"], "Confirmed": ["7"]}
    assert table(markup, "table-types") == {
        "Government or policy": ["3"], "Academia": ["3"], "Industry": ["1"],
        "Investor": ["2"], "Press": ["1"], "Other": ["0"], "Not given": ["1"]}
    # Per day in London time: 23:30Z on 1 May is 00:30 on 2 May.
    assert table(markup, "table-over-time") == {
        "Wednesday 1 May 2030": ["3", "3"],
        "Thursday 2 May 2030": ["3", "6"],
        "Saturday 4 May 2030": ["6", "12"]}
    assert table(markup, f"table-showcase-{item.id}") == {
        "Approved": ["1"], "Pending approval": ["1"], "Free": ["2"], "Blocked": ["1"],
        "All slots": ["5"]}
    figures = page_text(re.search(r'<dl class="dash-figures".*?</dl>', markup, re.S).group(0))
    assert "Confirmed 7 of 10 places" in figures
    assert "Checked in 2 of 7 confirmed" in figures


def test_the_charts_are_well_formed_svg_with_the_same_numbers(organiser_client, visit, db):
    known_data(visit)
    item = showcase_data(visit)
    db.session.commit()
    markup = organiser_client.get(f"{BASE}/dashboard").get_data(as_text=True)
    charts = svgs(markup)
    assert set(charts) == {"chart-over-time", "chart-places", "chart-types",
                           "chart-checkins", f"chart-showcase-{item.id}"}
    for chart in charts.values():
        assert chart.get("role") == "img"
        assert "style=" not in ET.tostring(chart, encoding="unicode")

    places = svg_texts(charts["chart-places"])
    assert {"Capacity 10", "Confirmed: 7", "Waiting list: 3", "Awaiting approval: 1"} <= set(
        places)
    assert charts["chart-places"].find(f"{SVG}desc").text.startswith(
        "7 confirmed of 10 places; 3 on the waiting list")
    types = svg_texts(charts["chart-types"])
    assert types[:4] == ["Government or policy", "3", "Academia", "3"]
    assert {"Approved: 1", "Pending approval: 1", "Free: 2", "Blocked: 1"} <= set(
        svg_texts(charts[f"chart-showcase-{item.id}"]))
    assert {"Checked in: 2", "Not yet: 5"} <= set(svg_texts(charts["chart-checkins"]))
    points = [c.find(f"{SVG}title").text
              for c in charts["chart-over-time"].iter(f"{SVG}circle")]
    assert points == ["01 May: 3", "02 May: 6", "03 May: 6", "04 May: 12"]
    # Each chart is followed by its table, inside a <details> for the numbers.
    assert markup.index('id="chart-places-title"') < markup.index('id="table-places"')


def test_no_limit_on_places(organiser_client, organiser, db):
    visit = make_visit(organisers=[organiser], slug="cic-stoke", start_date=SUMMER)
    make_registration(visit)
    markup = organiser_client.get(f"{BASE}/dashboard").get_data(as_text=True)
    assert table(markup, "table-places")["Capacity"] == ["No limit"]
    assert "Places left" not in table(markup, "table-places")
    assert "No limit on places" in svg_texts(svgs(markup)["chart-places"])
    assert svgs(markup)["chart-places"].find(f"{SVG}line") is None


def test_a_visit_without_registrations_says_so_instead_of_empty_charts(organiser_client,
                                                                          visit):
    response = organiser_client.get(f"{BASE}/dashboard")
    assert response.status_code == 200
    markup = response.get_data(as_text=True)
    assert "No registrations yet." in page_text(markup)
    assert "<svg" not in markup
    assert "This visit has no showcase on its agenda." in page_text(markup)


def test_a_showcase_without_slots_links_to_setting_them_up(organiser_client, visit):
    item = make_item(visit, "13:00", "14:00", kind=ItemKind.SHOWCASE, title="Makers")
    markup = organiser_client.get(f"{BASE}/dashboard").get_data(as_text=True)
    assert "No slots yet: set up its slots" in page_text(markup)
    assert f"{BASE}/showcases/{item.id}" in markup


def _registrations(visit, count: int) -> None:
    kinds = [*OrganisationType, None]
    statuses = list(RegistrationStatus)
    for n in range(count):
        make_registration(visit, organisation_type=kinds[n % len(kinds)],
                          status=statuses[n % len(statuses)],
                          created_at=datetime(2030, 3, 1, tzinfo=UTC) + timedelta(hours=7 * n),
                          checked_in_at=datetime(2030, 6, 12, tzinfo=UTC) if n % 3 else None)


def test_the_dashboard_takes_as_many_queries_for_200_registrations_as_for_5(
        organiser_client, visit, count_queries, db):
    showcase_data(visit)
    db.session.commit()
    _registrations(visit, 5)
    organiser_client.get(f"{BASE}/dashboard")  # warm up (caches)
    db.session.remove()  # each request starts with an empty session, as in production
    with count_queries() as few:
        assert organiser_client.get(f"{BASE}/dashboard").status_code == 200
    _registrations(db.session.get(Visit, visit.id), 195)
    db.session.remove()
    with count_queries() as many:
        response = organiser_client.get(f"{BASE}/dashboard")
    assert table(response.get_data(as_text=True), "table-over-time")  # many days drawn
    assert many.count == few.count, "\n".join(many.statements)
    assert few.count <= 10


def test_other_organisers_members_and_visitors_cannot_see_it(client, visit, organiser, db):
    from eventsapp.accounts.models import Role

    other = make_user(email="other@example.org")
    member = make_user(email="member@example.org", role=Role.MEMBER)
    for url in (f"{BASE}/dashboard", f"{BASE}/run-sheet"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(client, member)
    for url in (f"{BASE}/dashboard", f"{BASE}/run-sheet"):
        assert client.get(url).status_code == 403
    client.post("/logout")
    login(client, other)
    for url in (f"{BASE}/dashboard", f"{BASE}/run-sheet", "/organiser/visits/nope/dashboard"):
        assert client.get(url).status_code == 404


def test_the_visit_nav_links_to_the_dashboard_and_the_run_sheet(organiser_client, visit):
    """The dashboard is a page of the Overview section, the run sheet of On the day."""
    markup = organiser_client.get(f"{BASE}/").get_data(as_text=True)
    nav = re.search(r'<nav class="visit-nav.*?</nav>', markup, re.S).group(0)
    assert f'href="{BASE}/dashboard"' in nav
    assert f'<a href="{BASE}/check-in">On the day</a>' in nav
    markup = organiser_client.get(f"{BASE}/check-in").get_data(as_text=True)
    nav = re.search(r'<nav class="visit-nav.*?</nav>', markup, re.S).group(0)
    assert f'href="{BASE}/run-sheet">Run sheet (printable)</a>' in nav
