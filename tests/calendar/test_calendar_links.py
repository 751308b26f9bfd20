"""'Add to calendar' on the attendee's, the member's and the organiser's pages: every
link points at a personal feed that answers and parses, and resetting it kills the
old link at once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from eventsapp.accounts.models import User
from eventsapp.agenda.models import ItemKind
from eventsapp.extensions import db
from eventsapp.registration.models import RegistrationStatus
from eventsapp.registration.rules import notices
from eventsapp.visits.models import VisitStatus
from tests.calendar.readers import parse_both
from tests.conftest import login
from tests.support import (
    SUMMER,
    make_booking,
    make_business,
    make_item,
    make_member,
    make_registration,
    make_showcase,
    make_user,
    make_visit,
)

FEED = re.compile(r'href="(http://localhost/feeds/[A-Za-z0-9_-]{43}\.ics)" download')


def feed_link(html: str) -> str:
    """The one personal feed the page offers, checked three ways: the download link,
    the webcal:// subscription and the https link to copy all name the same feed."""
    found = FEED.findall(html)
    assert len(found) == 1, found
    url = found[0]
    assert f'href="{url.replace("http://", "webcal://", 1)}"' in html
    assert f'value="{url}" readonly' in html
    assert "Add to calendar" in html
    return url


def path(url: str) -> str:
    return url.removeprefix("http://localhost")


def fetch(client, url: str) -> dict[str, dict]:
    response = client.get(path(url))
    assert response.status_code == 200, url
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"].startswith("private")
    return parse_both(response.data)


@pytest.fixture
def visit(organiser):
    return make_visit(organisers=[organiser], slug="cic-stoke", start_date=SUMMER,
                      end_date=SUMMER + timedelta(days=1), status=VisitStatus.PUBLISHED)


# --- the attendee's private page ---------------------------------------------------------------


def test_attendee_page_offers_their_own_feed(client, visit):
    welcome = make_item(visit, "09:30", "10:15", title="Welcome")
    tour = make_item(visit, "11:00", "12:00", title="Studio tour", capacity=10)
    registration = make_registration(visit)

    html = client.get(f"/r/{notices.manage_token(registration)}").get_data(as_text=True)

    url = feed_link(html)
    assert url == f"http://localhost/feeds/{notices.feed_token(registration)}.ics"
    assert "Reset my calendar link" in html
    assert 'data-confirm="Reset your calendar link?' in html
    events = fetch(client, url)
    assert events[welcome.uid]["start"] == welcome.starts_at
    assert events[welcome.uid]["status"] == "CONFIRMED"
    assert tour.uid not in events  # a limited session they have not signed up for


def test_resetting_the_attendee_feed_kills_the_old_link(client, visit):
    make_item(visit, title="Welcome")
    registration = make_registration(visit)
    manage = f"/r/{notices.manage_token(registration)}"
    old = feed_link(client.get(manage).get_data(as_text=True))

    response = client.post(f"{manage}/calendar/reset")

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{manage}#calendar")
    html = client.get(manage).get_data(as_text=True)
    assert "The old link has stopped working" in html
    new = feed_link(html)
    assert new != old
    assert client.get(path(old)).status_code == 404
    assert fetch(client, new)
    assert client.get(manage).status_code == 200  # the private page's own link is kept


def test_reset_with_an_unknown_manage_link_is_404(client, visit):
    assert client.post(f"/r/{'x' * 43}/calendar/reset").status_code == 404


def test_a_cancelled_registration_page_has_no_feed_box(client, visit):
    make_item(visit, title="Welcome")
    registration = make_registration(visit, status=RegistrationStatus.CANCELLED)

    html = client.get(f"/r/{notices.manage_token(registration)}").get_data(as_text=True)

    assert "This registration is cancelled" in html
    assert "Add to calendar" not in html
    assert "/feeds/" not in html
    assert "webcal://" not in html
    assert "Reset my calendar link" not in html


# --- the member dashboard --------------------------------------------------------------------


@pytest.fixture
def showcase_world(visit):
    item = make_item(visit, "13:30", "14:30", kind=ItemKind.SHOWCASE, title="Member showcase")
    showcase = make_showcase(item)
    clayworks, pixel = make_business(name="Clayworks Studio"), make_business(name="Pixel Mill")
    mina = make_member(clayworks, email="mina@clayworks.example")
    piotr = make_member(pixel, email="piotr@pixelmill.example", name="Piotr Pixel")
    return dict(item=item, mina=mina, piotr=piotr,
                a_booking=make_booking(showcase.slots[0], clayworks, title="Clay robots"),
                b_booking=make_booking(showcase.slots[1], pixel, title="Pixel wall"))


def test_member_dashboard_offers_their_feed_even_for_an_older_account(client, showcase_world):
    mina = showcase_world["mina"]
    assert mina.token_nonce is None  # made as accounts were before feeds existed
    login(client, mina)

    url = feed_link(client.get("/member/").get_data(as_text=True))

    events = fetch(client, url)
    booking = showcase_world["a_booking"]
    assert events[booking.uid]["start"] == booking.slot.starts_at
    assert events[booking.uid]["summary"] == "Showcase: Clayworks Studio – Clay robots"
    assert showcase_world["item"].uid in events  # the visit's agenda
    assert showcase_world["b_booking"].uid not in events  # another business's booking
    # The link stays the same from one visit to the dashboard to the next.
    assert feed_link(client.get("/member/").get_data(as_text=True)) == url


def test_resetting_the_member_feed_kills_the_old_link(client, showcase_world):
    login(client, showcase_world["mina"])
    old = feed_link(client.get("/member/").get_data(as_text=True))

    response = client.post("/member/calendar/reset")

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/member/#calendar")
    html = client.get("/member/").get_data(as_text=True)
    assert "The old link has stopped working" in html
    new = feed_link(html)
    assert new != old
    assert client.get(path(old)).status_code == 404
    assert showcase_world["a_booking"].uid in fetch(client, new)


def test_a_member_of_another_business_cannot_reset_someone_elses_feed(client, showcase_world):
    login(client, showcase_world["mina"])
    mina_feed = feed_link(client.get("/member/").get_data(as_text=True))
    client.post("/logout")
    login(client, showcase_world["piotr"])
    piotr_feed = feed_link(client.get("/member/").get_data(as_text=True))

    # The route resets only the caller's own feed: there is nothing to aim at Mina's.
    assert client.post("/member/calendar/reset").status_code == 303
    assert client.post(f"/member/calendar/reset?user_id={showcase_world['mina'].id}"
                       ).status_code == 303
    # Nor the organisers' reset.
    assert client.post("/organiser/calendar/reset").status_code == 403

    assert client.get(path(piotr_feed)).status_code == 404
    assert showcase_world["a_booking"].uid in fetch(client, mina_feed)
    db.session.expire_all()
    assert db.session.get(User, showcase_world["mina"].id).feed_generation == 0


def test_anonymous_visitors_cannot_reset_a_feed(client, showcase_world):
    for url in ("/member/calendar/reset", "/organiser/calendar/reset"):
        response = client.post(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


# --- the organiser's visits ------------------------------------------------------------------


def test_organiser_index_offers_a_feed_of_every_visit_they_run(client, organiser, visit):
    welcome = make_item(visit, "09:30", "10:15", title="Welcome")
    draft = make_visit(organisers=[organiser], slug="draft-visit", start_date=SUMMER)
    planning = make_item(draft, title="Planning lunch")
    someone_else = make_visit(organisers=[make_user(email="other@example.org")],
                              slug="not-mine", status=VisitStatus.PUBLISHED)
    not_mine = make_item(someone_else, title="Not mine")
    login(client, organiser)

    html = client.get("/organiser/").get_data(as_text=True)

    assert "Your visits in your calendar" in html
    events = fetch(client, feed_link(html))
    assert events[welcome.uid]["status"] == "CONFIRMED"
    assert events[planning.uid]["status"] == "TENTATIVE"  # a draft
    assert not_mine.uid not in events


def test_resetting_the_organiser_feed_kills_the_old_link(client, organiser, visit):
    welcome = make_item(visit, title="Welcome")
    login(client, organiser)
    old = feed_link(client.get("/organiser/").get_data(as_text=True))

    response = client.post("/organiser/calendar/reset")

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/organiser/#calendar")
    html = client.get("/organiser/").get_data(as_text=True)
    assert "The old link has stopped working" in html
    new = feed_link(html)
    assert new != old
    assert client.get(path(old)).status_code == 404
    assert welcome.uid in fetch(client, new)


def test_members_cannot_reach_the_organiser_reset(client, organiser, visit, showcase_world):
    login(client, organiser)
    organiser_feed = feed_link(client.get("/organiser/").get_data(as_text=True))
    client.post("/logout")
    login(client, showcase_world["mina"])

    assert client.post("/organiser/calendar/reset").status_code == 403

    assert client.get(path(organiser_feed)).status_code == 200
