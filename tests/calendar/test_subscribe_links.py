"""One-click links on the pages: "Add to calendar" for each item of the public agenda,
and "Google Calendar" / "Outlook.com" subscriptions beside webcal:// and the copy box
on the public, the attendee's and the member's pages, naming the page's own feed."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import icalendar

from eventsapp.agenda.models import ItemKind, ItemStatus
from eventsapp.registration.rules import notices
from eventsapp.visits.models import VisitStatus
from tests.conftest import login
from tests.support import (
    make_booking,
    make_business,
    make_item,
    make_member,
    make_registration,
    make_showcase,
    make_visit,
)

HREF = re.compile(r'<a\b[^>]*\bhref="([^"]+)"[^>]*>([^<]+)')


def links(page: str) -> dict[str, list[str]]:
    """{link text: [href, ...]} of the page's links, unescaped."""
    found: dict[str, list[str]] = {}
    for href, text in HREF.findall(page):
        found.setdefault(html.unescape(text).strip(), []).append(html.unescape(href))
    return found


def subscriptions(page: str, https_url: str, name: str) -> None:
    """The page offers Google Calendar and Outlook.com links for ``https_url``."""
    found = links(page)
    [google] = found["Google Calendar"]
    [outlook] = found["Outlook.com"]
    webcal = https_url.replace("http://", "webcal://", 1)
    assert webcal in found[next(t for t in found if t.startswith("Subscribe to"))]

    parts = urlsplit(google)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "calendar.google.com",
                                                        "/calendar/r")
    assert parse_qs(parts.query) == {"cid": [webcal]}
    assert "cid=webcal%3A%2F%2F" in google  # encoded, slashes included

    parts = urlsplit(outlook)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "outlook.live.com",
                                                        "/calendar/0/addfromweb")
    assert parse_qs(parts.query) == {"url": [https_url], "name": [name]}
    assert "url=http%3A%2F%2F" in outlook


def test_each_public_agenda_item_links_its_own_calendar_file(client, organiser):
    visit = make_visit(organisers=[organiser], slug="cic-stoke", status=VisitStatus.PUBLISHED)
    welcome = make_item(visit, "09:30", "10:15", title="Welcome")
    tour = make_item(visit, "11:00", "12:00", title="Studio tour")
    dropped = make_item(visit, "14:00", "15:00", title="Round-table",
                        status=ItemStatus.CANCELLED)

    page = client.get("/visits/cic-stoke/").get_data(as_text=True)

    for item in (welcome, tour):
        url = f"/visits/cic-stoke/items/{item.id}.ics"
        item_block = page[page.index(f'id="item-{item.id}"'):]
        item_block = item_block[:item_block.index("</li>")]
        assert f'href="{url}" download>Add to calendar' in item_block
        assert f"Add to calendar<span class=\"visually-hidden\">: {item.title}</span>" in item_block
        events = icalendar.Calendar.from_ical(client.get(url).data).walk("VEVENT")
        assert [str(e["UID"]) for e in events] == [item.uid]
    assert f"/items/{dropped.id}.ics" not in page  # nothing to add for a cancelled item


def test_the_public_page_offers_google_and_outlook_subscriptions(client, organiser):
    make_visit(organisers=[organiser], slug="cic-stoke", status=VisitStatus.PUBLISHED,
               title="Regions & Clusters: Stoke")

    page = client.get("/visits/cic-stoke/").get_data(as_text=True)

    subscriptions(page, "http://localhost/visits/cic-stoke/agenda.ics",
                  "Regions & Clusters: Stoke")


def test_the_attendees_page_offers_them_for_the_personal_feed(client, organiser):
    visit = make_visit(organisers=[organiser], slug="cic-stoke", status=VisitStatus.PUBLISHED)
    make_item(visit)
    registration = make_registration(visit)

    page = client.get(f"/r/{notices.manage_token(registration)}").get_data(as_text=True)

    subscriptions(page, f"http://localhost/feeds/{notices.feed_token(registration)}.ics",
                  f"{visit.title} (my agenda)")


def test_the_members_page_offers_them_for_the_member_feed(client, organiser):
    visit = make_visit(organisers=[organiser], slug="cic-stoke", status=VisitStatus.PUBLISHED)
    business = make_business()
    make_booking(make_showcase(make_item(visit, kind=ItemKind.SHOWCASE)).slots[0], business)
    member = make_member(business)
    login(client, member)

    page = client.get("/member/").get_data(as_text=True)

    feed = re.search(r'value="(http://localhost/feeds/[^"]+\.ics)" readonly', page).group(1)
    subscriptions(page, feed, "My showcases")
