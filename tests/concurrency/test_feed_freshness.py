"""Cached calendars are never stale: after a change, every worker of a real gunicorn
serves the new bytes at the next request (each worker keeps its own cache)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from eventsapp.extensions import db
from eventsapp.visits.models import VisitStatus
from tests.calendar.readers import parse_both
from tests.support import make_items, make_user, make_venue, make_visit

PATHS = ("/visits/fresh/agenda.ics", "/visits/fresh/agenda.json", "/visits/fresh/")


def _many(live_server, path: str, count: int = 48) -> list[requests.Response]:
    # A new connection per request, many at once: gunicorn hands them to every worker.
    def get(_):
        return requests.get(live_server.url + path, timeout=60)

    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(get, range(count)))


def test_every_worker_serves_the_change_at_once(app, live_server):
    organiser = make_user(email="fresh@example.org")
    visit = make_visit(slug="fresh", organisers=[organiser], status=VisitStatus.PUBLISHED)
    items = make_items(visit, 60, venue=make_venue(visit, name="Spode Works"))
    first = items[0]
    for path in PATHS:  # every worker builds and caches its copy
        answers = _many(live_server, path)
        assert {a.status_code for a in answers} == {200}
        assert all("Studio tour" not in a.text for a in answers)
    etags = {a.headers["ETag"] for a in _many(live_server, PATHS[0])}
    assert len(etags) == 1  # the same bytes from every worker

    first.title = "Studio tour"
    first.venue.name = "Middleport Pottery"
    db.session.commit()

    for path in PATHS:
        answers = _many(live_server, path)
        assert {a.status_code for a in answers} == {200}, path
        stale = [a for a in answers if "Studio tour" not in a.text
                 or "Middleport Pottery" not in a.text]
        assert not stale, f"{len(stale)} stale answers from {path}"
    after = _many(live_server, PATHS[0])
    assert len({a.headers["ETag"] for a in after}) == 1
    assert after[0].headers["ETag"] not in etags
    event = parse_both(after[0].content)[first.uid]
    assert event["summary"] == "Studio tour"
