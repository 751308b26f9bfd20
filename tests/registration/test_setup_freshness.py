"""The registration form and its POST use a copy of the visit and its questions kept
per content version (services.registration_setup). An organiser's change must still
count from the very next request, and a run of registrations must not rebuild it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventsapp.cache import visit_content
from eventsapp.registration.models import QuestionKind, Registration, RegistrationStatus
from eventsapp.registration.rules import registering
from eventsapp.registration.rules import setup as registration_setup
from eventsapp.registration.rules.common import AttendeeDetails, FormChanged
from tests.registration.test_form import URL, count, field_error, form, open_visit, text_of
from tests.support import make_question


def test_a_question_added_after_the_form_was_shown_is_asked_at_once(client, db):
    visit = open_visit(capacity=20)
    assert client.get(URL).status_code == 200  # the setup is now kept

    question = make_question(visit, label="Which day will you join us?", required=True)

    page = client.get(URL)
    assert "Which day will you join us?" in text_of(page)
    refused = client.post(URL, data=form())
    assert refused.status_code == 422
    assert field_error(refused, f"q_{question.id}") == "Please answer this question."
    assert count(db) == 0

    accepted = client.post(URL, data=form(**{f"q_{question.id}": "Both"}))
    assert accepted.status_code == 303
    assert db.session.scalar(select(Registration.answers)) == {str(question.id): "Both"}


def test_a_choice_removed_from_a_question_is_refused_at_once(client, db):
    visit = open_visit()
    question = make_question(visit, kind=QuestionKind.SINGLE_CHOICE, label="Which day?",
                             options="Monday\nTuesday")
    client.get(URL)

    question.options = "Monday"
    db.session.commit()

    refused = client.post(URL, data=form(**{f"q_{question.id}": "Tuesday"}))
    assert refused.status_code == 422
    assert field_error(refused, f"q_{question.id}") == "Choose one of the options."


def test_registration_closed_after_the_form_was_shown_is_refused(client, db):
    visit = open_visit()
    client.get(URL)

    visit.registration_closes_at = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()

    response = client.post(URL, data=form())
    assert response.status_code == 409
    assert "Registration for this visit has closed." in text_of(response)
    assert count(db) == 0


def test_capacity_lowered_after_the_form_was_shown_puts_the_next_on_the_waiting_list(
        client, db):
    visit = open_visit(capacity=10)
    client.post(URL, data=form(email="first@example.org"))

    visit.capacity = 1
    db.session.commit()
    client.post(URL, data=form(email="second@example.org"))

    statuses = dict(db.session.execute(select(Registration.email, Registration.status)).all())
    assert statuses == {"first@example.org": RegistrationStatus.CONFIRMED,
                        "second@example.org": RegistrationStatus.WAITLISTED}


def test_registering_reuses_the_kept_setup_and_its_query_count_is_fixed(
        client, db, count_queries):
    visit = open_visit(capacity=500)
    client.get(URL)
    builds = visit_content.builds

    with count_queries() as few:
        assert client.post(URL, data=form(email="one@example.org")).status_code == 303
    for n in range(8):
        make_question(visit, label=f"Question {n}")
    client.get(URL)
    builds = visit_content.builds
    answers = {f"q_{q.id}": "An answer" for q in visit.questions}
    for n in range(5):
        client.post(URL, data=form(email=f"more{n}@example.org", **answers))
    with count_queries() as many:
        assert client.post(URL, data=form(email="last@example.org", **answers)).status_code == 303

    assert visit_content.builds == builds  # nothing rebuilt while nothing changed
    # The visit read under its lock, its kept count, the registration, its email: the
    # worker's copy of the setup is used without reading the visit's stamp first.
    assert len(many.statements) == 4, many.statements
    # The first registration of a content version also reads the visit's items once,
    # for the confirmation's first item (kept per version: registration.rules.notices).
    assert len(few.statements) == 5, few.statements
    assert "FOR UPDATE" in many.statements[0] or "sqlite" in str(db.engine.url)
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 7


def test_answers_read_with_an_older_form_are_never_stored(app, db):
    """register() compares the form's version with the one it reads under the lock."""
    visit = open_visit()
    with app.test_request_context():
        older = registration_setup.setup_for(visit.slug)
        make_question(visit, label="Which day will you join us?")

        with pytest.raises(FormChanged):
            registering.register(visit.slug, AttendeeDetails(
                full_name="Ada", email="ada@example.org", privacy_accepted=True),
                form_key=older.key)
        assert count(db) == 0

        newer = registration_setup.setup_for(visit.slug)
        outcome = registering.register(visit.slug, AttendeeDetails(
            full_name="Ada", email="ada@example.org", privacy_accepted=True),
            form_key=newer.key)
    assert outcome.status is RegistrationStatus.CONFIRMED and count(db) == 1


def test_a_post_read_with_this_worker_s_older_copy_is_read_again(client, db):
    """The POST first tries this worker's copy of the setup without reading the stamp;
    when the visit has moved on, the answers are read again with the form as it is."""
    visit = open_visit()
    client.get(URL)  # this worker's copy
    question = make_question(visit, label="Which day will you join us?")

    response = client.post(URL, data=form(**{f"q_{question.id}": "Tuesday"}))

    assert response.status_code == 303
    assert db.session.scalar(select(Registration.answers)) == {str(question.id): "Tuesday"}


def test_a_form_that_changes_while_it_is_sent_is_shown_as_it_is_now(client, db, monkeypatch):
    """The race the version check is for: the view reads the setup, an organiser adds
    a question, then register() locks the visit. Here the view's read is made to
    return the setup from before the change, as it would in that race."""
    visit = open_visit()
    before = registration_setup.setup_for(visit.slug)
    question = make_question(visit, label="Which day will you join us?", required=True)
    reads = iter([before])
    real = registration_setup.setup_for
    monkeypatch.setattr(registration_setup, "last_known", lambda slug: None)
    monkeypatch.setattr(registration_setup, "setup_for",
                        lambda slug: next(reads, None) or real(slug))

    response = client.post(URL, data=form())

    assert response.status_code == 409
    text = text_of(response)
    assert "This form changed while you were filling it in." in text
    assert "Which day will you join us?" in text
    markup = response.get_data(as_text=True)
    assert f'name="q_{question.id}"' in markup  # the new question, to answer this time
    assert 'value="Ada Lovelace"' in markup  # what was sent is kept
    assert count(db) == 0
