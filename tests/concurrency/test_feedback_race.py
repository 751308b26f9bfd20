"""Feedback under real parallel requests (gunicorn, several processes): organisers who
click "Request feedback" together send one email per attendee, once; an attendee who
sends their feedback form several times at once has one feedback, never a 500."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests
from sqlalchemy import func, select

from eventsapp.extensions import db
from eventsapp.feedback.models import Feedback
from eventsapp.mail.models import OutboxMessage
from eventsapp.registration.rules import notices
from eventsapp.visits.models import Visit, VisitStatus
from tests.live_server import csrf_token, fire_together, log_in
from tests.support import make_registration, make_visit


def _ended_visit(organiser):
    start = datetime.now(UTC).date() - timedelta(days=8)
    return make_visit(organisers=[organiser], slug="cic-stoke", status=VisitStatus.PUBLISHED,
                      start_date=start)


def request_job(server, email: str):
    def job(barrier):
        with requests.Session() as http:
            logged_in = log_in(http, server, email)
            assert logged_in.ok, logged_in.text[-500:]
            page = http.get(f"{server.url}/organiser/visits/cic-stoke/report", timeout=30)
            assert page.status_code == 200, page.text[-1000:]
            barrier.wait()
            return http.post(f"{server.url}/organiser/visits/cic-stoke/report/request-feedback",
                             data={"csrf_token": csrf_token(page.text)}, timeout=60)
    return job


def feedback_job(server, path: str, rating: int):
    def job(barrier):
        with requests.Session() as http:
            page = http.get(server.url + path, timeout=30)
            assert page.status_code == 200, page.text[-1000:]
            barrier.wait()
            return http.post(server.url + path, timeout=60, data={
                "csrf_token": csrf_token(page.text), "visit_rating": str(rating),
                "comments": f"Sent by click {rating}."})
    return job


def test_organisers_requesting_together_send_one_email_each_once(app, live_server, organiser):
    visit = _ended_visit(organiser)
    for n in range(5):
        make_registration(visit, email=f"delegate{n}@example.org")

    responses = fire_together([request_job(live_server, organiser.email) for _ in range(6)])

    assert [r.status_code for r in responses] == [200] * 6, live_server.log()[-3000:]
    asked = [r for r in responses if "Asked 5 confirmed attendees" in r.text]
    refused = [r for r in responses if "Feedback was requested on" in r.text
               and "Asked 5" not in r.text]
    assert (len(asked), len(refused)) == (1, 5)
    db.session.rollback()  # a fresh snapshot: see what the server wrote
    sent = db.session.scalars(select(OutboxMessage.to)).all()
    assert sorted(sent) == [f"delegate{n}@example.org" for n in range(5)]
    assert db.session.scalar(select(Visit.feedback_requested_at)) is not None


def test_one_attendee_sending_together_has_one_feedback(app, live_server, organiser):
    attendee = make_registration(_ended_visit(organiser), email="ada@example.org")
    path = f"/r/{notices.manage_token(attendee)}/feedback"

    responses = fire_together([feedback_job(live_server, path, n % 5 + 1) for n in range(8)])

    assert [r.status_code for r in responses] == [200] * 8, live_server.log()[-3000:]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Feedback)) == 1
    rating, comments = db.session.execute(
        select(Feedback.visit_rating, Feedback.comments)).one()
    assert comments == f"Sent by click {rating}."  # one whole send, not a mix
