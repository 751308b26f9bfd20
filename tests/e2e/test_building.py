"""Building an agenda quickly in Chromium: the next item comes pre-filled, and a CSV
file is checked row by row before anything is saved."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from eventsapp.agenda.models import AgendaItem
from tests.e2e.support import expect, flash_text, log_in, screenshot
from tests.support import PASSWORD, make_venue, make_visit

SUMMER = date(datetime.now(UTC).year + 1, 7, 14)  # always ahead, always on BST


def fresh(db) -> None:
    db.session.rollback()
    db.session.expire_all()


def test_add_an_item_then_the_next_one_comes_pre_filled(organiser, db, page):
    visit = make_visit(organisers=[organiser], slug="cic-stoke", start_date=SUMMER)
    make_venue(visit, name="Spode Works")
    make_venue(visit, name="Middleport Pottery")
    day, next_day = SUMMER.isoformat(), (SUMMER + timedelta(days=1)).isoformat()
    log_in(page, organiser.email, PASSWORD)
    page.goto("/organiser/visits/cic-stoke/")
    page.get_by_role("link", name="Add an agenda item").click()
    expect(page.get_by_label("Starts")).to_have_value(f"{day}T09:00")
    page.get_by_label("Kind").select_option(label="Talk")
    page.get_by_label("Venue").select_option(label="Middleport Pottery")
    page.get_by_label("Title", exact=True).fill("Welcome")
    page.get_by_label("Starts").fill(f"{day}T09:30")
    page.get_by_label("Ends").fill(f"{day}T10:10")
    page.get_by_role("button", name="Add item").click()
    assert "Added “Welcome”." in flash_text(page)

    page.get_by_role("link", name="Add the next item").click()
    page.wait_for_load_state()  # the form's script is in place before a choice is made
    expect(page.get_by_label("Starts")).to_have_value(f"{day}T10:10")
    expect(page.get_by_label("Ends")).to_have_value(f"{day}T10:50")  # as long as the talk
    expect(page.get_by_label("Venue")).to_have_value(str(visit.venues[0].id))
    # the script: another kind takes its own length (an hour when none exists yet) ...
    page.get_by_label("Kind").select_option(label="Break")
    expect(page.get_by_label("Ends")).to_have_value(f"{day}T11:10")
    page.get_by_label("Kind").select_option(label="Talk")
    page.get_by_label("Title", exact=True).fill("Cluster in numbers")
    # ... and another day starts as the first day did, keeping what was typed
    page.get_by_label("Day").select_option(next_day)
    expect(page.get_by_label("Starts")).to_have_value(f"{next_day}T09:30")
    expect(page.get_by_label("Ends")).to_have_value(f"{next_day}T10:10")
    expect(page.get_by_label("Title", exact=True)).to_have_value("Cluster in numbers")
    page.get_by_role("button", name="Add item").click()
    assert "Added “Cluster in numbers”." in flash_text(page)
    fresh(db)
    titles = db.session.scalars(select(AgendaItem.title).order_by(AgendaItem.starts_at)).all()
    assert titles == ["Welcome", "Cluster in numbers"]


def test_import_a_csv_with_an_error_then_the_fixed_one(organiser, db, page, tmp_path):
    visit = make_visit(organisers=[organiser], slug="cic-stoke", start_date=SUMMER)
    make_venue(visit, name="Spode Works")
    day = SUMMER.isoformat()
    header = "date,start,end,title,kind,venue,hosts,description,capacity\n"
    bad = tmp_path / "agenda.csv"
    bad.write_text(header + f"{day},09:30,10:15,Welcome,talk,Spode Works,,,\n"
                   + f"{day},10:30,10:00,Kiln tour,tour,The Moon,,,12\n", encoding="utf-8")
    log_in(page, organiser.email, PASSWORD)
    page.goto("/organiser/visits/cic-stoke/")
    page.get_by_role("link", name="Agenda", exact=True).first.click()
    page.get_by_role("link", name="Import from CSV").first.click()  # the page and its menu
    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=2).first).to_have_text(
        "Nothing was saved: the file has problems")
    problems = page.get_by_role("table", name="Problems, by row")
    expect(problems).to_contain_text("This visit has no venue called “The Moon”")
    expect(problems).to_contain_text("The end (10:00) must be after the start (10:30).")
    expect(page.get_by_role("button", name="Import 2 items")).to_have_count(0)
    screenshot(page, "agenda-import-problems")

    good = tmp_path / "agenda-fixed.csv"
    good.write_text(header + f"{day},09:30,10:15,Welcome,talk,Spode Works,,,\n"
                    + f"{day},10:30,11:30,Kiln tour,tour,Spode Works,,,12\n", encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", name="Ready to import")).to_be_visible()
    fresh(db)
    assert db.session.scalars(select(AgendaItem)).all() == []
    page.get_by_role("button", name="Import 2 items").click()
    assert "Imported 2 agenda items." in flash_text(page)
    expect(page.get_by_role("heading", name="Kiln tour")).to_be_visible()
    fresh(db)
    assert db.session.scalars(select(AgendaItem.title).order_by(AgendaItem.starts_at)
                              ).all() == ["Welcome", "Kiln tour"]
