"""The check-in desk in Chromium on a phone: a tap checks someone in without reloading
the page (static/js/checkin.js), focus stays in the row, and the counts follow check-ins
made at another desk."""

from __future__ import annotations

import re

from eventsapp.checkin import rules as checkin
from eventsapp.extensions import db
from eventsapp.registration.models import Registration
from eventsapp.visits.models import VisitStatus
from tests.e2e.support import expect, log_in
from tests.support import PASSWORD, make_registration, make_visit


def test_one_tap_without_a_reload_and_live_counts(organiser, new_page):
    visit = make_visit(organisers=[organiser], slug="cic-stoke", status=VisitStatus.PUBLISHED)
    ada = make_registration(visit, full_name="Ada Delegate", organisation="Dept for Culture")
    ben = make_registration(visit, full_name="Ben Investor")
    page = new_page("phone")
    log_in(page, organiser.email, PASSWORD)
    page.goto("/organiser/visits/cic-stoke/check-in")
    counts = page.locator(".checkin-counts")
    expect(counts).to_have_text(re.compile(r"0 checked in\s+of 2 confirmed"))
    page.evaluate("window.stillTheSamePage = true")

    page.get_by_role("button", name="Check in Ada Delegate").click()

    row = page.locator(f"#registration-{ada.id}")
    expect(row).to_contain_text("Checked in at")
    expect(row).to_contain_text("by Olu Organiser")
    expect(page.get_by_role("status")).to_contain_text("Checked in Ada Delegate at")
    expect(counts).to_have_text(re.compile(r"1 checked in\s+of 2 confirmed"))
    undo = page.get_by_role("button", name="Undo the check-in of Ada Delegate")
    expect(undo).to_be_focused()
    assert page.evaluate("window.stillTheSamePage") is True  # no reload
    db.session.rollback()
    assert db.session.get(Registration, ada.id).checked_in_at is not None

    # Another desk checks Ben in: these counts catch up within a few seconds.
    checkin.check_in(organiser, "cic-stoke", ben.id)
    expect(counts).to_have_text(re.compile(r"2 checked in\s+of 2 confirmed"), timeout=12_000)

    undo.click()
    expect(row).to_contain_text("Not checked in yet")
    expect(page.get_by_role("button", name="Check in Ada Delegate")).to_be_focused()
    expect(counts).to_have_text(re.compile(r"1 checked in\s+of 2 confirmed"))
    assert page.evaluate("window.stillTheSamePage") is True
