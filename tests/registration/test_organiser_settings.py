"""The organiser's registration settings page: window, places, waiting list, access,
contact and privacy notice, and the visit's extra questions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from eventsapp.mail.models import OutboxMessage
from eventsapp.registration.models import Question, QuestionKind, Registration, RegistrationStatus
from eventsapp.visits.models import RegistrationAccess, Visit, VisitStatus
from tests.support import make_question, make_registration, make_visit, page_text

URL = "/organiser/visits/test-visit/registration"


def page(response) -> str:
    return response.get_data(as_text=True)


def settings_form(**overrides) -> dict:
    form = {
        "opens_at": "2030-05-01T09:00",
        "closes_at": "2030-06-10T17:30",
        "capacity": "20",
        "waitlist_enabled": "y",
        "access": "open",
        "invitation_code": "",
        "contact_email": "visits@example.org",
        "privacy_notice": "",
    }
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not None}


def stored(db) -> Visit:
    db.session.expire_all()
    return db.session.scalar(select(Visit).where(Visit.slug == "test-visit"))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def visit(organiser):
    return make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED)


# --- the settings form ------------------------------------------------------------------


def test_page_prefills_local_wall_times_labelled_with_the_zone(organiser_client, db, visit):
    visit.registration_opens_at = utc(2030, 5, 1, 8, 0)  # 09:00 BST
    visit.registration_closes_at = utc(2030, 1, 10, 17, 0)  # 17:00 GMT
    visit.capacity = 40
    visit.registration_access = RegistrationAccess.APPROVAL
    visit.contact_email = "visits@example.org"
    db.session.commit()

    response = organiser_client.get(URL)
    assert response.status_code == 200
    text = page(response)
    assert "Registration opens (Europe/London time)" in text
    assert 'value="2030-05-01T09:00"' in text
    assert 'value="2030-01-10T17:00"' in text
    assert 'value="40"' in text
    assert 'value="approval" checked' in text or 'checked id="access-2"' in text
    assert 'value="visits@example.org"' in text
    assert "Leave empty to use the standard notice" in text


def test_saving_stores_utc_instants_on_both_sides_of_a_clock_change(
    organiser_client, db, visit
):
    response = organiser_client.post(URL, data=settings_form(
        opens_at="2030-01-15T09:00",  # GMT = UTC
        closes_at="2030-06-10T17:30",  # BST = UTC+1
        capacity="20",
        access="invitation",
        invitation_code="  Ceramics  ",
        privacy_notice="We keep your details until the visit ends.",
    ))
    assert response.status_code == 302
    saved = stored(db)
    assert saved.registration_opens_at == utc(2030, 1, 15, 9, 0)
    assert saved.registration_closes_at == utc(2030, 6, 10, 16, 30)
    assert saved.capacity == 20
    assert saved.waitlist_enabled is True
    assert saved.registration_access is RegistrationAccess.INVITATION
    assert saved.invitation_code == "Ceramics"
    assert saved.contact_email == "visits@example.org"
    assert saved.privacy_notice == "We keep your details until the visit ends."
    assert "Saved the registration settings" in page(organiser_client.get(URL))


def test_empty_fields_mean_no_limit(organiser_client, db, visit):
    visit.capacity = 10
    visit.registration_opens_at = utc(2030, 5, 1, 8, 0)
    db.session.commit()
    response = organiser_client.post(URL, data=settings_form(
        opens_at="", closes_at="", capacity="", waitlist_enabled=None, contact_email=""
    ))
    assert response.status_code == 302
    saved = stored(db)
    assert saved.registration_opens_at is None
    assert saved.registration_closes_at is None
    assert saved.capacity is None
    assert saved.waitlist_enabled is False
    assert saved.contact_email == ""


def assert_refused(response, db, message: str) -> None:
    assert response.status_code == 422
    assert message in page(response)
    saved = stored(db)
    # Nothing half-saved: the other, valid answers are not stored either.
    assert saved.contact_email == ""
    assert saved.capacity is None
    assert saved.registration_opens_at is None


def test_close_before_open_is_refused(organiser_client, db, visit):
    response = organiser_client.post(URL, data=settings_form(
        opens_at="2030-06-10T09:00", closes_at="2030-06-01T09:00"
    ))
    assert_refused(response, db, "Registration must close after it opens.")
    # What was typed comes back.
    assert 'value="2030-06-10T09:00"' in page(response)


def test_capacity_below_those_confirmed_is_refused(organiser_client, db, visit):
    for _ in range(3):
        make_registration(visit)
    response = organiser_client.post(URL, data=settings_form(capacity="2"))
    assert_refused(response, db, "3 people are already confirmed")


def test_invitation_access_needs_a_code(organiser_client, db, visit):
    response = organiser_client.post(URL, data=settings_form(
        access="invitation", invitation_code="   "
    ))
    assert_refused(response, db, "Set the invitation code that invitees will type.")
    assert stored(db).registration_access is RegistrationAccess.OPEN


@pytest.mark.parametrize("junk", ["twenty", "1e3", "12.5", "0", "-5", "99999999999999999999",
                                  "\x00", "20 people"])
def test_junk_capacity_is_a_message_never_an_error(organiser_client, db, visit, junk):
    response = organiser_client.post(URL, data=settings_form(capacity=junk))
    assert_refused(response, db, "Places must be a whole number")


def test_a_wall_time_skipped_by_the_clocks_is_refused(organiser_client, db, visit):
    # Clocks in London go forward at 01:00 on Sunday 31 March 2030.
    response = organiser_client.post(URL, data=settings_form(opens_at="2030-03-31T01:30"))
    assert_refused(response, db, "does not exist in Europe/London")


@pytest.mark.parametrize("field,value,message", [
    ("opens_at", "next tuesday", "Enter a date and time"),
    ("closes_at", "0001-01-01T00:00", "Enter a date between 2000 and 2100"),
    ("access", "everyone", "Choose who may register"),
    ("contact_email", "not-an-address", "Enter an email address like visits@example.org"),
    ("invitation_code", "x" * 65, "64 characters or fewer"),
    ("privacy_notice", "x" * 10_001, "10,000 characters or fewer"),
])
def test_bad_input_gets_a_message_beside_the_field(organiser_client, db, visit, field, value,
                                                   message):
    response = organiser_client.post(URL, data=settings_form(**{field: value}))
    assert_refused(response, db, message)
    assert 'aria-invalid="true"' in page(response)


def test_missing_access_choice_is_refused(organiser_client, db, visit):
    response = organiser_client.post(URL, data=settings_form(access=None))
    assert_refused(response, db, "Choose who may register")


def test_raising_capacity_gives_the_new_places_to_the_waiting_list_at_once(
    organiser_client, db, visit
):
    visit.capacity = 2
    db.session.commit()
    make_registration(visit)
    make_registration(visit)
    first = make_registration(visit, status=RegistrationStatus.WAITLISTED, full_name="First")
    second = make_registration(visit, status=RegistrationStatus.WAITLISTED, full_name="Second")
    third = make_registration(visit, status=RegistrationStatus.WAITLISTED, full_name="Third")
    ids = first.id, second.id, third.id
    emails = first.email, second.email, third.email

    response = organiser_client.post(URL, data=settings_form(capacity="4", opens_at="",
                                                             closes_at=""))
    assert response.status_code == 302
    db.session.expire_all()
    statuses = [db.session.get(Registration, rid).status for rid in ids]
    assert statuses == [RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED,
                        RegistrationStatus.WAITLISTED]
    sent = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(m.to, m.subject) for m in sent] == [
        (emails[0], f"A place is yours: {visit.title}"),
        (emails[1], f"A place is yours: {visit.title}"),
    ]
    assert "4 confirmed of 4 places · 1 on the waiting list" in page_text(organiser_client.get(URL))


# --- extra questions --------------------------------------------------------------------


QUESTIONS = URL + "/questions"


def question_form(**overrides) -> dict:
    form = {"question-kind": "short_text", "question-label": "What do you make?",
            "question-help_text": "", "question-options": ""}
    form.update({f"question-{key}": value for key, value in overrides.items()})
    return {key: value for key, value in form.items() if value is not None}


def questions(db, visit) -> list[Question]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(Question).where(Question.visit_id == visit.id)
        .order_by(Question.position, Question.id)
    ))


def test_adding_questions_of_each_kind(organiser_client, db, visit):
    response = organiser_client.post(QUESTIONS, data=question_form(
        label="What do you make?", help_text="A sentence is enough.", required="y"
    ))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#questions")
    organiser_client.post(QUESTIONS, data=question_form(
        kind="multiple_choice", label="Which tours?", options="Spode\r\n\r\nGladstone\r\nSpode\n"
    ))
    organiser_client.post(QUESTIONS, data=question_form(kind="yes_no", label="Staying over?"))

    saved = questions(db, visit)
    assert [(q.kind, q.label, q.required) for q in saved] == [
        (QuestionKind.SHORT_TEXT, "What do you make?", True),
        (QuestionKind.MULTIPLE_CHOICE, "Which tours?", False),
        (QuestionKind.YES_NO, "Staying over?", False),
    ]
    assert saved[0].help_text == "A sentence is enough."
    assert saved[1].choices == ["Spode", "Gladstone"]

    text = page(organiser_client.get(URL))
    assert text.index("What do you make?") < text.index("Which tours?") < text.index(
        "Staying over?")
    assert "Multiple choice" in text and "Spode · Gladstone" in text
    assert "Move up" in text and "Move down" in text


@pytest.mark.parametrize("overrides,message", [
    ({"label": ""}, "Enter the question"),
    ({"label": "x" * 301}, "The question must be 300 characters or fewer"),
    ({"help_text": "x" * 501}, "The help text must be 500 characters or fewer"),
    ({"kind": "essay"}, "Choose what kind of answer the question takes"),
    ({"kind": "single_choice", "options": "Only one"}, "Give at least two options"),
])
def test_a_bad_question_is_refused_with_a_message(organiser_client, db, visit, overrides,
                                                  message):
    response = organiser_client.post(QUESTIONS, data=question_form(**overrides))
    assert response.status_code == 422
    text = page(response)
    assert message in text
    assert "Registration opens (Europe/London time)" in text  # the settings page around it
    assert questions(db, visit) == []


def test_moving_questions_up_and_down(organiser_client, db, visit):
    a = make_question(visit, label="A", position=1)
    b = make_question(visit, label="B", position=2)
    c = make_question(visit, label="C", position=3)

    response = organiser_client.post(f"{QUESTIONS}/{c.id}/move-up")
    assert response.status_code == 302
    assert [q.label for q in questions(db, visit)] == ["A", "C", "B"]
    organiser_client.post(f"{QUESTIONS}/{a.id}/move-down")
    assert [q.label for q in questions(db, visit)] == ["C", "A", "B"]
    # The first cannot go higher, the last no lower: nothing changes.
    organiser_client.post(f"{QUESTIONS}/{c.id}/move-up")
    organiser_client.post(f"{QUESTIONS}/{b.id}/move-down")
    assert [q.label for q in questions(db, visit)] == ["C", "A", "B"]


def test_editing_a_question(organiser_client, db, visit):
    question = make_question(visit, label="Old label")
    url = f"{QUESTIONS}/{question.id}/edit"
    text = page(organiser_client.get(url))
    assert 'value="Old label"' in text

    response = organiser_client.post(url, data=question_form(
        kind="single_choice", label="Which day?", options="Thursday\nFriday", required="y"
    ))
    assert response.status_code == 302
    saved = questions(db, visit)[0]
    assert (saved.kind, saved.label, saved.required) == (QuestionKind.SINGLE_CHOICE,
                                                          "Which day?", True)
    assert saved.choices == ["Thursday", "Friday"]

    refused = organiser_client.post(url, data=question_form(kind="single_choice",
                                                            label="Changed", options=""))
    assert refused.status_code == 422
    assert "Give at least two options" in page(refused)
    assert questions(db, visit)[0].label == "Which day?"


def test_deleting_a_question(organiser_client, db, visit):
    keep = make_question(visit, label="Keep me")
    gone = make_question(visit, label="Delete me")
    response = organiser_client.post(f"{QUESTIONS}/{gone.id}/delete")
    assert response.status_code == 302
    assert [q.id for q in questions(db, visit)] == [keep.id]


def test_questions_of_another_visit_are_not_found(organiser_client, organiser, db, visit):
    other = make_visit(organisers=[organiser], slug="other-visit")
    question = make_question(other, label="Elsewhere")
    for suffix in ("edit", "move-up", "move-down", "delete"):
        method = organiser_client.get if suffix == "edit" else organiser_client.post
        assert method(f"{QUESTIONS}/{question.id}/{suffix}").status_code == 404
    assert method(f"{QUESTIONS}/99999999999/delete").status_code == 404
    assert [q.label for q in questions(db, other)] == ["Elsewhere"]
