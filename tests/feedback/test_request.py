"""Asking confirmed attendees for feedback once the visit is over: one email each with
their private link, once, all in one transaction; from the report page and the CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from eventsapp.errors import Conflict, NotFound
from eventsapp.extensions import db
from eventsapp.feedback import rules as feedback
from eventsapp.registration.models import RegistrationStatus
from eventsapp.registration.rules import own_page
from eventsapp.timezones import to_utc
from eventsapp.visits.models import Visit, VisitStatus
from tests.conftest import login
from tests.feedback.helpers import FEEDBACK_LINK, ended_visit
from tests.support import make_registration, make_user, make_visit, outbox, page_text

REQUEST = "/organiser/visits/cic-stoke/report/request-feedback"


def _visit() -> Visit:
    db.session.expire_all()
    return db.session.scalar(select(Visit).where(Visit.slug == "cic-stoke"))


@pytest.fixture
def attendees(app, organiser):
    visit = ended_visit([organiser])
    people = {
        "ada": make_registration(visit, full_name="Ada Delegate", email="ada@example.org"),
        "ben": make_registration(visit, full_name="Ben Delegate", email="ben@example.org"),
        "cy": make_registration(visit, full_name="Cy Delegate", email="cy@example.org"),
        "waiting": make_registration(visit, status=RegistrationStatus.WAITLISTED,
                                     email="waiting@example.org"),
        "pending": make_registration(visit, status=RegistrationStatus.PENDING_APPROVAL,
                                     email="pending@example.org"),
        "cancelled": make_registration(visit, status=RegistrationStatus.CANCELLED,
                                       email="cancelled@example.org"),
        "purged": make_registration(visit, email="purged@example.org"),
    }
    own_page.anonymise(people["purged"])  # confirmed, personal data erased
    db.session.commit()
    return people


def test_one_email_per_confirmed_attendee_with_a_link_that_opens_their_form(
        organiser_client, attendees):
    response = organiser_client.post(REQUEST, follow_redirects=True)

    assert "Asked 3 confirmed attendees for feedback" in page_text(response)
    messages = outbox()
    assert sorted(m.to for m in messages) == ["ada@example.org", "ben@example.org",
                                              "cy@example.org"]
    assert _visit().feedback_requested_at is not None
    for message in messages:
        assert message.subject == "How was it? Your feedback on Regions and Clusters delegation"
        path = FEEDBACK_LINK.search(message.body_text).group(1)
        name = message.to.split("@")[0].capitalize()
        page = organiser_client.get(path)  # the link works for whoever holds it
        assert page.status_code == 200
        text = page_text(page)
        assert "Your feedback on Regions and Clusters delegation" in text
        assert "How would you rate the visit overall?" in text
        assert f"Dear {name} Delegate" in message.body_text


def test_second_request_is_refused_and_sends_nothing(organiser_client, attendees):
    organiser_client.post(REQUEST)
    first_sent = _visit().feedback_requested_at

    response = organiser_client.post(REQUEST, follow_redirects=True)

    text = page_text(response)
    assert "Feedback was requested on" in text
    assert "it is requested only once" in text
    assert len(outbox()) == 3
    assert _visit().feedback_requested_at == first_sent
    # The button is disabled and says why.
    markup = response.get_data(as_text=True)
    assert 'disabled aria-describedby="feedback-request-note">Request feedback' in markup


def test_refused_before_the_visit_has_ended(organiser_client, organiser):
    make_visit(organisers=[organiser], slug="cic-stoke", status=VisitStatus.PUBLISHED)
    visit = _visit()
    make_registration(visit, email="ada@example.org")

    response = organiser_client.post(REQUEST, follow_redirects=True)

    text = page_text(response)
    assert "Feedback can be requested once the visit is over, from" in text
    assert outbox() == []
    assert _visit().feedback_requested_at is None
    assert "disabled" in response.get_data(as_text=True)


def test_the_last_day_counts_in_the_visit_s_own_zone(app, organiser):
    visit = ended_visit([organiser], timezone="America/New_York")
    make_registration(visit, email="ada@example.org")
    last_day = datetime.combine(visit.end_date, datetime.min.time())
    late_on_last_day = to_utc(last_day.replace(hour=23, minute=30), visit.zone)  # next day UTC
    next_morning = to_utc(last_day + timedelta(days=1, minutes=5), visit.zone)

    with pytest.raises(Conflict, match="once the visit is over"):
        feedback.request_feedback(organiser, "cic-stoke", late_on_last_day)
    assert late_on_last_day.astimezone(UTC).date() > visit.end_date
    assert outbox() == []

    assert feedback.request_feedback(organiser, "cic-stoke", next_morning) == 1
    assert _visit().feedback_requested_at == next_morning


def test_other_organiser_cannot_request(app, client, organiser, attendees):
    other = make_user(email="other@example.org")
    login(client, other)

    assert client.post(REQUEST).status_code == 404
    with pytest.raises(NotFound):
        feedback.request_feedback(other, "cic-stoke")
    assert outbox() == []
    assert _visit().feedback_requested_at is None


def test_nobody_confirmed_and_cancelled_visits_are_refused(app, organiser):
    ended_visit([organiser])
    with pytest.raises(Conflict, match="No confirmed attendee"):
        feedback.request_feedback(organiser, "cic-stoke")
    cancelled = ended_visit([organiser], slug="called-off", status=VisitStatus.CANCELLED)
    make_registration(cancelled, email="ada@example.org")
    with pytest.raises(Conflict, match="cancelled"):
        feedback.request_feedback(organiser, "called-off")
    assert outbox() == []
    assert _visit().feedback_requested_at is None


def test_cli_requests_once(app, attendees):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["feedback", "request", "cic-stoke"])
    second = runner.invoke(args=["feedback", "request", "cic-stoke"])
    missing = runner.invoke(args=["feedback", "request", "no-such-visit"])

    assert first.exit_code == 0, first.output
    assert "Asked 3 confirmed attendees of cic-stoke for feedback" in first.output
    assert second.exit_code == 1
    assert "Feedback was requested on" in second.output
    assert missing.exit_code == 1
    assert "No such visit." in missing.output
    assert len(outbox()) == 3


def test_erasing_a_registration_drops_its_unsent_feedback_email(app, organiser, attendees):
    from eventsapp.registration.rules import notices

    feedback.request_feedback(organiser, "cic-stoke")
    own_page.erase(notices.manage_token(attendees["ada"]))

    asked = [m.to for m in outbox() if m.subject.startswith("How was it?")]
    assert sorted(asked) == ["ben@example.org", "cy@example.org"]
