"""The confirmation email's HTML part, opened in Chromium: its buttons lead to the
attendee's private page and to their calendar on the running app; the organiser's message
preview shows the email with its styles under the site's strict policy.

The attendee registers in the browser; the email is delivered over SMTP (aiosmtpd on
loopback) by the outbox worker, and its HTML part is loaded into a page as a mail
program would show it."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlsplit

from eventsapp.visits.models import VisitStatus
from tests.e2e.support import SCREENSHOTS, expect, flash_text, log_in
from tests.e2e.test_journeys import SUMMER, fresh
from tests.mail.smtp import deliver_all, parts
from tests.support import (
    PASSWORD,
    make_item,
    make_registration,
    make_user,
    make_venue,
    make_visit,
)


def _http(url: str) -> str:
    """A webcal:// subscription as the calendar app fetches it (over http here)."""
    return "http://" + url.split("://", 1)[1] if url.startswith("webcal://") else url


def test_the_confirmation_buttons_open_the_private_page_and_the_calendar(db, new_page,
                                                                         live_server):
    visit = make_visit(slug="cic-stoke", status=VisitStatus.PUBLISHED, start_date=SUMMER,
                       host="Platform Stoke", contact_email="hello@example.org")
    venue = make_venue(visit)
    make_item(visit, "09:30", "10:15", title="Welcome", venue=venue)

    page = new_page()
    page.goto("/visits/cic-stoke/register")
    page.get_by_label("Full name").fill("Ada Delegate")
    page.get_by_label("Email", exact=True).fill("ada@example.org")
    page.get_by_label("Organisation", exact=True).fill("Department for Culture")
    page.get_by_label("Type of organisation").select_option(label="Government or policy")
    page.get_by_label("I have read and accept the privacy notice").check()
    page.get_by_role("button", name="Register").click()
    assert "You're registered: your place is confirmed." in flash_text(page)

    fresh(db)
    [message] = deliver_all()
    _, html = parts(message)
    # The inline code as a mail program shows it: its cid: part, here as a data: URL.
    [image] = [p for p in message.walk() if p["Content-ID"] == "<checkin-code@eventsapp>"]
    png = base64.b64encode(image.get_content()).decode()
    mail_view = new_page()
    mail_view.set_content(html.replace("cid:checkin-code@eventsapp",
                                       f"data:image/png;base64,{png}"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    mail_view.screenshot(path=str(SCREENSHOTS / "confirmation-email.png"), full_page=True)
    expect(mail_view.get_by_text("Your first item: Welcome")).to_be_visible()
    expect(mail_view.get_by_text("09:30–10:15 BST")).to_be_visible()
    code = mail_view.get_by_role("img", name="QR code to check in Ada Delegate")
    expect(code).to_be_visible()
    assert code.evaluate("img => img.complete && img.naturalWidth") >= 180

    def href(name: str) -> str:
        return mail_view.get_by_role("link", name=name, exact=True).get_attribute("href")

    # The private page, opened as a click on the button would.
    private = href("Your private page")
    assert private.startswith(live_server.url + "/r/")
    page = new_page()
    assert page.goto(private).status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your registration for Regions and Clusters delegation")

    # Every calendar button reaches the same working feed: the .ics itself, the
    # webcal:// subscription, and the feed named inside the Google and Outlook links.
    feed = href("Download the .ics file")
    webcal = href("Apple Calendar")
    google = parse_qs(urlsplit(href("Google Calendar")).query)["cid"][0]
    outlook = parse_qs(urlsplit(href("Outlook.com")).query)["url"][0]
    assert webcal == "webcal://" + feed.split("://", 1)[1]
    assert google == webcal and outlook == feed
    assert urlsplit(href("Google Calendar")).netloc == "calendar.google.com"
    assert urlsplit(href("Outlook.com")).netloc == "outlook.live.com"
    for url in {feed, _http(webcal)}:
        response = page.request.get(url)
        assert response.status == 200, url
        assert response.headers["content-type"].startswith("text/calendar")
        body = response.text()
        assert "X-WR-CALNAME:" in body and "SUMMARY:Welcome" in body

    # The visit's name links to its public page.
    public = mail_view.get_by_role("link", name="Regions and Clusters delegation").first
    page.goto(public.get_attribute("href"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Regions and Clusters delegation")


def test_the_message_preview_shows_the_styled_email_under_the_strict_policy(db, new_page,
                                                                            live_server):
    """The preview page keeps the site's Content-Security-Policy (new_page fails on
    anything it blocks); the email, from its own route into the sandboxed frame, keeps
    its inline styles."""
    organiser = make_user(email="olu@platform.example", name="Olu Organiser")
    visit = make_visit(organisers=[organiser], slug="cic-stoke", status=VisitStatus.PUBLISHED,
                       start_date=SUMMER, host="Platform Stoke")
    make_registration(visit, full_name="Ada Delegate", email="ada@example.org")

    page = new_page()
    log_in(page, organiser.email, PASSWORD)
    page.goto("/organiser/visits/cic-stoke/messages/new")
    page.get_by_label("Confirmed attendees").check()
    page.get_by_label("Subject").fill("Coaches on Tuesday")
    page.get_by_label("Message").fill("Coaches leave **Stoke station** at 08:45.")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("Preview: 1 person will get this")).to_be_visible()

    email = page.frame_locator("iframe[name=message-example]")
    expect(email.get_by_text("Dear Ada Delegate")).to_be_visible()
    expect(email.locator("strong", has_text="Stoke station")).to_be_visible()
    # The frame's inline styles apply: the email's grey surround and white column.
    assert email.locator("body").evaluate(
        "body => getComputedStyle(body).backgroundColor") == "rgb(244, 244, 242)"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "message-preview.png"), full_page=True)
