"""What shared caches (nginx, a CDN) may keep: public pages for visitors without a
session, public calendars and the agenda JSON; never a page for someone logged in,
nor a private feed or an attendee's own page."""

from __future__ import annotations

import pytest

from eventsapp.registration.rules import notices
from eventsapp.visits.models import VisitStatus
from tests.conftest import login
from tests.support import make_item, make_registration, make_visit

PAGE = "public, max-age=60, stale-while-revalidate=60"
CALENDAR = "public, max-age=300, stale-while-revalidate=300"


@pytest.fixture
def visit(organiser):
    visit = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED)
    make_item(visit, "09:00", "10:00", title="Welcome")
    return visit


def directives(response) -> set[str]:
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",")}


@pytest.mark.parametrize("path", ["/", "/visits/{slug}/"])
def test_public_pages_may_be_kept_by_shared_caches_for_visitors(client, visit, path):
    answer = client.get(path.format(slug=visit.slug))
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == PAGE
    assert "Set-Cookie" not in answer.headers


@pytest.mark.parametrize("path", ["/", "/visits/{slug}/"])
def test_a_logged_in_persons_page_stays_private(app, client, visit, organiser, path):
    url = path.format(slug=visit.slug)
    assert "Log out" not in app.test_client().get(url).get_data(as_text=True)  # kept
    login(client, organiser)
    answer = client.get(url)
    assert answer.status_code == 200
    assert "Log out" in answer.get_data(as_text=True)  # the header shows who is logged in
    assert {"private", "no-cache"} <= directives(answer)
    assert "public" not in directives(answer)
    # ... and what a visitor gets next is still the visitors' page.
    assert "Log out" not in app.test_client().get(url).get_data(as_text=True)


def test_a_page_carrying_a_flashed_message_stays_private(client, visit):
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Your registration is cancelled.")]
    answer = client.get(f"/visits/{visit.slug}/")
    assert "Your registration is cancelled." in answer.get_data(as_text=True)
    assert {"private", "no-cache"} <= directives(answer)
    # Shown once, the message is gone and so is the cookie: the next page is shared.
    assert client.get(f"/visits/{visit.slug}/").headers["Cache-Control"] == PAGE


def test_public_calendars_and_the_agenda_json_are_shared(client, visit):
    item = visit.items[0]
    for path in (f"/visits/{visit.slug}/agenda.ics", f"/visits/{visit.slug}/agenda.json",
                 f"/visits/{visit.slug}/items/{item.id}.ics"):
        assert client.get(path).headers["Cache-Control"] == CALENDAR, path


def test_private_feeds_and_attendee_pages_stay_private(client, visit):
    registration = make_registration(visit, email="ada@example.org")
    feed = client.get(f"/feeds/{notices.feed_token(registration)}.ics")
    own_page = client.get(f"/r/{notices.manage_token(registration)}")
    assert feed.status_code == own_page.status_code == 200
    assert "private" in directives(feed) and "public" not in directives(feed)
    assert own_page.headers["Cache-Control"] == "no-store"
