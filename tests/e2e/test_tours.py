"""Tours and organisations in Chromium: a delegate registers for two visits of a tour;
the convenor downloads a travel leg's passenger list; an owner invites a viewer.

The tour itself (three visits by three hosts, rail legs) is written with the factories;
everything each journey is about goes through the browser.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import select

from eventsapp.mail.models import OutboxMessage
from eventsapp.organisations.models import OrganisationMember, OrganisationRole
from eventsapp.tours.rules import registering
from tests.e2e.support import expect, flash_text, log_in
from tests.support import PASSWORD, make_organisation, make_user
from tests.tours.world import make_tour


def fresh(db) -> None:
    """See what the server wrote since (on SQLite a reader keeps its first snapshot)."""
    db.session.rollback()
    db.session.expire_all()


def test_delegate_registers_for_two_visits_of_a_tour(db, page):
    world = make_tour()
    coventry, stoke, hull = world.visits

    page.goto("/tours/smaller-cities/")
    page.get_by_role("link", name="Register for the tour").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Register for Revitalising smaller cities")
    page.get_by_label(f"{coventry.title}:").check()
    page.get_by_label(f"{stoke.title}:").check()
    page.get_by_label("Full name").fill("Ada Delegate")
    page.get_by_label("Email", exact=True).fill("ada@example.org")
    page.get_by_label("Dietary requirements").fill("Vegetarian")
    page.get_by_label("I have read the privacy notice").check()
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your registration for Revitalising smaller cities")
    visits = page.get_by_role("table", name="Your visits")
    expect(visits.get_by_role("row")).to_have_count(3)  # the header and two visits
    for visit in (coventry, stoke):
        row = visits.get_by_role("row").filter(has=page.get_by_role("link", name=visit.title))
        expect(row).to_contain_text("Confirmed")
    expect(visits).not_to_contain_text(hull.title)
    # The private page is private: no cache may keep it.
    assert "no-store" in page.request.get(page.url).headers["cache-control"]


def test_convenor_downloads_a_legs_passenger_list(db, page):
    world = make_tour()
    coventry, stoke, _ = world.visits
    registering.register("smaller-cities", registering.Delegate(
        "Bea Both", "bea@example.org", organisation="DCMS", access_needs="Step-free route",
        privacy_accepted=True), registering.Choices(frozenset({coventry.id, stoke.id})))

    log_in(page, world.convenor.email, PASSWORD)
    page.get_by_role("link", name="Tours").first.click()
    page.get_by_role("link", name="Revitalising smaller cities").click()
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Dashboard: Revitalising smaller cities")
    leg = world.legs[0]
    with page.expect_download() as info:
        page.get_by_role("link", name=f"Download the passenger list (CSV) for {leg.title}"
                         ).click()
    assert info.value.suggested_filename.endswith("passengers.csv")
    text = Path(info.value.path()).read_bytes().decode("utf-8-sig")
    header, *people = list(csv.reader(io.StringIO(text)))
    assert header[:4] == ["Name", "Email", "Organisation", "Visits joined"]
    assert people == [["Bea Both", "bea@example.org", "DCMS",
                       f"{coventry.title}; {stoke.title}", "", "Step-free route",
                       "on the visits at both ends"]]


def test_owner_invites_a_colleague_as_viewer(db, page):
    owner = make_user(email="owner@platform.example", organisation=None)
    platform = make_organisation("Platform", owners=(owner,))

    log_in(page, owner.email, PASSWORD)
    page.get_by_role("link", name="Platform").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Platform")
    expect(page.get_by_role("heading", name="Invite a colleague")).to_be_visible()
    invite = page.locator("form").filter(has=page.get_by_role("button", name="Invite"))
    invite.get_by_label("Name").fill("Vic Viewer")
    invite.get_by_label("Email").fill("vic@platform.example")
    invite.get_by_label("Role").select_option("viewer")
    invite.get_by_role("button", name="Invite").click()
    assert "Invited" in flash_text(page) and "as viewer" in flash_text(page)
    expect(page.get_by_role("row").filter(has_text="vic@platform.example")).to_contain_text(
        "Invited, no password yet")

    fresh(db)
    membership = db.session.scalars(select(OrganisationMember).where(
        OrganisationMember.organisation_id == platform.id,
        OrganisationMember.user.has(email="vic@platform.example"))).one()
    assert membership.role is OrganisationRole.VIEWER
    email = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.to == "vic@platform.example")).one()
    assert "/set-password/" in email.body_text  # their link to choose a password
