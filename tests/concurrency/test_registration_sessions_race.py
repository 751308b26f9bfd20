"""Registrations racing for a session's last places, each ticking it on the form
(gunicorn, several processes, against the configured database)."""

from __future__ import annotations

import requests
from sqlalchemy import func, select

from eventsapp.extensions import db
from eventsapp.registration.models import ItemSignup, Registration, RegistrationStatus, SignupStatus
from eventsapp.visits.models import VisitStatus
from tests.live_server import csrf_token, fire_together
from tests.support import make_item, make_visit


def register_with_session_job(server, slug: str, item_id: int, n: int):
    def job(barrier):
        with requests.Session() as http:
            token = csrf_token(http.get(f"{server.url}/visits/{slug}/register", timeout=30).text)
            barrier.wait()
            return http.post(
                f"{server.url}/visits/{slug}/register",
                data={"csrf_token": token, "full_name": f"Delegate {n}",
                      "email": f"delegate{n}@example.org", "privacy_accepted": "y",
                      "sessions": str(item_id)},
                timeout=60,
            )
    return job


def test_twelve_registrations_ticking_a_session_with_three_places(app, live_server, organiser):
    visit = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED)
    tour = make_item(visit, title="Studio tour", capacity=3)

    responses = fire_together([register_with_session_job(live_server, visit.slug, tour.id, n)
                               for n in range(12)])

    assert [r.status_code for r in responses] == [200] * 12, live_server.log()[-3000:]
    db.session.rollback()  # see what the server wrote (SQLite WAL keeps a reader's snapshot)
    counts = dict(db.session.execute(
        select(ItemSignup.status, func.count()).where(ItemSignup.item_id == tour.id)
        .group_by(ItemSignup.status)).all())
    assert counts == {SignupStatus.CONFIRMED: 3, SignupStatus.WAITLISTED: 9}
    confirmed = db.session.scalar(select(func.count()).where(
        Registration.visit_id == visit.id, Registration.status == RegistrationStatus.CONFIRMED))
    assert confirmed == 12
