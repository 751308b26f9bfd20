"""Conditional GETs of every feed and of agenda.json, answered by the views with
Werkzeug's own conditional responses: If-None-Match compared weakly (RFC 9110
13.1.2), never stale after a change. (What eventsapp.revalidation used to check,
now on the view's path.)"""

from __future__ import annotations

import pytest

from eventsapp.accounts import rules as users
from eventsapp.agenda.models import ItemKind
from eventsapp.extensions import db
from eventsapp.registration.rules import notices
from eventsapp.visits.models import VisitStatus
from tests.support import (
    make_booking,
    make_business,
    make_item,
    make_member,
    make_registration,
    make_showcase,
    make_venue,
    make_visit,
)

AGENDA = "/visits/cic-stoke/agenda.ics"


@pytest.fixture
def visit(organiser):
    visit = make_visit(organisers=[organiser], slug="cic-stoke", status=VisitStatus.PUBLISHED)
    venue = make_venue(visit, name="Spode Works")
    make_item(visit, "09:30", "10:30", title="Welcome", venue=venue)
    make_item(visit, "11:00", "12:00", title="Studio tour", venue=venue)
    return visit


@pytest.fixture
def urls(visit, organiser) -> dict[str, str]:
    """Every kind of feed, and the agenda as JSON."""
    business = make_business()
    item = make_item(visit, "14:00", "15:00", title="Showcase", kind=ItemKind.SHOWCASE)
    make_booking(make_showcase(item).slots[0], business)
    member = users.ensure_user_feed(make_member(business))
    organiser = users.ensure_user_feed(organiser)
    return {
        "agenda": AGENDA,
        "item": f"/visits/cic-stoke/items/{visit.items[0].id}.ics",
        "json": "/visits/cic-stoke/agenda.json",
        "attendee": f"/feeds/{notices.feed_token(make_registration(visit))}.ics",
        "member": f"/feeds/{users.feed_token(member)}.ics",
        "organiser": f"/feeds/{users.feed_token(organiser)}.ics",
    }


def conditional(client, url: str, if_none_match: str, **kwargs):
    return client.get(url, headers={"If-None-Match": if_none_match}, **kwargs)


@pytest.mark.parametrize("kind", ["agenda", "item", "json", "attendee", "member", "organiser"])
@pytest.mark.parametrize("if_none_match, status", [
    ("{etag}", 304),
    ("W/{etag}", 304),  # weak comparison: a weak tag matches the strong one
    ('"other", W/{etag}', 304),
    ("*", 304),
    ('"other"', 200),
    ('W/"other"', 200),
])
def test_if_none_match_is_compared_weakly(client, urls, kind, if_none_match, status):
    url = urls[kind]
    first = client.get(url)
    etag = first.headers["ETag"]
    assert etag.startswith('"')  # strong: the bytes are the same while it is

    response = conditional(client, url, if_none_match.format(etag=etag))

    assert response.status_code == status
    assert response.headers["ETag"] == etag
    assert response.headers["Cache-Control"] == first.headers["Cache-Control"]
    if status == 304:
        assert response.data == b""
    else:
        assert response.data == first.data


@pytest.mark.parametrize("kind, cache_control", [
    ("agenda", "public, max-age=300, stale-while-revalidate=300"),
    ("item", "public, max-age=300, stale-while-revalidate=300"),
    ("json", "public, max-age=300, stale-while-revalidate=300"),
    ("attendee", "private, max-age=300"),
    ("member", "private, max-age=300"),
    ("organiser", "private, max-age=300"),
])
def test_cache_control_is_kept(client, urls, kind, cache_control):
    assert client.get(urls[kind]).headers["Cache-Control"] == cache_control


def test_if_none_match_wins_over_if_modified_since(client, visit):
    first = client.get(AGENDA)
    response = client.get(AGENDA, headers={"If-None-Match": '"other"',
                                           "If-Modified-Since": first.headers["Last-Modified"]})
    assert response.status_code == 200


def test_a_change_is_served_at_once(client, visit):
    etag = client.get(AGENDA).headers["ETag"]
    assert conditional(client, AGENDA, etag).status_code == 304

    visit.items[0].title = "Welcome and coffee"
    db.session.commit()

    changed = conditional(client, AGENDA, f"W/{etag}")
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert b"SUMMARY:Welcome and coffee" in changed.data
    assert conditional(client, AGENDA, changed.headers["ETag"]).status_code == 304


def test_an_unpublished_visit_is_gone_even_for_a_known_etag(client, visit):
    etag = client.get(AGENDA).headers["ETag"]
    assert conditional(client, AGENDA, etag).status_code == 304

    visit.status = VisitStatus.DRAFT
    db.session.commit()

    assert conditional(client, AGENDA, etag).status_code == 404


def test_another_host_has_its_own_etag(client, visit):
    etag = client.get(AGENDA).headers["ETag"]
    # The links in the feed name the host, so its ETag is another host's too.
    other = conditional(client, AGENDA, etag, base_url="https://visits.example.org")
    assert other.status_code == 200
    assert other.headers["ETag"] != etag
    assert conditional(client, AGENDA + "?x=1", etag).status_code == 304
