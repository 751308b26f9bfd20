"""A venue partner's read-only run-sheet link: made and revoked by the visit's
organisers, signed, no login, that venue's items only; revoking stops every copy."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from eventsapp.visits.models import Venue
from tests.conftest import login
from tests.support import make_item, make_user, make_venue, make_visit


def text(response) -> str:
    markup = response.get_data(as_text=True)
    if "<main" in markup:
        markup = markup.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


@pytest.fixture
def visit(app, organiser):
    visit = make_visit(organisers=[organiser], slug="cic-stoke", title="Stoke visit")
    museum = make_venue(visit, name="Potteries Museum")
    spode = make_venue(visit, name="Spode Works")
    make_item(visit, "09:00", "10:00", venue=museum, title="Welcome at the museum")
    make_item(visit, "11:00", "12:00", day=1, venue=museum, title="Collections tour")
    make_item(visit, "13:00", "14:00", venue=spode, title="Lunch at Spode")
    return visit


def museum_id(db) -> int:
    return db.session.scalar(select(Venue.id).where(Venue.name == "Potteries Museum"))


def partner_link(client, slug: str, venue_id: int) -> str:
    page = client.get(f"/organiser/visits/{slug}/").get_data(as_text=True)
    found = re.search(rf'id="partner-link-{venue_id}" value="http://localhost(/partner/[^"]+)"',
                      page)
    return found.group(1) if found else ""


def test_the_venue_s_link_shows_its_run_sheet_only_without_login(db, client, organiser, visit):
    login(client, organiser)
    venue = museum_id(db)
    assert partner_link(client, "cic-stoke", venue) == ""

    made = client.post(f"/organiser/visits/cic-stoke/venues/{venue}/partner-link",
                       follow_redirects=True)
    assert "The read-only run-sheet link for Potteries Museum is ready" in text(made)
    link = partner_link(client, "cic-stoke", venue)
    assert link.startswith("/partner/")

    partner = client.application.test_client()  # nobody logged in
    sheet = partner.get(link)
    assert sheet.status_code == 200
    page = text(sheet)
    assert "Run sheet: Potteries Museum" in page
    assert "Welcome at the museum" in page and "Collections tour" in page
    assert "Lunch at Spode" not in page
    assert sheet.headers["Cache-Control"] == "private, no-store"
    assert "Back to" not in page  # no way into the organiser area
    # Making it again keeps the same link (already sent to the venue).
    client.post(f"/organiser/visits/cic-stoke/venues/{venue}/partner-link")
    assert partner_link(client, "cic-stoke", venue) == link


def test_a_revoked_link_stops_and_a_new_one_differs(db, client, organiser, visit):
    login(client, organiser)
    venue = museum_id(db)
    client.post(f"/organiser/visits/cic-stoke/venues/{venue}/partner-link")
    old = partner_link(client, "cic-stoke", venue)

    revoked = client.post(f"/organiser/visits/cic-stoke/venues/{venue}/partner-link/revoke",
                          follow_redirects=True)
    assert "Revoked the run-sheet link for Potteries Museum" in text(revoked)
    partner = client.application.test_client()
    assert partner.get(old).status_code == 404

    client.post(f"/organiser/visits/cic-stoke/venues/{venue}/partner-link")
    new = partner_link(client, "cic-stoke", venue)
    assert new and new != old
    assert partner.get(old).status_code == 404
    assert partner.get(new).status_code == 200


def test_forged_or_altered_links_open_nothing(db, client, organiser, visit):
    login(client, organiser)
    venue = museum_id(db)
    client.post(f"/organiser/visits/cic-stoke/venues/{venue}/partner-link")
    link = partner_link(client, "cic-stoke", venue)
    partner = client.application.test_client()
    token = link.split("/")[2]
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nonsense",
                "WzEsICJ4Il0.forged"):
        assert partner.get(f"/partner/{bad}/run-sheet").status_code == 404, bad


def test_only_the_visit_s_organisers_make_or_revoke_links(db, client, visit):
    other = make_user(email="other@elsewhere.example")
    login(client, other)
    venue = museum_id(db)
    assert client.post(f"/organiser/visits/cic-stoke/venues/{venue}/partner-link"
                       ).status_code == 404
    db.session.rollback()
    assert db.session.get(Venue, venue).partner_link_nonce is None
