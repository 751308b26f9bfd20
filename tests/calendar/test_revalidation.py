"""Conditional GETs of the public calendars are answered before Flask once Flask has
answered one (eventsapp.revalidation): the same 304, one query, and never stale."""

from __future__ import annotations

import pytest

from eventsapp.extensions import db
from eventsapp.models import VisitStatus
from eventsapp.revalidation import Revalidator
from eventsapp.services import notices
from tests.factories import make_item, make_registration, make_venue, make_visit


@pytest.fixture
def visit(organiser):
    visit = make_visit(organisers=[organiser], slug="cic-stoke", status=VisitStatus.PUBLISHED)
    venue = make_venue(visit, name="Spode Works")
    make_item(visit, "09:30", "10:30", title="Welcome", venue=venue)
    make_item(visit, "11:00", "12:00", title="Studio tour", venue=venue)
    return visit


@pytest.fixture
def revalidator(app) -> Revalidator:
    assert isinstance(app.wsgi_app, Revalidator)
    return app.wsgi_app


AGENDA = "/visits/cic-stoke/agenda.ics"


def conditional(client, url: str, etag: str, **kwargs):
    return client.get(url, headers={"If-None-Match": etag}, **kwargs)


def asked_twice(client, url: str) -> list[int]:
    """The statuses of two conditional GETs with the ETag of a first, plain one."""
    etag = client.get(url).headers["ETag"]
    return [conditional(client, url, etag).status_code for _ in range(2)]


def test_the_second_304_comes_from_the_middleware_with_the_same_headers(
        client, visit, revalidator, count_queries):
    etag = client.get(AGENDA).headers["ETag"]
    by_flask = conditional(client, AGENDA, etag)
    assert by_flask.status_code == 304
    assert revalidator.answered == 0

    with count_queries() as queries:
        by_middleware = conditional(client, AGENDA, etag)

    assert by_middleware.status_code == 304
    assert revalidator.answered == 1
    assert by_middleware.data == b""
    assert sorted(by_middleware.headers.items()) == sorted(by_flask.headers.items())
    assert by_middleware.headers["ETag"] == etag
    assert by_middleware.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert len(queries.statements) == 1  # the visit's stamp


def test_a_change_is_served_at_once(client, visit, revalidator):
    etag = client.get(AGENDA).headers["ETag"]
    conditional(client, AGENDA, etag)
    assert conditional(client, AGENDA, etag).status_code == 304

    visit.items[0].title = "Welcome and coffee"
    db.session.commit()

    changed = conditional(client, AGENDA, etag)
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert b"SUMMARY:Welcome and coffee" in changed.data
    assert revalidator.answered == 1
    # The new ETag is answered 304 again: by Flask first, then from here.
    new = changed.headers["ETag"]
    assert [conditional(client, AGENDA, new).status_code for _ in range(2)] == [304, 304]
    assert revalidator.answered == 2


def test_an_unpublished_visit_is_gone_even_for_a_known_etag(client, visit, revalidator):
    etag = client.get(AGENDA).headers["ETag"]
    conditional(client, AGENDA, etag)

    visit.status = VisitStatus.DRAFT
    db.session.commit()

    assert conditional(client, AGENDA, etag).status_code == 404
    assert revalidator.answered == 0


def test_item_feeds_are_answered_too(client, visit, revalidator):
    url = f"/visits/cic-stoke/items/{visit.items[1].id}.ics"
    assert asked_twice(client, url) == [304, 304]
    assert revalidator.answered == 1


@pytest.mark.parametrize("if_none_match, status", [
    ("*", 304),
    ("W/{etag}", 200),  # a weak ETag never matches a strong one for a calendar
    ('"other", {etag}', 304),
    ('"other"', 200),
])
def test_if_none_match_is_read_as_flask_reads_it(client, visit, revalidator,
                                                 if_none_match, status):
    etag = client.get(AGENDA).headers["ETag"]
    conditional(client, AGENDA, etag)  # the entry, made by Flask

    response = conditional(client, AGENDA, if_none_match.format(etag=etag))

    assert response.status_code == status
    assert revalidator.answered == (1 if status == 304 else 0)


def test_another_host_or_a_query_string_goes_to_flask(client, visit, revalidator):
    etag = client.get(AGENDA).headers["ETag"]
    conditional(client, AGENDA, etag)

    # The links in the feed name the host, so its ETag is another host's too.
    other = conditional(client, AGENDA, etag, base_url="https://visits.example.org")
    assert other.status_code == 200
    assert other.headers["ETag"] != etag
    assert conditional(client, AGENDA + "?x=1", etag).status_code == 304
    assert revalidator.answered == 0


def test_personal_feeds_always_go_to_flask(client, visit, revalidator):
    url = f"/feeds/{notices.feed_token(make_registration(visit))}.ics"
    assert asked_twice(client, url) == [304, 304]
    assert revalidator.answered == 0
