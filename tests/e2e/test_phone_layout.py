"""At 390 px, what a person on a phone would notice: the "Hosted by:" label in one
piece, the registrations table's Email, Status and Open reachable with the name still
in view, a disabled button that looks disabled, and a visit's organiser navigation
folded into one menu.

Screenshots go to test-artifacts/screenshots/phone-*.png.
"""

from __future__ import annotations

import re

import pytest

from eventsapp import create_app
from eventsapp.extensions import db
from eventsapp.visits.models import VisitStatus
from tests.conftest import _config, _empty_tables
from tests.e2e.support import (
    axe_violations,
    expect,
    format_violations,
    log_in,
    screenshot,
    serious,
)
from tests.support import PASSWORD, SUMMER, make_registration, make_user, make_visit

HOST = "Platform, the Stoke and Staffordshire moving-image cluster"  # the demo's host

# The lines a piece of text is laid out on: the distinct tops of its text's boxes.
TEXT_LINES = """element => {
  const range = document.createRange();
  range.selectNodeContents(element);
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
}"""
TEXT_HEIGHT = """element => {
  const range = document.createRange();
  range.selectNodeContents(element);
  return range.getBoundingClientRect().height;
}"""


@pytest.fixture(scope="module")
def site(_schema):
    app = create_app(_config(_schema))
    with app.app_context():
        organiser = make_user(email="olu@platform.example", name="Olu Organiser")
        visit = make_visit(organisers=[organiser], slug="phone-visit",
                           status=VisitStatus.PUBLISHED, start_date=SUMMER, host=HOST,
                           title="Regions and Clusters: Stoke-on-Trent")
        make_registration(visit, full_name="Ada Delegate",
                          email="ada.delegate@department-for-culture.example",
                          organisation="Department for Culture, Media and Sport")
        make_registration(visit, full_name="Ben Investor", email="ben@north-capital.example",
                          organisation="North Capital")
        slug, login = visit.slug, organiser.email
    yield slug, login
    with app.app_context():
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


@pytest.fixture
def organiser_page(site, new_page):
    page = new_page("phone")
    log_in(page, site[1], PASSWORD)
    return page


@pytest.mark.parametrize("name, path", [
    ("home", "/"),
    ("visit", "/visits/{slug}/"),
    ("register", "/visits/{slug}/register"),
])
def test_hosted_by_label_stays_on_one_line_at_390px(site, new_page, name, path):
    page = new_page("phone")
    page.goto(path.format(slug=site[0]))
    label = page.locator(".visit-facts dt", has_text="Hosted by").first
    expect(label).to_be_visible()
    screenshot(page, f"phone-hosted-by-{name}")

    assert label.evaluate(TEXT_LINES) == 1, f"'Hosted by' is split over lines on {name}"
    city = page.locator(".visit-facts dt", has_text="City").first
    assert label.evaluate(TEXT_HEIGHT) <= city.evaluate(TEXT_HEIGHT) + 1  # as tall as "City"
    # The host's name is all there, wrapped between words, inside the window.
    host = page.locator(".visit-facts dd", has_text="Platform,").first
    expect(host).to_have_text(HOST)
    host_box = host.bounding_box()
    assert host_box["x"] >= 0 and host_box["x"] + host_box["width"] <= 390
    assert host_box["width"] > 120, "the host's name is squeezed into a sliver"


def test_registrations_table_keeps_the_name_in_view_while_it_scrolls(site, organiser_page):
    page = organiser_page
    page.goto(f"/organiser/visits/{site[0]}/registrations")
    expect(page.get_by_text("Scroll the table sideways")).to_be_visible()
    row = page.locator("tr", has_text="Ada Delegate")
    name_cell = row.locator("td").first
    wrap = page.locator(".table-wrap").first
    screenshot(page, "phone-registrations-start")

    for header in ("Email", "Status", "Actions"):
        index = page.locator("thead th").all_inner_texts().index(header)
        cell = row.locator("td").nth(index)
        cell.scroll_into_view_if_needed()
        box, name_box = cell.bounding_box(), name_cell.bounding_box()
        # The cell is on screen, beside (not under) the name, which is still in view.
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390.5, (header, box)
        assert name_box["x"] >= 0 and name_box["x"] + name_box["width"] <= 390, header
        assert box["x"] >= name_box["x"] + name_box["width"] - 1, (header, box, name_box)
        centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        on_top = page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('td')"
                               "?.cellIndex", list(centre))
        assert on_top == index, f"the {header} cell is covered"
    expect(name_cell).to_contain_text("Ada Delegate")
    assert wrap.evaluate("el => el.scrollLeft") > 0
    screenshot(page, "phone-registrations-scrolled")

    # And it is a link a finger can follow: Open leads to Ada's registration.
    row.get_by_role("link", name="Open").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ada Delegate")


def test_a_disabled_button_looks_disabled(site, organiser_page):
    """Before the visit, "Request feedback" cannot be pressed, and it shows: grey, not
    the brand colour of the buttons that work, and the not-allowed pointer."""
    page = organiser_page
    page.goto(f"/organiser/visits/{site[0]}/report")
    button = page.get_by_role("button", name="Request feedback")
    expect(button).to_be_disabled()
    button.scroll_into_view_if_needed()
    screenshot(page, "phone-disabled-button")
    style = button.evaluate("b => { const s = getComputedStyle(b);"
                            " return [s.backgroundColor, s.color, s.cursor]; }")
    brand = page.evaluate("getComputedStyle(document.querySelector('.site-header'))"
                          ".backgroundColor")
    assert style[0] != brand, "the disabled button has the brand colour of a working one"
    assert style[2] == "not-allowed"
    assert style[0] == "rgb(228, 230, 233)" and style[1] == "rgb(95, 100, 107)"


SECTIONS = ["Overview", "Agenda", "Registrations", "Showcases", "Messages", "On the day",
            "After the visit"]


def test_the_visit_navigation_is_one_menu_on_a_phone(site, new_page):
    """Collapsed at first, opened from the keyboard, the current page marked; axe clean."""
    page = new_page("phone", bypass_csp=True)  # axe is injected as an inline script
    log_in(page, site[1], PASSWORD)
    page.goto(f"/organiser/visits/{site[0]}/registrations")
    nav = page.get_by_role("navigation", name="Organising Regions and Clusters: Stoke-on-Trent")
    menu = nav.locator("details.visit-menu")
    summary = menu.locator("summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_text("Menu: Registrations")
    expect(nav.locator(".visit-tabs")).to_be_hidden()  # the wide screen's tabs
    expect(menu.get_by_role("link", name="Overview", exact=True)).to_be_hidden()
    assert menu.evaluate("d => d.open") is False
    assert summary.bounding_box()["height"] >= 44  # a finger's worth
    screenshot(page, "phone-visit-menu-closed")

    summary.focus()
    page.keyboard.press("Enter")
    links = menu.get_by_role("link")
    expect(links).to_have_text(SECTIONS)
    current = menu.get_by_role("link", name="Registrations", exact=True)
    expect(current).to_be_visible()
    expect(current).to_have_attribute("aria-current", "page")
    expect(menu.locator("[aria-current]")).to_have_count(1)
    for link in links.all():
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, link.inner_text()
    screenshot(page, "phone-visit-menu-open")
    violations = serious(axe_violations(page, "phone-visit-menu-open"))
    assert not violations, format_violations(violations)

    # Tab reaches the sections in order, and Enter follows one.
    page.keyboard.press("Tab")
    expect(menu.get_by_role("link", name="Overview", exact=True)).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/organiser/visits/phone-visit/agenda$"))
    expect(page.locator("details.visit-menu summary")).to_have_text("Menu: Agenda")


def test_the_visit_navigation_is_tabs_on_a_wide_screen(site, new_page):
    page = new_page("desktop", bypass_csp=True)
    log_in(page, site[1], PASSWORD)
    page.goto(f"/organiser/visits/{site[0]}/reminders")
    nav = page.get_by_role("navigation", name="Organising Regions and Clusters: Stoke-on-Trent")
    expect(nav.locator("details.visit-menu")).to_be_hidden()
    tabs = nav.locator(".visit-tabs").get_by_role("link")
    expect(tabs).to_have_text(SECTIONS)
    # A page inside the Messages section: its tab is marked, and the page itself below it.
    expect(tabs.filter(has_text="Messages")).to_have_attribute("aria-current", "true")
    expect(nav.locator(".visit-subnav").get_by_role("link", name="Reminders")).to_have_attribute(
        "aria-current", "page")
    screenshot(page, "desktop-visit-tabs")
    violations = serious(axe_violations(page, "desktop-visit-tabs"))
    assert not violations, format_violations(violations)
