"""/visits/<slug>/register: what an attendee sees, what is stored, what is emailed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from eventsapp.registration.models import (
    OrganisationType,
    QuestionKind,
    Registration,
    RegistrationStatus,
)
from eventsapp.timezones import to_local
from eventsapp.visits.models import RegistrationAccess, VisitStatus
from tests.support import (
    field_error,
    make_question,
    make_registration,
    make_visit,
    outbox,
    page_text,
)

URL = "/visits/cic-stoke/register"
LINK = re.compile(r"https?://[^/\s]+(/r/[A-Za-z0-9_-]{43})")


def input_types(markup: str, name: str) -> list[str]:
    tags = re.findall(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', markup)
    return [re.search(r'type="([^"]+)"', tag).group(1) for tag in tags]


def form(**overrides) -> dict:
    data = {
        "full_name": "Ada Lovelace",
        "email": "ada@example.org",
        "organisation": "Analytical Engines Ltd",
        "job_title": "Director",
        "organisation_type": "industry",
        "dietary": "Vegetarian",
        "access_needs": "Step-free routes, please",
        "consent_photography": "y",
        "privacy_accepted": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def open_visit(**overrides):
    fields = dict(slug="cic-stoke", status=VisitStatus.PUBLISHED, contact_email="hello@example.org")
    fields.update(overrides)
    return make_visit(**fields)


def registrations(db) -> list[Registration]:
    return list(db.session.scalars(select(Registration).order_by(Registration.id)))


def count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration))


# --- success ---------------------------------------------------------------------------------


def test_register_confirms_stores_answers_emails_the_private_link(client, db):
    open_visit(capacity=20, host="Platform Stoke")

    page = client.get(URL)
    assert page.status_code == 200
    assert "Register for Regions and Clusters delegation" in page_text(page)

    response = client.post(URL, data=form(email="Ada@Example.org"))

    assert response.status_code == 303
    [registration] = registrations(db)
    assert registration.status is RegistrationStatus.CONFIRMED
    assert registration.full_name == "Ada Lovelace"
    assert registration.email == "Ada@Example.org"
    assert registration.email_key == "ada@example.org"
    assert registration.organisation == "Analytical Engines Ltd"
    assert registration.job_title == "Director"
    assert registration.organisation_type is OrganisationType.INDUSTRY
    assert registration.dietary == "Vegetarian"
    assert registration.access_needs == "Step-free routes, please"
    assert registration.consent_photography is True
    assert registration.consent_share is False
    assert registration.privacy_accepted_at is not None

    [email] = outbox()
    assert email.to == "Ada@Example.org"
    assert email.subject == "You're registered: Regions and Clusters delegation"
    link = LINK.search(email.body_text).group(1)
    assert response.headers["Location"] == f"{link}?welcome=1"
    assert "Set-Cookie" not in response.headers  # nothing flashed through the session

    page = client.get(response.headers["Location"])
    text = page_text(page)
    assert page.status_code == 200
    assert "You're registered: your place is confirmed." in text
    assert "We have emailed you a private link to this page." in text
    assert "Your place is confirmed" in text
    assert "Ada Lovelace" in text and "Analytical Engines Ltd" in text
    # The link from the email is the same page, without the welcome.
    later = page_text(client.get(link))
    assert "Your place is confirmed" in later
    assert "We have emailed you a private link" not in later


def test_third_person_on_capacity_two_is_waitlisted_at_position_one(client, db):
    open_visit(capacity=2)
    for n in (1, 2):
        assert client.post(URL, data=form(email=f"p{n}@example.org")).status_code == 303

    response = client.post(URL, data=form(email="p3@example.org", full_name="Third Person"),
                           follow_redirects=True)

    text = page_text(response)
    assert "The visit is full: you're on the waiting list at position 1." in text
    assert "You're on the waiting list at position 1" in text
    statuses = [(r.email, r.status) for r in registrations(db)]
    assert statuses == [
        ("p1@example.org", RegistrationStatus.CONFIRMED),
        ("p2@example.org", RegistrationStatus.CONFIRMED),
        ("p3@example.org", RegistrationStatus.WAITLISTED),
    ]
    [email] = outbox("p3@example.org")
    assert email.subject.startswith("You're on the waiting list")
    assert "at position 1" in email.body_text


def test_full_visit_says_so_on_the_form(client, db):
    visit = open_visit(capacity=1)
    make_registration(visit)

    text = page_text(client.get(URL))

    assert "The visit is full at the moment. If you register you join the waiting list" in text


def test_full_visit_without_waiting_list_refuses_and_saves_nothing(client, db):
    visit = open_visit(capacity=1, waitlist_enabled=False)
    make_registration(visit)

    page = client.get(URL)
    response = client.post(URL, data=form())

    assert page.status_code == 200
    assert "Sorry, this visit is full and has no waiting list." in page_text(page)
    assert 'name="full_name"' not in page.get_data(as_text=True)
    assert response.status_code == 409
    assert "Sorry, this visit is full and has no waiting list." in page_text(response)
    assert count(db) == 1
    assert outbox() == []


def test_approval_access_leaves_the_registration_pending(client, db):
    open_visit(capacity=1, registration_access=RegistrationAccess.APPROVAL)

    response = client.post(URL, data=form(), follow_redirects=True)

    [registration] = registrations(db)
    assert registration.status is RegistrationStatus.PENDING_APPROVAL
    text = page_text(response)
    assert "Thank you: the organisers will review your registration and email you." in text
    assert "Awaiting approval" in text
    [email] = outbox()
    assert email.subject == "Registration received: Regions and Clusters delegation"


# --- invitations -----------------------------------------------------------------------------


def test_invitation_code_prefilled_from_the_link(client):
    open_visit(registration_access=RegistrationAccess.INVITATION, invitation_code="STOKE-2025")

    markup = client.get(URL + "?code=STOKE-2025").get_data(as_text=True)

    assert re.search(r'<input[^>]*name="invitation_code"[^>]*value="STOKE-2025"', markup) or \
        re.search(r'<input[^>]*value="STOKE-2025"[^>]*name="invitation_code"', markup)


def test_wrong_invitation_code_refused_right_one_accepted(client, db):
    open_visit(registration_access=RegistrationAccess.INVITATION, invitation_code="STOKE-2025")

    wrong = client.post(URL, data=form(invitation_code="GUESS"))

    assert wrong.status_code == 422
    assert field_error(wrong, "invitation_code") == "That invitation code is not right."
    assert 'value="Ada Lovelace"' in wrong.get_data(as_text=True)  # answers kept
    assert count(db) == 0

    right = client.post(URL, data=form(invitation_code=" stoke-2025 "))

    assert right.status_code == 303
    assert [r.status for r in registrations(db)] == [RegistrationStatus.CONFIRMED]


def test_no_invitation_field_on_an_open_visit(client):
    open_visit()
    assert 'name="invitation_code"' not in client.get(URL).get_data(as_text=True)


# --- refusals --------------------------------------------------------------------------------


def test_same_email_in_another_case_is_refused_on_the_email_field(client, db):
    open_visit()
    assert client.post(URL, data=form(email="ada@example.org")).status_code == 303

    response = client.post(URL, data=form(email="  ADA@example.ORG", full_name="Ada Again"))

    assert response.status_code == 422
    assert field_error(response, "email").startswith(
        "This email address is already registered for this visit."
    )
    assert 'value="Ada Again"' in response.get_data(as_text=True)
    assert count(db) == 1


def test_privacy_notice_must_be_accepted(client, db):
    open_visit(host="Platform Stoke")

    page = client.get(URL)
    response = client.post(URL, data=form(privacy_accepted=None))

    notice = page_text(page)
    assert "Privacy notice" in notice
    assert "Platform Stoke is the data controller" in notice
    assert "until the organisers purge the visit's personal data after the visit has ended" \
        in notice
    assert "erase them" in notice
    assert response.status_code == 422
    assert field_error(response, "privacy_accepted") == (
        "You must accept the privacy notice to register."
    )
    assert count(db) == 0


def test_visits_own_privacy_notice_is_shown(client):
    open_visit(privacy_notice="Our own notice: we keep your details for 30 days.")
    text = page_text(client.get(URL))
    assert "Our own notice: we keep your details for 30 days." in text
    assert "is the data controller" not in text


def test_required_fields_and_invalid_email(client, db):
    open_visit()

    response = client.post(URL, data=form(full_name="  ", email="not-an-email",
                                          organisation_type="pirates"))

    assert response.status_code == 422
    assert field_error(response, "full_name") == "Enter your full name"
    assert field_error(response, "email") == "Enter an email address like name@example.org"
    assert field_error(response, "organisation_type") == "Choose one of the types listed"
    summary = response.get_data(as_text=True).split('data-error-summary>', 1)[1]
    assert '<a href="#full_name">Full name: Enter your full name</a>' in summary
    assert count(db) == 0


@pytest.fixture
def questions(app):
    visit = open_visit()
    return {
        "short": make_question(visit, label="Your favourite museum", required=True),
        "long": make_question(visit, kind=QuestionKind.LONG_TEXT, label="What brings you here?",
                              required=True),
        "single": make_question(visit, kind=QuestionKind.SINGLE_CHOICE, label="Which tour?",
                                options="Spode Works\nGladstone Pottery", required=True),
        "multiple": make_question(visit, kind=QuestionKind.MULTIPLE_CHOICE,
                                  label="Interests", options="Ceramics\nGames\nMusic",
                                  required=True),
        "yes_no": make_question(visit, kind=QuestionKind.YES_NO, label="Coming to dinner?",
                                required=True),
    }


def test_extra_questions_shown_in_order_with_their_controls(client, questions):
    markup = client.get(URL).get_data(as_text=True)
    text = page_text(markup)

    labels = ["Your favourite museum", "What brings you here?", "Which tour?", "Interests",
              "Coming to dinner?"]
    assert [text.index(label) for label in labels] == sorted(text.index(label) for label in labels)
    ids = {key: q.id for key, q in questions.items()}
    assert f'<input id="q_{ids["short"]}" name="q_{ids["short"]}"' in markup
    assert f'<textarea id="q_{ids["long"]}"' in markup
    assert input_types(markup, f"q_{ids['single']}") == ["radio", "radio"]
    assert input_types(markup, f"q_{ids['multiple']}") == ["checkbox"] * 3
    assert input_types(markup, f"q_{ids['yes_no']}") == ["radio", "radio"]
    assert re.search(rf'<fieldset class="choice-group" id="q_{ids["multiple"]}"', markup)
    assert "<legend>Interests" in markup


def test_required_questions_of_every_kind(client, db, questions):
    ids = {key: q.id for key, q in questions.items()}

    response = client.post(URL, data=form(**{f"q_{ids['short']}": "   "}))

    assert response.status_code == 422
    assert field_error(response, f"q_{ids['short']}") == "Please answer this question."
    assert field_error(response, f"q_{ids['long']}") == "Please answer this question."
    assert field_error(response, f"q_{ids['single']}") == "Choose one of the options."
    assert field_error(response, f"q_{ids['multiple']}") == "Choose at least one option."
    assert field_error(response, f"q_{ids['yes_no']}") == "Answer yes or no."
    assert count(db) == 0


def test_question_errors_shown_together_with_field_errors(client, db, questions):
    response = client.post(URL, data=form(full_name=""))

    assert field_error(response, "full_name") == "Enter your full name"
    assert field_error(response, f"q_{questions['yes_no'].id}") == "Answer yes or no."


def test_invalid_choice_values_refused_and_answers_kept(client, db, questions):
    ids = {key: q.id for key, q in questions.items()}
    data = form(**{
        f"q_{ids['short']}": "The Potteries Museum",
        f"q_{ids['long']}": "Clusters",
        f"q_{ids['single']}": "Alton Towers",
        f"q_{ids['multiple']}": ["Ceramics", "Rollercoasters"],
        f"q_{ids['yes_no']}": "maybe",
    })

    response = client.post(URL, data=data)

    assert response.status_code == 422
    assert field_error(response, f"q_{ids['single']}") == "Choose one of the options."
    assert field_error(response, f"q_{ids['multiple']}") == "Choose from the options listed."
    assert field_error(response, f"q_{ids['yes_no']}") == "Answer yes or no."
    markup = response.get_data(as_text=True)
    assert 'value="The Potteries Museum"' in markup
    assert re.search(r'checked[^>]*value="Ceramics"|value="Ceramics"[^>]*checked', markup)
    assert count(db) == 0


def test_answers_to_every_kind_are_stored(client, db, questions):
    ids = {key: q.id for key, q in questions.items()}
    data = form(**{
        f"q_{ids['short']}": "The Potteries Museum",
        f"q_{ids['long']}": "Clusters\nand skills",
        f"q_{ids['single']}": "Gladstone Pottery",
        f"q_{ids['multiple']}": ["Music", "Ceramics"],
        f"q_{ids['yes_no']}": "no",
    })

    response = client.post(URL, data=data, follow_redirects=True)

    [registration] = registrations(db)
    assert registration.answers == {
        str(ids["short"]): "The Potteries Museum",
        str(ids["long"]): "Clusters\nand skills",
        str(ids["single"]): "Gladstone Pottery",
        str(ids["multiple"]): ["Ceramics", "Music"],
        str(ids["yes_no"]): "no",
    }
    text = page_text(response)
    assert "Interests Ceramics; Music" in text
    assert "Coming to dinner? No" in text


@pytest.mark.parametrize(("field", "label", "limit"), [
    ("full_name", "Full name", 200),
    ("email", "Email", 254),
    ("organisation", "Organisation", 200),
    ("job_title", "Job title", 200),
    ("dietary", "Dietary requirements", 500),
    ("access_needs", "Access requirements", 1000),
])
def test_overlong_answers_refused_with_the_limit_stated(client, db, field, label, limit):
    open_visit()
    value = "a" * (limit - 12) + "@example.org" if field == "email" else "x" * limit
    assert len(value) == limit

    response = client.post(URL, data=form(**{field: "z" + value}))

    assert response.status_code == 422
    message = field_error(response, field)
    assert message == f"{label} must be {limit:,} characters or fewer"
    assert count(db) == 0


def test_overlong_answer_to_a_question_refused_with_the_limit(client, db, questions):
    ids = {key: q.id for key, q in questions.items()}
    data = form(**{
        f"q_{ids['short']}": "m" * 301,
        f"q_{ids['long']}": "w" * 3001,
        f"q_{ids['single']}": "Spode Works",
        f"q_{ids['multiple']}": "Games",
        f"q_{ids['yes_no']}": "yes",
    })

    response = client.post(URL, data=data)

    assert field_error(response, f"q_{ids['short']}") == "Answer in 300 characters or fewer."
    assert field_error(response, f"q_{ids['long']}") == "Answer in 3000 characters or fewer."
    assert count(db) == 0


JUNK = ["x" * 10_000, "\x00", "Ada\x00Lovelace", "Ada\r\nBcc: eve@example.org", "\r\n",
        "<script>alert(1)</script>", "'; DROP TABLE registrations; --", "🙂" * 300]


@pytest.mark.parametrize("junk", JUNK)
@pytest.mark.parametrize("field", ["full_name", "email", "organisation", "job_title",
                                   "organisation_type", "dietary", "access_needs",
                                   "consent_share", "privacy_accepted", "q"])
def test_junk_never_gives_a_500(client, db, questions, field, junk):
    name = f"q_{questions['single'].id}" if field == "q" else field

    response = client.post(URL, data=form(**{name: junk}))

    assert response.status_code in (303, 422), response.status_code
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_bytes_that_are_not_utf8_never_give_a_500(client, db):
    open_visit()
    body = b"full_name=%FF%FE%C0&email=ada%40example.org&privacy_accepted=%E2%28%A1"

    response = client.post(URL, data=body, content_type="application/x-www-form-urlencoded")

    assert response.status_code in (303, 422)


def test_line_breaks_and_nul_removed_from_one_line_answers(client, db):
    open_visit()

    response = client.post(URL, data=form(full_name="Ada\r\nLovelace\x00",
                                          organisation="Engines\x00 Ltd",
                                          dietary="No nuts\r\nNo fish\x00"))

    assert response.status_code == 303
    [registration] = registrations(db)
    assert registration.full_name == "Ada Lovelace"
    assert registration.organisation == "Engines Ltd"
    assert registration.dietary == "No nuts\nNo fish"  # one kind of line break (forms.cleaning)


# --- when registration is not open ----------------------------------------------------------


def test_not_yet_open_says_when_it_opens_in_the_visits_zone(client, db):
    opens = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    open_visit(registration_opens_at=opens)
    local = to_local(opens, ZoneInfo("Europe/London"))

    page = client.get(URL)
    posted = client.post(URL, data=form())

    text = page_text(page)
    assert page.status_code == 200
    assert "Registration has not opened yet." in text
    assert f"{local.day} {local:%B %Y} at {local:%H:%M} {local.tzname()} (Europe/London time)" \
        in text
    assert 'name="full_name"' not in page.get_data(as_text=True)
    assert posted.status_code == 409
    assert "Registration has not opened yet." in page_text(posted)
    assert count(db) == 0 and outbox() == []


def test_closed_says_so_and_saves_nothing(client, db):
    open_visit(registration_closes_at=datetime.now(UTC) - timedelta(minutes=1))

    page = client.get(URL)
    posted = client.post(URL, data=form())

    assert page.status_code == 200
    assert "Registration for this visit has closed." in page_text(page)
    assert 'name="full_name"' not in page.get_data(as_text=True)
    assert posted.status_code == 409
    assert "Registration for this visit has closed." in page_text(posted)
    assert count(db) == 0


def test_cancelled_visit_says_so_and_saves_nothing(client, db):
    open_visit(status=VisitStatus.CANCELLED)

    page = client.get(URL)
    posted = client.post(URL, data=form())

    assert page.status_code == 200
    assert "This visit has been cancelled; registration is closed." in page_text(page)
    assert posted.status_code == 409
    assert count(db) == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_draft_or_unknown_visit_is_404(client, db, method):
    make_visit(slug="cic-stoke", status=VisitStatus.DRAFT)

    assert getattr(client, method)(URL, data=form()).status_code == 404
    assert getattr(client, method)("/visits/nowhere/register", data=form()).status_code == 404
    assert count(db) == 0


# --- robots ----------------------------------------------------------------------------------


def test_honeypot_is_hidden_labelled_and_out_of_the_tab_order(client):
    open_visit()
    markup = client.get(URL).get_data(as_text=True)

    wrapper = markup.split('<div class="visually-hidden-field"', 1)[1].split("</div>", 1)[0]
    assert '<label for="website">Leave this empty</label>' in wrapper
    control = re.search(r"<input[^>]*name=\"website\"[^>]*>", wrapper).group(0)
    assert 'tabindex="-1"' in control and 'autocomplete="off"' in control
    assert "style=" not in markup and "<script>" not in markup


def test_honeypot_filled_pretends_success_and_saves_nothing(client, db):
    open_visit()

    response = client.post(URL, data=form(website="http://spam.example"))

    assert response.status_code == 200
    assert "Thank you" in page_text(response)
    assert count(db) == 0
    assert outbox() == []


class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "REGISTRATION_RATE_LIMIT": "3 per minute"}

    def test_fourth_post_in_a_minute_gets_a_friendly_429(self, client, db):
        open_visit()
        statuses = [client.post(URL, data=form(email=f"p{n}@example.org")).status_code
                    for n in range(3)]

        response = client.post(URL, data=form(email="p4@example.org"))

        assert statuses == [303, 303, 303]
        assert response.status_code == 429
        assert "Too many attempts from your address; please wait a minute and try again" \
            in page_text(response)
        assert int(response.headers["Retry-After"]) > 0
        assert count(db) == 3
        assert client.get(URL).status_code == 200  # reading the form is not limited

    def test_limit_is_per_address(self, client, db):
        open_visit()
        for n in range(3):
            client.post(URL, data=form(email=f"p{n}@example.org"))

        other = client.post(URL, data=form(email="other@example.org"),
                            environ_base={"REMOTE_ADDR": "192.0.2.7"})

        assert other.status_code == 303
