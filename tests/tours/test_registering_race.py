"""Sixty delegates register for the same three visits of a tour at once (gunicorn,
4 processes x 4 threads, real HTTP) against the configured database: SQLite, or
PostgreSQL with TEST_DATABASE_URL."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import func, select

from eventsapp.extensions import db
from eventsapp.registration.models import Registration, RegistrationStatus
from eventsapp.tours.models import TourRegistration
from tests.live_server import LiveServer, csrf_token, fire_together
from tests.tours.world import make_tour

pytestmark = pytest.mark.concurrency


@pytest.fixture(scope="module")
def live_server(_schema, tmp_path_factory):
    server = LiveServer(_schema, tmp_path_factory.mktemp("server") / "gunicorn.log")
    yield server
    server.stop()


def tour_job(server, slug: str, visit_ids: list[int], n: int):
    def job(barrier):
        with requests.Session() as http:
            form = http.get(f"{server.url}/tours/{slug}/register", timeout=30)
            token = csrf_token(form.text)
            barrier.wait()
            return http.post(f"{server.url}/tours/{slug}/register", timeout=90, data={
                "csrf_token": token, "full_name": f"Delegate {n}",
                "email": f"delegate{n}@example.org", "privacy_accepted": "y",
                "visits": [str(i) for i in visit_ids]}, allow_redirects=False)
    return job


def counts() -> dict[int, dict[RegistrationStatus, int]]:
    db.session.rollback()  # see what the server committed
    found: dict[int, dict[RegistrationStatus, int]] = {}
    for visit_id, status, n in db.session.execute(
            select(Registration.visit_id, Registration.status, func.count())
            .group_by(Registration.visit_id, Registration.status)):
        found.setdefault(visit_id, {})[status] = n
    return found


def test_sixty_delegates_three_visits_twenty_places(app, live_server):
    world = make_tour(capacity=20)
    ids = [v.id for v in world.visits]

    responses = fire_together([tour_job(live_server, world.tour.slug, ids, n)
                               for n in range(60)])

    assert [r.status_code for r in responses] == [303] * 60, live_server.log()[-3000:]
    assert counts() == {i: {RegistrationStatus.CONFIRMED: 20,
                            RegistrationStatus.WAITLISTED: 40} for i in ids}
    # Served in one order on every visit: the twenty confirmed are the same people on
    # all three (visits locked in id order), and each waiting list keeps that order.
    people = {}
    for visit_id in ids:
        rows = db.session.scalars(select(Registration).where(Registration.visit_id == visit_id)
                                  .order_by(Registration.queued_at, Registration.id)).all()
        people[visit_id] = [r.email_key for r in rows]
        confirmed = [r for r in rows if r.status is RegistrationStatus.CONFIRMED]
        waiting = [r for r in rows if r.status is RegistrationStatus.WAITLISTED]
        assert max(r.queued_at for r in confirmed) <= min(r.queued_at for r in waiting)
    assert people[ids[0]] == people[ids[1]] == people[ids[2]]
    assert db.session.scalar(select(func.count()).select_from(TourRegistration)) == 60


def test_sixty_delegates_all_or_nothing(app, live_server):
    world = make_tour(capacity=20, all_or_nothing=True)
    ids = [v.id for v in world.visits]

    responses = fire_together([tour_job(live_server, world.tour.slug, ids, n)
                               for n in range(60)])

    codes = sorted(r.status_code for r in responses)
    assert codes == [303] * 20 + [422] * 40, live_server.log()[-3000:]
    refused = [r for r in responses if r.status_code == 422]
    assert all("nothing was kept" in r.text for r in refused)
    assert counts() == {i: {RegistrationStatus.CONFIRMED: 20} for i in ids}
    assert db.session.scalar(select(func.count()).select_from(TourRegistration)) == 20
    confirmed = [set(db.session.scalars(select(Registration.email_key).where(
        Registration.visit_id == i))) for i in ids]
    assert confirmed[0] == confirmed[1] == confirmed[2]
