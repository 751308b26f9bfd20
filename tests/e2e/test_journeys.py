"""Three journeys through the app in Chromium, finding everything by its label or role.

Data a person would not type in this journey (the visit an attendee registers for, the
member's login) is written with the factories; everything the journey is about goes
through the browser.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from eventsapp.agenda.models import ItemKind
from eventsapp.mail.models import OutboxMessage
from eventsapp.registration.models import Registration, RegistrationStatus
from eventsapp.registration.rules import notices
from eventsapp.showcase.models import BookingStatus, ShowcaseBooking
from eventsapp.visits.models import VisitStatus
from tests.calendar.readers import parse_both
from tests.e2e.support import accept_confirmations, expect, flash_text, log_in, log_out
from tests.support import (
    PASSWORD,
    SUMMER,
    make_business,
    make_item,
    make_member,
    make_showcase,
    make_venue,
    make_visit,
)

PRIVATE_LINK = re.compile(r"https?://\S+?(/r/[A-Za-z0-9_-]+)")


def fresh(db) -> None:
    """See what the server wrote since (on SQLite a reader keeps its first snapshot)."""
    db.session.rollback()
    db.session.expire_all()


def agenda_entry(scope, title: str):
    """The entry (a list item) whose heading is ``title``, in a page or part of one."""
    page = getattr(scope, "page", scope)  # ``has`` takes a locator from the page itself
    return scope.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=title, exact=True)
    )


# --- a. the organiser builds a visit and publishes it ----------------------------------------


def test_organiser_creates_a_visit_with_venues_and_items_and_publishes_it(organiser, page):
    log_in(page, organiser.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your visits")

    page.get_by_role("link", name="Create a visit").click()
    page.get_by_label("Title", exact=True).fill("Creative Leeds delegation")
    page.get_by_label("Web address").fill("creative-leeds")
    page.get_by_label("City").fill("Leeds")
    page.get_by_label("Host", exact=True).fill("Leeds Creative Cluster")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/London")
    page.get_by_label("First day").fill(SUMMER.isoformat())
    page.get_by_label("Last day").fill((SUMMER + timedelta(days=1)).isoformat())
    page.get_by_label("Summary").fill("Two days with the city's studios and makers.")
    page.get_by_role("button", name="Create visit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Creative Leeds delegation")
    expect(page.get_by_text("This visit is a draft")).to_be_visible()

    for name, address, access in [
        ("Temple Works", "Marshall Street, Leeds LS11 9YJ", "Step-free entrance on Sweet Street."),
        ("Duke Studios", "3 Sheaf Street, Leeds LS10 1HD", ""),
    ]:
        page.get_by_role("link", name="Add a venue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Add a venue")
        page.get_by_label("Name").fill(name)
        page.get_by_label("Address").fill(address)
        page.get_by_label("Access notes").fill(access)
        page.get_by_role("button", name="Add venue").click()
        assert f"Added the venue {name}." in flash_text(page)

    day = SUMMER.isoformat()
    for kind, venue, title, start, end, capacity in [
        ("Talk", "Temple Works", "Welcome and the cluster in numbers", "09:30", "10:15", ""),
        ("Tour", "Temple Works", "Print studio tour", "10:30", "11:30", "12"),
        ("Meal", "Duke Studios", "Lunch with the makers", "12:00", "13:00", ""),
    ]:
        page.get_by_role("link", name="Add an agenda item").click()
        page.get_by_label("Kind").select_option(label=kind)
        page.get_by_label("Venue").select_option(label=venue)
        page.get_by_label("Title", exact=True).fill(title)
        page.get_by_label("Starts").fill(f"{day}T{start}")
        page.get_by_label("Ends").fill(f"{day}T{end}")
        page.get_by_label("Capacity").fill(capacity)
        page.get_by_role("button", name="Add item").click()
        assert f"Added “{title}”." in flash_text(page)

    # Items are added on the Agenda's page; publishing is on the visit's overview.
    page.get_by_role("link", name="Overview", exact=True).first.click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published", exact=True)).to_be_visible()

    # The public page, found from the home page as a visitor would.
    page.get_by_role("link", name="eventsapp", exact=True).click()
    page.get_by_role("link", name="Creative Leeds delegation").click()
    expect(page).to_have_url(re.compile(r"/visits/creative-leeds/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Creative Leeds delegation")
    tour = agenda_entry(page, "Print studio tour")
    expect(tour).to_contain_text("10:30–11:30 BST")
    expect(tour).to_contain_text("At Temple Works")
    expect(tour).to_contain_text("Limited to 12 places")
    welcome = agenda_entry(page, "Welcome and the cluster in numbers")
    expect(welcome).to_contain_text("09:30–10:15 BST")
    expect(agenda_entry(page, "Lunch with the makers")).to_contain_text("At Duke Studios")
    venues = page.get_by_role("region", name="Venues")
    venue_names = venues.get_by_role("heading", level=3)
    expect(venue_names).to_have_text(["Duke Studios", "Temple Works"])  # in order of name
    expect(venues).to_contain_text("Step-free entrance on Sweet Street.")
    expect(page.get_by_role("link", name="Register for this visit")).to_be_visible()


# --- b. an attendee registers, signs up for a session, takes the calendar, cancels -----------


def test_attendee_registers_signs_up_downloads_calendar_and_cancels(db, new_page):
    visit = make_visit(slug="cic-stoke", status=VisitStatus.PUBLISHED, start_date=SUMMER)
    venue = make_venue(visit)
    make_item(visit, "09:30", "10:15", title="Welcome", venue=venue)
    make_item(visit, "11:00", "12:00", title="Kiln room tour", kind=ItemKind.TOUR,
              venue=venue, capacity=2)

    page = new_page()
    page.goto("/visits/cic-stoke/")
    page.get_by_role("link", name="Register for this visit").click()
    page.get_by_label("Full name").fill("Ada Delegate")
    page.get_by_label("Email", exact=True).fill("ada@example.org")
    page.get_by_label("Organisation", exact=True).fill("Department for Culture")
    page.get_by_label("Type of organisation").select_option(label="Government or policy")
    page.get_by_label("Dietary requirements").fill("Vegetarian")
    page.get_by_label("I have read and accept the privacy notice").check()
    page.get_by_role("button", name="Register").click()
    assert "You're registered: your place is confirmed." in flash_text(page)

    # The private link, from the email waiting in the outbox, opened in a new browser.
    fresh(db)
    email = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to == "ada@example.org")
    ).one()
    assert "Your place on Regions and Clusters delegation is confirmed (" in email.body_text
    path = PRIVATE_LINK.search(email.body_text).group(1)
    page = new_page()
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your registration for Regions and Clusters delegation")
    expect(page.get_by_role("heading", name="Your place is confirmed")).to_be_visible()

    sessions = page.get_by_role("region", name="Sessions with limited places")
    tour = agenda_entry(sessions, "Kiln room tour")
    expect(tour).to_contain_text("2 of 2 places left")
    tour.get_by_role("button", name="Sign up").click()
    assert "You have a place on “Kiln room tour”." in flash_text(page)
    tour = agenda_entry(page.get_by_role("region", name="Sessions with limited places"),
                        "Kiln room tour")
    expect(tour).to_contain_text("You have a place.")
    expect(tour).to_contain_text("1 of 2 places left")

    fresh(db)
    registration = db.session.scalars(
        select(Registration).where(Registration.email == "ada@example.org")).one()
    events = {e["summary"]: e for e in parse_both(personal_calendar(page, registration)).values()}
    assert set(events) == {"Welcome", "Kiln room tour"}
    assert {e["status"] for e in events.values()} == {"CONFIRMED"}
    assert events["Kiln room tour"]["tzid"] == "Europe/London"

    accept_confirmations(page)
    page.get_by_role("button", name="Cancel my registration").click()
    assert "Your registration is cancelled." in flash_text(page)
    expect(page.get_by_role("heading", name="This registration is cancelled")).to_be_visible()
    fresh(db)
    assert db.session.get(Registration, registration.id).status is RegistrationStatus.CANCELLED
    events = parse_both(personal_calendar(page, registration))
    assert {e["status"] for e in events.values()} == {"CANCELLED"}


def personal_calendar(page, registration) -> bytes:
    """The attendee's own .ics: downloaded from the private page's link where the page
    offers one; otherwise fetched from the feed URL their private link leads to."""
    download = page.get_by_role("link", name=re.compile(r"^Download .*\.ics"))
    personal = [i for i in range(download.count())
                if "/feeds/" in (download.nth(i).get_attribute("href") or "")]
    if personal:
        with page.expect_download() as info:
            download.nth(personal[0]).click()
        return Path(info.value.path()).read_bytes()
    response = page.request.get(f"/feeds/{notices.feed_token(registration)}.ics")
    assert response.ok, response.status
    assert response.headers["content-type"].startswith("text/calendar")
    return response.body()


# --- c. a member books and moves a slot; the organiser approves; the public sees it ----------


def test_member_books_and_moves_a_slot_organiser_approves_public_line_up(db, organiser, page):
    visit = make_visit(slug="cic-stoke", status=VisitStatus.PUBLISHED, start_date=SUMMER,
                       organisers=[organiser])
    item = make_item(visit, "10:00", "11:00", title="Makers' showcase", kind=ItemKind.SHOWCASE,
                     venue=make_venue(visit))
    showcase = make_showcase(item, slot_minutes=10, buffer_minutes=2, requires_approval=True)
    member = make_member(make_business(name="Clayworks Studio"))

    log_in(page, member.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Clayworks Studio")
    page.get_by_role("link", name=re.compile(r"^See the slots of Makers' showcase")).click()
    page.get_by_role("link", name=re.compile(r"^Book this slot at 10:00–10:10")).click()
    page.get_by_label("Title", exact=True).fill("Clay printing in 3D")
    page.get_by_label("Description").fill("A printer that throws pots.")
    page.get_by_label("Demo").check()
    page.get_by_label("Power").check()
    page.get_by_label("Table").check()
    page.get_by_label("Names of the people attending").fill("Mina Maker\nSam Glaze")
    page.get_by_role("button", name="Book this slot").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clay printing in 3D")
    expect(page.locator(".member-status")).to_contain_text("Pending approval")

    page.get_by_role("link", name="Move to another slot").click()
    page.get_by_role("button", name=re.compile(r"^Move here \(10:24–10:34")).click()
    assert "Your booking has moved to the new slot." in flash_text(page)
    expect(page.get_by_text(re.compile(r"10:24–10:34 BST"))).to_be_visible()

    # Not on the public page while it waits for approval.
    page.goto("/visits/cic-stoke/")
    expect(page.get_by_text("Clayworks Studio")).to_have_count(0)
    log_out(page)

    log_in(page, organiser.email, PASSWORD)
    page.get_by_role("link", name="Regions and Clusters delegation").click()
    visit_nav = page.get_by_role("navigation", name=re.compile("^Organising "))
    visit_nav.get_by_role("link", name="Showcases", exact=True).click()
    expect(visit_nav.get_by_role("link", name="Showcases", exact=True)).to_have_attribute(
        "aria-current", "page")
    page.get_by_role("link", name="Makers' showcase").click()
    bookings = page.get_by_role("region", name="Bookings")
    expect(bookings).to_contain_text("Clayworks Studio: Clay printing in 3D")
    bookings.get_by_role("button", name="Approve Clayworks Studio").click()
    expect(page.get_by_role("region", name="Bookings")).to_contain_text("Approved")

    page.get_by_role("link", name=re.compile(r"^Back to the showcases of")).click()
    visit_nav.get_by_role("link", name="Overview", exact=True).click()
    page.get_by_role("link", name="/visits/cic-stoke/").click()
    showcase_entry = agenda_entry(page, "Makers' showcase")
    line_up = showcase_entry.get_by_role("list").filter(has_text="Clayworks Studio")
    expect(line_up).to_contain_text("10:24–10:34")
    expect(line_up).to_contain_text("Clayworks Studio: Clay printing in 3D")

    fresh(db)
    booking = db.session.scalars(select(ShowcaseBooking)).one()
    assert booking.status is BookingStatus.APPROVED
    assert booking.slot_id == showcase.slots[2].id
