"""The registration form uses a copy of the visit and its questions kept per content
version (registration.rules.setup); registering reads them again under the visit's
lock. An organiser's change counts from the very next request, and even for a POST
whose form was read just before the change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from eventsapp.registration.models import QuestionKind, Registration, RegistrationStatus
from eventsapp.registration.rules import setup as registration_setup
from tests.registration.test_form import URL, count, field_error, form, open_visit
from tests.support import make_items, make_question, page_text


def test_a_question_added_after_the_form_was_shown_is_asked_at_once(client, db):
    visit = open_visit(capacity=20)
    assert client.get(URL).status_code == 200  # the setup is now kept

    question = make_question(visit, label="Which day will you join us?", required=True)

    page = client.get(URL)
    assert "Which day will you join us?" in page_text(page)
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
    assert "Registration for this visit has closed." in page_text(response)
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


def test_the_statements_of_a_registration_do_not_grow_with_questions_or_agenda(
        client, db, count_queries):
    visit = open_visit(capacity=500)
    client.get(URL)
    with count_queries() as few:
        assert client.post(URL, data=form(email="one@example.org")).status_code == 303

    for n in range(8):
        make_question(visit, label=f"Question {n}")
    make_items(visit, 20)
    client.get(URL)
    answers = {f"q_{q.id}": "An answer" for q in visit.questions}
    with count_queries() as many:
        assert client.post(URL, data=form(email="last@example.org", **answers)).status_code == 303

    # The view's stamp and register()'s (the kept setup is not built again), the first
    # item the attendee attends (for the confirmation), then the visit under its lock,
    # the count, the registration and its email.
    assert len(many.statements) == len(few.statements) == 7, many.statements
    if "sqlite" not in str(db.engine.url):
        # Every registration waits for the lock: only the count and the writes follow it.
        locked = [n for n, statement in enumerate(many.statements) if "FOR UPDATE" in statement]
        assert locked == [3], many.statements
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 2


def test_a_required_question_added_while_the_form_is_sent_is_a_message_on_it(
        client, db, monkeypatch):
    """The race: the view reads its copy of the form, an organiser adds a required
    question, then register() locks the visit and reads the questions as they are now.
    Here the view's first read is made to return the copy from before the change, as
    it would in that race."""
    visit = open_visit()
    before = registration_setup.setup_for(visit.slug)
    question = make_question(visit, label="Which day will you join us?", required=True)
    reads = iter([before])
    real = registration_setup.setup_for
    monkeypatch.setattr(registration_setup, "setup_for",
                        lambda slug: next(reads, None) or real(slug))

    response = client.post(URL, data=form(organisation="Stoke Creative"))

    assert response.status_code == 422
    assert field_error(response, f"q_{question.id}") == "Please answer this question."
    markup = response.get_data(as_text=True)
    assert 'value="Ada Lovelace"' in markup  # what was sent is kept
    assert 'value="Stoke Creative"' in markup
    assert "changed" not in page_text(response)
    assert count(db) == 0

    answered = client.post(URL, data=form(**{f"q_{question.id}": "Tuesday"}))
    assert answered.status_code == 303
    assert db.session.scalar(select(Registration.answers)) == {str(question.id): "Tuesday"}


def test_a_question_added_after_register_checked_the_answers_is_checked_under_the_lock(
        client, db, monkeypatch):
    """The same race one step later: register() checks the answers before taking the
    visit's lock, against the setup it read; the organiser's change commits before the
    lock is taken. Under the lock the visit's version differs, so the setup is read and
    the answers checked again. Both reads before the lock are made to return the copy
    from before the change."""
    visit = open_visit()
    before = registration_setup.setup_for(visit.slug)
    question = make_question(visit, label="Which day will you join us?", required=True)
    reads = iter([before, before])
    real = registration_setup.setup_for
    monkeypatch.setattr(registration_setup, "setup_for",
                        lambda slug: next(reads, None) or real(slug))

    response = client.post(URL, data=form())

    assert response.status_code == 422
    assert field_error(response, f"q_{question.id}") == "Please answer this question."
    assert count(db) == 0
