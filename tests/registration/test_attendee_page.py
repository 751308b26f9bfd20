"""/r/<token>: the attendee's private page, their answers, sessions, cancelling, erasing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from eventsapp.mail.models import OutboxMessage
from eventsapp.registration.models import (
    ItemSignup,
    OrganisationType,
    QuestionKind,
    Registration,
    RegistrationStatus,
    SignupStatus,
)
from eventsapp.registration.rules import notices
from eventsapp.visits.models import VisitStatus
from tests.support import (
    make_item,
    make_question,
    make_registration,
    make_venue,
    make_visit,
    outbox,
    page_text,
)

LINK = re.compile(r"https?://[^/\s]+(/r/[A-Za-z0-9_-]{43})")


def link(registration: Registration) -> str:
    return f"/r/{notices.manage_token(registration)}"


def reload(db, registration: Registration) -> Registration:
    db.session.expire_all()
    return db.session.get(Registration, registration.id)


def signups(db, item) -> list[tuple[str, SignupStatus]]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Registration.email, ItemSignup.status)
        .join(ItemSignup.registration)
        .where(ItemSignup.item_id == item.id, ItemSignup.status != SignupStatus.CANCELLED)
        .order_by(ItemSignup.id)
    ).all()
    return [tuple(row) for row in rows]


@pytest.fixture
def visit(app):
    return make_visit(slug="cic-stoke", status=VisitStatus.PUBLISHED, capacity=10,
                      host="Platform Stoke", city="Stoke-on-Trent",
                      summary="Ceramics, games and the Spode Works.")


def edit_form(registration: Registration, **overrides) -> dict:
    data = {
        "full_name": registration.full_name,
        "email": registration.email,
        "organisation": registration.organisation,
        "job_title": registration.job_title,
        "organisation_type": "",
        "dietary": registration.dietary,
        "access_needs": registration.access_needs,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- the page --------------------------------------------------------------------------------


def test_private_page_shows_status_visit_and_every_answer(client, visit):
    q_museum = make_question(visit, label="Favourite museum")
    q_dinner = make_question(visit, kind=QuestionKind.YES_NO, label="Coming to dinner?")
    q_topics = make_question(visit, kind=QuestionKind.MULTIPLE_CHOICE, label="Topics",
                             options="Ceramics\nGames")
    registration = make_registration(
        visit, full_name="Grace Hopper", email="grace@example.org", organisation="Navy Labs",
        job_title="Rear Admiral", organisation_type=OrganisationType.GOVERNMENT,
        dietary="No shellfish", access_needs="Seat near the front", consent_share=True,
        answers={str(q_museum.id): "The Potteries Museum", str(q_dinner.id): "yes",
                 str(q_topics.id): ["Ceramics", "Games"]},
    )

    response = client.get(link(registration))

    assert response.status_code == 200
    text = page_text(response)
    assert "Your registration for Regions and Clusters delegation" in text
    assert "Your place is confirmed" in text
    assert "City Stoke-on-Trent" in text and "Hosted by Platform Stoke" in text
    assert "Ceramics, games and the Spode Works." in text
    for expected in ("Full name Grace Hopper", "Email grace@example.org",
                     "Organisation Navy Labs", "Job title Rear Admiral",
                     "Type of organisation Government or policy",
                     "Dietary requirements No shellfish",
                     "Access requirements Seat near the front",
                     "You have not agreed to be photographed or filmed",
                     "Your name and organisation may be shared with showcasing members",
                     "Favourite museum The Potteries Museum", "Coming to dinner? Yes",
                     "Topics Ceramics; Games"):
        assert expected in text, expected
    markup = response.get_data(as_text=True)
    assert 'value="Grace Hopper"' in markup  # the edit form, pre-filled
    assert re.search(r'<option selected value="government">|<option value="government" selected',
                     markup)
    assert re.search(r'checked[^>]*value="Games"|value="Games"[^>]*checked', markup)
    assert "Add to calendar" in text  # the personal feed: tests/calendar/test_calendar_links.py


@pytest.mark.parametrize(("status", "words"), [
    (RegistrationStatus.WAITLISTED, "You're on the waiting list at position 2"),
    (RegistrationStatus.PENDING_APPROVAL, "Awaiting approval"),
    (RegistrationStatus.CANCELLED, "This registration is cancelled"),
])
def test_status_in_words(client, visit, status, words):
    make_registration(visit, status=RegistrationStatus.WAITLISTED)
    registration = make_registration(visit, status=status)

    assert words in page_text(client.get(link(registration)))


def test_cancelled_registration_has_no_forms_to_edit_or_sign_up(client, visit):
    make_item(visit, title="Spode Works tour", capacity=5)
    registration = make_registration(visit, status=RegistrationStatus.CANCELLED)

    response = client.get(link(registration))

    markup = response.get_data(as_text=True)
    assert "This registration is cancelled" in page_text(response)
    assert 'name="full_name"' not in markup
    assert "/signup" not in markup and "/cancel" not in markup
    assert "Spode Works tour" not in page_text(response)
    assert "/erase" in markup  # erasing stays possible


@pytest.mark.parametrize("token", ["nope", "x" * 43, "A" * 42 + "é", "a" * 500])
def test_unknown_or_malformed_token_is_404(client, visit, token):
    make_registration(visit)
    assert client.get(f"/r/{token}").status_code == 404
    assert client.post(f"/r/{token}/cancel").status_code == 404
    assert client.post(f"/r/{token}/erase").status_code == 404
    assert client.post(f"/r/{token}/edit", data={}).status_code == 404


def test_private_page_sends_no_referrer_and_is_not_stored(client, visit):
    registration = make_registration(visit)

    response = client.get(link(registration))

    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response.headers["Cache-Control"]


def test_private_page_queries_do_not_grow_with_sessions(client, visit, db, count_queries):
    registration = make_registration(visit)
    other = make_registration(visit)

    def queries() -> int:
        with count_queries() as counter:
            assert client.get(link(registration)).status_code == 200
        return counter.count

    def add_session(n: int) -> None:
        item = make_item(visit, title=f"Session {n}", capacity=1,
                         venue=make_venue(visit, name=f"Venue {n}"))
        for who in (other, registration):  # one place each, so this one waits
            assert client.post(f"{link(who)}/items/{item.id}/signup").status_code == 303

    add_session(0)
    one = queries()
    for n in range(1, 6):
        add_session(n)

    assert queries() == one
    assert "You're on the waiting list at position 1." in page_text(client.get(link(registration)))


# --- changing answers ------------------------------------------------------------------------


def test_editing_answers_saves_them(client, visit, db):
    question = make_question(visit, kind=QuestionKind.SINGLE_CHOICE, label="Which tour?",
                             options="Spode Works\nGladstone Pottery", required=True)
    registration = make_registration(visit, answers={str(question.id): "Spode Works"})

    response = client.post(f"{link(registration)}/edit", data=edit_form(
        registration, full_name="Ada King", email="ada.king@example.org", job_title="Countess",
        organisation_type="academia", dietary="Vegan", consent_photography="y",
        **{f"q_{question.id}": "Gladstone Pottery"},
    ), follow_redirects=True)

    assert response.status_code == 200
    assert "Your answers are saved." in page_text(response)
    saved = reload(db, registration)
    assert (saved.full_name, saved.email, saved.email_key, saved.job_title) == (
        "Ada King", "ada.king@example.org", "ada.king@example.org", "Countess")
    assert saved.organisation_type is OrganisationType.ACADEMIA
    assert saved.dietary == "Vegan"
    assert saved.consent_photography is True
    assert saved.answers == {str(question.id): "Gladstone Pottery"}
    assert "Which tour? Gladstone Pottery" in page_text(response)


def test_editing_refuses_bad_answers_and_keeps_them(client, visit, db):
    registration = make_registration(visit, full_name="Ada Lovelace")

    response = client.post(f"{link(registration)}/edit", data=edit_form(
        registration, full_name="", organisation="x" * 201))

    assert response.status_code == 422
    markup = response.get_data(as_text=True)
    assert "Enter your full name" in markup
    assert "Organisation must be 200 characters or fewer" in markup
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert reload(db, registration).full_name == "Ada Lovelace"


def test_changing_email_to_another_registrants_is_refused(client, visit, db):
    make_registration(visit, email="taken@example.org")
    registration = make_registration(visit, email="mine@example.org")

    response = client.post(f"{link(registration)}/edit",
                           data=edit_form(registration, email="TAKEN@example.org"))

    assert response.status_code == 422
    assert "This email address is already registered for this visit." in page_text(response)
    assert reload(db, registration).email == "mine@example.org"


# --- sessions with limited places --------------------------------------------------------------


def test_limited_sessions_listed_with_places_left_in_the_visits_zone(client, visit):
    make_item(visit, title="Opening talk")  # no capacity: not listed
    make_item(visit, title="Spode Works tour", start="14:00", end="15:30", capacity=20,
              venue=make_venue(visit, name="Spode Works"))
    registration = make_registration(visit)

    text = page_text(client.get(link(registration)))

    assert "Opening talk" not in text
    assert "Spode Works tour" in text
    assert "14:00–15:30 BST" in text or "14:00–15:30 GMT" in text
    assert "20 of 20 places left" in text


def test_sign_up_full_waitlist_then_leave_gives_the_place_on(client, visit, db):
    item = make_item(visit, title="Kiln workshop", capacity=1)
    first = make_registration(visit, email="first@example.org")
    second = make_registration(visit, email="second@example.org")
    third = make_registration(visit, email="third@example.org")

    one = client.post(f"{link(first)}/items/{item.id}/signup", follow_redirects=True)
    two = client.post(f"{link(second)}/items/{item.id}/signup", follow_redirects=True)
    three = client.post(f"{link(third)}/items/{item.id}/signup", follow_redirects=True)

    assert "You have a place on “Kiln workshop”." in page_text(one)
    assert "0 of 1 place left" in page_text(one)
    assert "“Kiln workshop” is full: you're on its waiting list at position 1." in page_text(two)
    assert "You're on the waiting list at position 2." in page_text(three)
    assert signups(db, item) == [
        ("first@example.org", SignupStatus.CONFIRMED),
        ("second@example.org", SignupStatus.WAITLISTED),
        ("third@example.org", SignupStatus.WAITLISTED),
    ]

    left = client.post(f"{link(first)}/items/{item.id}/leave", follow_redirects=True)

    assert "You have left “Kiln workshop”." in page_text(left)
    assert signups(db, item) == [
        ("second@example.org", SignupStatus.CONFIRMED),
        ("third@example.org", SignupStatus.WAITLISTED),
    ]
    [email] = outbox("second@example.org")
    assert email.subject == "You have a place: Kiln workshop"
    assert outbox("third@example.org") == []
    assert "You're on the waiting list at position 1." in page_text(client.get(link(third)))


def test_pending_registration_cannot_sign_up(client, visit, db):
    item = make_item(visit, title="Kiln workshop", capacity=3)
    registration = make_registration(visit, status=RegistrationStatus.PENDING_APPROVAL)

    page = client.get(link(registration))
    response = client.post(f"{link(registration)}/items/{item.id}/signup", follow_redirects=True)

    assert "You can sign up for these sessions once your registration is confirmed." \
        in page_text(page)
    assert "/signup" not in page.get_data(as_text=True)
    assert "once your registration is confirmed" in page_text(response)
    assert signups(db, item) == []


def test_sign_up_for_another_visits_item_is_404(client, visit, db):
    other = make_visit(slug="hull", status=VisitStatus.PUBLISHED)
    item = make_item(other, capacity=5)
    registration = make_registration(visit)

    assert client.post(f"{link(registration)}/items/{item.id}/signup").status_code == 404
    assert client.post(f"{link(registration)}/items/99999/signup").status_code == 404
    assert client.post(f"{link(registration)}/items/{item.id}/leave").status_code == 404


# --- cancelling and erasing ----------------------------------------------------------------------


def test_cancel_gives_the_place_to_the_first_on_the_waiting_list(client, db):
    visit = make_visit(slug="cic-stoke", status=VisitStatus.PUBLISHED, capacity=1)
    confirmed = make_registration(visit, email="confirmed@example.org")
    waiting = make_registration(visit, email="waiting@example.org",
                                status=RegistrationStatus.WAITLISTED)
    later = make_registration(visit, email="later@example.org",
                              status=RegistrationStatus.WAITLISTED)

    page = client.get(link(confirmed)).get_data(as_text=True)
    response = client.post(f"{link(confirmed)}/cancel", follow_redirects=True)

    assert re.search(r'<form[^>]*action="[^"]*/cancel"[^>]*data-confirm="[^"]+"', page)
    assert "Your registration is cancelled." in page_text(response)
    assert "This registration is cancelled" in page_text(response)
    assert reload(db, confirmed).status is RegistrationStatus.CANCELLED
    assert reload(db, waiting).status is RegistrationStatus.CONFIRMED
    assert reload(db, later).status is RegistrationStatus.WAITLISTED
    [promoted] = outbox("waiting@example.org")
    assert promoted.subject == "A place is yours: Regions and Clusters delegation"
    assert LINK.search(promoted.body_text).group(1) == link(waiting)
    [cancelled] = outbox("confirmed@example.org")
    assert cancelled.subject == "Registration cancelled: Regions and Clusters delegation"
    assert outbox("later@example.org") == []


def test_erase_removes_personal_data_and_kills_the_link(client, db, visit):
    item = make_item(visit, title="Kiln workshop", capacity=5)
    client.post("/visits/cic-stoke/register", data={
        "full_name": "Ada Lovelace", "email": "ada@example.org", "organisation": "Engines",
        "job_title": "Director", "organisation_type": "press", "dietary": "Vegan",
        "access_needs": "Ramp", "consent_photography": "y", "privacy_accepted": "y",
    })
    [email] = outbox("ada@example.org")
    private = LINK.search(email.body_text).group(1)
    client.post(f"{private}/items/{item.id}/signup")
    page = client.get(private).get_data(as_text=True)

    response = client.post(f"{private}/erase")

    assert re.search(r'<form[^>]*action="[^"]*/erase"[^>]*data-confirm="[^"]*removes your name',
                     page)
    assert response.status_code == 200
    assert "Your data has been erased" in page_text(response)
    assert "Your private link no longer works." in page_text(response)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    db.session.expire_all()
    [row] = db.session.scalars(select(Registration)).all()
    assert row.status is RegistrationStatus.CANCELLED
    assert row.erased_at is not None
    assert (row.full_name, row.email, row.email_key, row.organisation, row.job_title,
            row.dietary, row.access_needs, row.answers, row.consent_photography) == (
        "", None, None, "", "", "", "", {}, False)
    assert signups(db, item) == []
    assert client.get(private).status_code == 404
    assert client.post(f"{private}/erase").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.topic == f"registration:{row.id}")) == 0
