"""The organiser's registration pages: the table, one registration and its actions,
adding by hand, the CSV export, the catering summary, purging, and who may see them."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventsapp.registration.models import (
    OrganisationType,
    QuestionKind,
    Registration,
    RegistrationStatus,
)
from eventsapp.visits.models import Visit, VisitStatus
from tests.conftest import login
from tests.support import make_question, make_registration, make_user, make_visit, outbox, page_text

BASE = "/organiser/visits/test-visit"
CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
PENDING = RegistrationStatus.PENDING_APPROVAL
CANCELLED = RegistrationStatus.CANCELLED


def page(response) -> str:
    return response.get_data(as_text=True)


def fresh(db, registration: Registration) -> Registration:
    db.session.expire_all()
    return db.session.get(Registration, registration.id)


def visit_capacity(db) -> int | None:
    db.session.expire_all()
    return db.session.scalar(select(Visit.capacity).where(Visit.slug == "test-visit"))


@pytest.fixture
def visit(organiser):
    return make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED, capacity=3)


def full_visit(visit, waiting: int = 0) -> tuple[list[Registration], list[Registration]]:
    """Fill the visit's three places, then ``waiting`` people on the waiting list."""
    confirmed = [make_registration(visit, full_name=f"Confirmed {n}") for n in (1, 2, 3)]
    queue = [make_registration(visit, status=WAITLISTED, full_name=f"Waiting {n}")
             for n in range(1, waiting + 1)]
    return confirmed, queue


# --- the registrations table ------------------------------------------------------------


def test_counts_against_capacity(organiser_client, db, visit):
    full_visit(visit, waiting=1)
    make_registration(visit, status=PENDING)
    make_registration(visit, status=CANCELLED)
    text = page_text(organiser_client.get(f"{BASE}/registrations"))
    assert ("3 confirmed of 3 places · 1 on the waiting list · 1 awaiting approval · "
            "1 cancelled") in text

    visit.capacity = None
    db.session.commit()
    text = page_text(organiser_client.get(f"{BASE}/registrations"))
    assert "3 confirmed no limit on places · 1 on the waiting list" in text


def test_table_lists_every_field_the_organiser_scans(organiser_client, db, visit):
    make_registration(
        visit, full_name="Ada Potter", email="ada@clayworks.example",
        organisation="Clay Works", organisation_type=OrganisationType.INDUSTRY,
        created_at=datetime(2030, 6, 1, 8, 5, tzinfo=UTC),
    )
    make_registration(visit, full_name="Winter Person",
                      created_at=datetime(2030, 1, 15, 9, 30, tzinfo=UTC))
    response = organiser_client.get(f"{BASE}/registrations")
    assert response.status_code == 200
    text = page_text(response)
    assert "Ada Potter Clay Works Industry ada@clayworks.example Confirmed" in text
    assert "01 Jun 2030 09:05 BST" in text  # shown in the visit's zone, named
    assert "15 Jan 2030 09:30 GMT" in text
    assert "Registered (Europe/London)" in text
    source = page(response)
    assert '<div class="table-wrap reg-table-wrap" tabindex="0" role="region"' in source
    for link in ("/registrations/new", "/registrations.csv", "/catering", "/registration\""):
        assert f'href="{BASE}{link}' in source


def test_waiting_list_positions_in_queue_order(organiser_client, db, visit):
    full_visit(visit)
    first = make_registration(visit, status=WAITLISTED, full_name="Fern First")
    make_registration(visit, status=WAITLISTED, full_name="Sam Second")
    make_registration(visit, status=WAITLISTED, full_name="Theo Third")
    # Joining earlier puts someone ahead, whatever their id.
    first.queued_at = first.queued_at + timedelta(hours=1)
    db.session.commit()

    text = page_text(organiser_client.get(f"{BASE}/registrations?status=waitlisted"))
    assert "Sam Second" in text and "Confirmed 1" not in text
    assert text.index("Sam Second") < text.index("Theo Third") < text.index("Fern First")
    assert "Waiting list (position 1)" in text[text.index("Sam Second"):]
    assert re.search(r"Fern First .* Waiting list \(position 3\)", text)
    # A search shows a person's true place in the whole line.
    text = page_text(organiser_client.get(f"{BASE}/registrations?q=fern"))
    assert "Waiting list (position 3)" in text
    assert "Sam Second" not in text


def test_the_table_needs_a_fixed_number_of_queries(organiser_client, db, visit,
                                                   count_queries):
    def queries() -> int:
        with count_queries() as counter:
            assert organiser_client.get(f"{BASE}/registrations").status_code == 200
        return counter.count

    full_visit(visit, waiting=2)
    few = queries()
    for n in range(10):
        make_registration(visit, status=WAITLISTED, full_name=f"More {n}")
    assert queries() == few


@pytest.mark.parametrize("query,shown,hidden", [
    ("status=confirmed", ["Ada Potter"], ["Ben Waiting", "Cat Pending", "Dan Gone"]),
    ("status=waitlisted", ["Ben Waiting"], ["Ada Potter", "Cat Pending"]),
    ("status=pending_approval", ["Cat Pending"], ["Ada Potter", "Ben Waiting"]),
    ("status=cancelled", ["Dan Gone"], ["Ada Potter", "Cat Pending"]),
    ("status=nonsense", ["Ada Potter", "Ben Waiting", "Cat Pending", "Dan Gone"], []),
    ("q=potter", ["Ada Potter"], ["Ben Waiting"]),
    ("q=BEN%40", ["Ben Waiting"], ["Ada Potter"]),  # email, any case
    ("q=kiln", ["Cat Pending"], ["Ada Potter"]),  # organisation
    ("q=a&status=waitlisted", ["Ben Waiting"], ["Ada Potter", "Cat Pending"]),
])
def test_filter_and_search(organiser_client, db, visit, query, shown, hidden):
    visit.capacity = 1
    db.session.commit()
    make_registration(visit, full_name="Ada Potter", email="ada@example.org")
    make_registration(visit, full_name="Ben Waiting", email="ben@example.org",
                      status=WAITLISTED)
    make_registration(visit, full_name="Cat Pending", organisation="Kiln Studio",
                      status=PENDING)
    make_registration(visit, full_name="Dan Gone", status=CANCELLED)
    text = page_text(organiser_client.get(f"{BASE}/registrations?{query}"))
    for name in shown:
        assert name in text
    for name in hidden:
        assert name not in text


def test_empty_states(organiser_client, db, visit):
    text = page_text(organiser_client.get(f"{BASE}/registrations"))
    assert "No registrations yet" in text
    make_registration(visit, full_name="Ada Potter")
    text = page_text(organiser_client.get(f"{BASE}/registrations?q=zebra"))
    assert "No registrations match" in text and "zebra" in text
    text = page_text(organiser_client.get(f"{BASE}/registrations?status=cancelled"))
    assert "No registrations match" in text


@pytest.mark.parametrize("query", ["q=%00", "q=" + "x" * 5000, "q=%25_%5C", "status=%00"])
def test_strange_search_is_never_an_error(organiser_client, visit, query):
    make_registration(visit, full_name="Ada Potter")
    assert organiser_client.get(f"{BASE}/registrations?{query}").status_code == 200


# --- one registration -------------------------------------------------------------------


def test_registration_page_shows_every_field_and_answer(organiser_client, db, visit):
    tours = make_question(visit, kind=QuestionKind.MULTIPLE_CHOICE, label="Which tours?",
                          options="Spode\nGladstone\nMiddleport")
    overnight = make_question(visit, kind=QuestionKind.YES_NO, label="Staying over?")
    unanswered = make_question(visit, label="Anything else?")
    person = make_registration(
        visit, full_name="Ada Potter", email="ada@example.org", organisation="Clay Works",
        job_title="Director", organisation_type=OrganisationType.ACADEMIA,
        dietary="Vegan", access_needs="Step-free route", consent_photography=True,
        answers={tours.key: ["Spode", "Middleport"], overnight.key: "yes"},
        status_reason="Added by an organiser.",
    )
    text = page_text(organiser_client.get(f"{BASE}/registrations/{person.id}"))
    for expected in ("Ada Potter", "ada@example.org", "Clay Works", "Director", "Academia",
                     "Vegan", "Step-free route", "Agrees to be photographed",
                     "Does not agree to share name and organisation",
                     "Added by an organiser.", "Which tours? Spode; Middleport",
                     "Staying over? Yes", f"{unanswered.label} Not answered"):
        assert expected in text


def test_actions_offered_match_the_status(organiser_client, db, visit):
    confirmed, queue = full_visit(visit, waiting=1)
    pending = make_registration(visit, status=PENDING)
    gone = make_registration(visit, status=CANCELLED)

    def buttons(registration) -> str:
        return page_text(organiser_client.get(f"{BASE}/registrations/{registration.id}"))

    assert "Approve" in buttons(pending) and "Decline" in buttons(pending)
    assert "Promote" in buttons(queue[0]) and "Approve" not in buttons(queue[0])
    assert "Move to the waiting list" in buttons(confirmed[0])
    assert "Promote" not in buttons(confirmed[0])
    assert "Cancel registration" in buttons(confirmed[0])
    assert "Cancel registration" not in buttons(gone)
    assert "Waiting list (position 1)" in buttons(queue[0])


def test_approve_confirms_when_a_place_is_free(organiser_client, db, visit):
    person = make_registration(visit, status=PENDING, full_name="Ada Potter",
                               email="ada@example.org")
    response = organiser_client.post(f"{BASE}/registrations/{person.id}/approve")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/registrations/{person.id}")
    assert fresh(db, person).status is CONFIRMED
    [message] = outbox()
    assert message.to == "ada@example.org"
    assert message.subject == f"Approved: {visit.title}"
    assert "Your registration has been approved" in message.body_text
    assert "Approved Ada Potter: confirmed." in page_text(organiser_client.get(response.location))


def test_approve_when_full_puts_them_on_the_waiting_list(organiser_client, db, visit):
    full_visit(visit, waiting=1)
    person = make_registration(visit, status=PENDING, email="late@example.org")
    organiser_client.post(f"{BASE}/registrations/{person.id}/approve")
    assert fresh(db, person).status is WAITLISTED
    [message] = outbox()
    assert (message.to, message.subject) == ("late@example.org",
                                             f"You're on the waiting list: {visit.title}")
    assert "position 2" in message.body_text
    text = page_text(organiser_client.get(f"{BASE}/registrations/{person.id}"))
    assert "on the waiting list at position 2" in text


def test_approving_twice_is_refused_without_a_second_email(organiser_client, db, visit):
    person = make_registration(visit, status=PENDING)
    organiser_client.post(f"{BASE}/registrations/{person.id}/approve")
    response = organiser_client.post(f"{BASE}/registrations/{person.id}/approve",
                                     follow_redirects=True)
    assert "is not awaiting approval" in page_text(response)
    assert len(outbox()) == 1


def test_decline_with_a_message_emails_it(organiser_client, db, visit):
    person = make_registration(visit, status=PENDING, email="ada@example.org")
    response = organiser_client.post(
        f"{BASE}/registrations/{person.id}/decline",
        data={"decline-message": "This visit is for policy makers only."},
    )
    assert response.status_code == 302
    saved = fresh(db, person)
    assert saved.status is CANCELLED
    assert "This visit is for policy makers only." in saved.status_reason
    [message] = outbox()
    assert message.to == "ada@example.org"
    assert message.subject == f"Your registration for {visit.title}"
    assert "This visit is for policy makers only." in message.body_text


def test_an_overlong_decline_message_is_refused_with_the_limit(organiser_client, db, visit):
    person = make_registration(visit, status=PENDING)
    response = organiser_client.post(f"{BASE}/registrations/{person.id}/decline",
                                     data={"decline-message": "x" * 401})
    assert response.status_code == 422
    assert "The message must be 400 characters or fewer" in page_text(response)
    assert fresh(db, person).status is PENDING
    assert outbox() == []


def test_promote_when_full_needs_an_extra_place(organiser_client, db, visit):
    _confirmed, queue = full_visit(visit, waiting=2)
    second = queue[1]
    url = f"{BASE}/registrations/{second.id}/promote"

    refused = organiser_client.post(url, data={"promote-reason": "Speaker on the panel"})
    assert refused.status_code == 422
    text = page_text(refused)
    assert "The visit is full (3 places)" in text
    assert 'value="Speaker on the panel"' in page(refused)  # what was typed is kept
    assert fresh(db, second).status is WAITLISTED
    assert visit_capacity(db) == 3
    assert outbox() == []

    response = organiser_client.post(url, data={"promote-reason": "Speaker on the panel",
                                                "promote-over_capacity": "y"})
    assert response.status_code == 302
    saved = fresh(db, second)
    assert saved.status is CONFIRMED
    assert saved.status_reason == "Promoted by an organiser: Speaker on the panel"
    assert visit_capacity(db) == 4
    [message] = outbox()
    assert (message.to, message.subject) == (second.email, f"A place is yours: {visit.title}")
    # The first in line is still first.
    assert fresh(db, queue[0]).status is WAITLISTED


def test_promote_needs_a_reason(organiser_client, db, visit):
    _confirmed, queue = full_visit(visit, waiting=1)
    response = organiser_client.post(f"{BASE}/registrations/{queue[0].id}/promote",
                                     data={"promote-reason": "  ", "promote-over_capacity": "y"})
    assert response.status_code == 422
    assert "Give a reason" in page_text(response)
    assert fresh(db, queue[0]).status is WAITLISTED
    assert visit_capacity(db) == 3


def test_move_to_waiting_list_gives_the_place_to_the_next_in_line(organiser_client, db, visit):
    confirmed, queue = full_visit(visit, waiting=2)
    mover = confirmed[0]
    response = organiser_client.post(f"{BASE}/registrations/{mover.id}/move-to-waitlist",
                                     data={"waitlist-reason": "Asked to swap with a colleague"})
    assert response.status_code == 302
    assert fresh(db, mover).status is WAITLISTED
    assert fresh(db, queue[0]).status is CONFIRMED
    assert fresh(db, queue[1]).status is WAITLISTED
    sent = {(m.to, m.subject) for m in outbox()}
    assert sent == {
        (mover.email, f"You're now on the waiting list: {visit.title}"),
        (queue[0].email, f"A place is yours: {visit.title}"),
    }
    text = page_text(organiser_client.get(response.location))
    assert "on the waiting list at position 2" in text  # behind the one still waiting
    assert "Asked to swap with a colleague" in text


def test_move_to_waiting_list_with_nobody_waiting_leaves_the_place_free(
    organiser_client, db, visit
):
    confirmed, _queue = full_visit(visit)
    mover = confirmed[0]
    organiser_client.post(f"{BASE}/registrations/{mover.id}/move-to-waitlist",
                          data={"waitlist-reason": "Making room for a speaker"})
    # The place is not handed straight back: the organiser can now lower the capacity.
    assert fresh(db, mover).status is WAITLISTED
    assert [m.subject for m in outbox()] == [f"You're now on the waiting list: {visit.title}"]
    text = page_text(organiser_client.get(f"{BASE}/registrations"))
    assert "2 confirmed of 3 places · 1 on the waiting list" in text


def test_no_waiting_list_to_move_to_when_places_are_unlimited(organiser_client, db, visit):
    visit.capacity = None
    db.session.commit()
    person = make_registration(visit)
    assert "Move to the waiting list" not in page_text(
        organiser_client.get(f"{BASE}/registrations/{person.id}"))
    response = organiser_client.post(f"{BASE}/registrations/{person.id}/move-to-waitlist",
                                     data={"waitlist-reason": "Testing"})
    assert response.status_code == 422
    assert "no limit on places" in page_text(response)
    assert fresh(db, person).status is CONFIRMED
    assert outbox() == []


def test_move_to_waiting_list_needs_a_reason(organiser_client, db, visit):
    confirmed, _queue = full_visit(visit, waiting=1)
    response = organiser_client.post(f"{BASE}/registrations/{confirmed[0].id}/move-to-waitlist",
                                     data={"waitlist-reason": ""})
    assert response.status_code == 422
    assert "Give a reason" in page_text(response)
    assert fresh(db, confirmed[0]).status is CONFIRMED
    assert outbox() == []


def test_cancel_frees_the_place_for_the_next_in_line(organiser_client, db, visit):
    confirmed, queue = full_visit(visit, waiting=1)
    response = organiser_client.post(f"{BASE}/registrations/{confirmed[1].id}/cancel",
                                     data={"cancel-reason": "Double-booked"})
    assert response.status_code == 302
    saved = fresh(db, confirmed[1])
    assert saved.status is CANCELLED
    assert saved.status_reason == "Cancelled by an organiser. Double-booked"
    assert fresh(db, queue[0]).status is CONFIRMED
    sent = {(m.to, m.subject) for m in outbox()}
    assert sent == {
        (confirmed[1].email, f"Registration cancelled: {visit.title}"),
        (queue[0].email, f"A place is yours: {visit.title}"),
    }


def test_resend_queues_the_email_for_the_current_status(organiser_client, db, visit):
    person = make_registration(visit, email="ada@example.org")
    response = organiser_client.post(f"{BASE}/registrations/{person.id}/resend")
    assert response.status_code == 302
    [message] = outbox()
    assert message.to == "ada@example.org"
    assert message.subject == f"Your registration (resent): {visit.title}"
    assert "/r/" in message.body_text  # the private link


def test_registrations_of_another_visit_are_not_found(organiser_client, organiser, db, visit):
    other = make_visit(organisers=[organiser], slug="other-visit")
    theirs = make_registration(other, status=PENDING)
    assert organiser_client.get(f"{BASE}/registrations/{theirs.id}").status_code == 404
    assert organiser_client.post(f"{BASE}/registrations/{theirs.id}/approve").status_code == 404
    assert organiser_client.get(f"{BASE}/registrations/2147483648").status_code == 404
    assert fresh(db, theirs).status is PENDING


# --- adding by hand ---------------------------------------------------------------------


def hand_form(**overrides) -> dict:
    form = {"full_name": "Grace Hopper", "email": "grace@example.org",
            "organisation": "Navy", "job_title": "Rear Admiral",
            "organisation_type": "government", "dietary": "", "access_needs": "",
            "send_email": "y"}
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not None}


def only_registration(db) -> Registration | None:
    db.session.expire_all()
    return db.session.scalar(select(Registration))


def test_add_by_hand_confirms_and_emails(organiser_client, db, visit):
    response = organiser_client.post(f"{BASE}/registrations/new", data=hand_form())
    assert response.status_code == 302
    added = only_registration(db)
    assert (added.full_name, added.email, added.organisation_type) == (
        "Grace Hopper", "grace@example.org", OrganisationType.GOVERNMENT)
    assert added.status is CONFIRMED and added.added_by_organiser
    [message] = outbox()
    assert (message.to, message.subject) == ("grace@example.org",
                                             f"You're registered: {visit.title}")
    assert response.headers["Location"].endswith(f"/registrations/{added.id}")


def test_add_by_hand_without_email_and_when_full(organiser_client, db, visit):
    full_visit(visit)
    response = organiser_client.post(f"{BASE}/registrations/new",
                                     data=hand_form(send_email=None))
    assert response.status_code == 302
    db.session.expire_all()
    added = db.session.scalar(select(Registration).where(Registration.full_name == "Grace Hopper"))
    assert added.status is WAITLISTED
    assert outbox() == []


@pytest.mark.parametrize("overrides,message", [
    ({"full_name": ""}, "Enter the person's full name"),
    ({"email": "grace"}, "Enter an email address like name@example.org"),
    ({"full_name": "x" * 201}, "Full name must be 200 characters or fewer"),
    ({"organisation_type": "pirate"}, "Choose one of the types listed"),
    ({"dietary": "x" * 501}, "Dietary requirements must be 500 characters or fewer"),
])
def test_add_by_hand_bad_input(organiser_client, db, visit, overrides, message):
    response = organiser_client.post(f"{BASE}/registrations/new", data=hand_form(**overrides))
    assert response.status_code == 422
    assert message in page_text(response)
    assert only_registration(db) is None


def test_add_by_hand_refuses_an_email_already_registered(organiser_client, db, visit):
    make_registration(visit, email="grace@example.org")
    response = organiser_client.post(f"{BASE}/registrations/new",
                                     data=hand_form(email="GRACE@example.org"))
    assert response.status_code == 422
    assert "already registered" in page_text(response)
    assert 'value="Grace Hopper"' in page(response)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 1


def test_add_by_hand_asks_the_extra_questions(organiser_client, db, visit):
    day = make_question(visit, kind=QuestionKind.SINGLE_CHOICE, label="Which day?",
                        options="Thursday\nFriday", required=True)
    tours = make_question(visit, kind=QuestionKind.MULTIPLE_CHOICE, label="Which tours?",
                          options="Spode\nGladstone")
    make_question(visit, label="Optional note")
    form_page = page_text(organiser_client.get(f"{BASE}/registrations/new"))
    assert "Which day?" in form_page and "Gladstone" in form_page

    refused = organiser_client.post(f"{BASE}/registrations/new", data=hand_form())
    assert refused.status_code == 422
    assert "Choose one of the options" in page_text(refused)
    assert only_registration(db) is None

    response = organiser_client.post(f"{BASE}/registrations/new", data={
        **hand_form(), f"q_{day.id}": "Friday", f"q_{tours.id}": ["Gladstone", "Spode"],
    })
    assert response.status_code == 302
    assert only_registration(db).answers == {day.key: "Friday",
                                             tours.key: ["Spode", "Gladstone"]}


# --- CSV export -------------------------------------------------------------------------


def test_csv_has_every_field_and_answer_and_neutralises_formulas(organiser_client, db, visit):
    question = make_question(visit, label="What do you make?")
    make_registration(visit, full_name="=HYPERLINK(\"http://evil.example\",\"click\")",
                      organisation="+1", job_title="-2", dietary="@SUM(A1:A9)",
                      email="ada@example.org", answers={question.key: "=1+1"})
    make_registration(visit, full_name="Ordinary Person", status=WAITLISTED)

    response = organiser_client.get(f"{BASE}/registrations.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="test-visit-registrations.csv"')
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    header = rows[0]
    for column in ("full name", "email", "organisation", "job title", "organisation type",
                   "dietary requirements", "access requirements", "consent to photography",
                   "consent to share with members", "status", "What do you make?"):
        assert column in header
    first = dict(zip(header, rows[1], strict=True))
    assert first["full name"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert first["organisation"] == "'+1"
    assert first["job title"] == "'-2"
    assert first["dietary requirements"] == "'@SUM(A1:A9)"
    assert first["What do you make?"] == "'=1+1"
    assert first["email"] == "ada@example.org"
    second = dict(zip(header, rows[2], strict=True))
    assert (second["full name"], second["status"]) == ("Ordinary Person", "waitlisted")
    assert len(rows) == 3


# --- catering and access ----------------------------------------------------------------


def test_catering_summary_counts_requirements_whatever_the_spelling(organiser_client, visit):
    visit.capacity = None
    make_registration(visit, full_name="Ada", dietary="Vegetarian")
    make_registration(visit, full_name="Ben", dietary="  vegetarian ")
    make_registration(visit, full_name="Cat", dietary="Gluten free",
                      access_needs="Wheelchair user; step-free route please")
    make_registration(visit, full_name="Dan")
    make_registration(visit, full_name="Eve", dietary="Vegetarian", status=WAITLISTED,
                      access_needs="Hearing loop")
    response = organiser_client.get(f"{BASE}/catering")
    assert response.status_code == 200
    text = page_text(response)
    assert "4 confirmed attendees" in text
    assert "Vegetarian 2" in text
    assert "Gluten free 1" in text
    assert "No requirement 1" in text
    assert "Cat Wheelchair user; step-free route please" in text
    assert "Hearing loop" not in text  # only confirmed people are counted
    assert '<div class="table-wrap">' in page(response)


# --- purging personal data --------------------------------------------------------------


def test_purge_is_refused_before_the_visit_ends(organiser_client, db, visit):
    person = make_registration(visit, full_name="Ada Potter", email="ada@example.org")
    text = page_text(organiser_client.get(f"{BASE}/registrations"))
    assert "Erase all personal data" not in text
    response = organiser_client.post(f"{BASE}/purge", follow_redirects=True)
    assert "Personal data can be purged once the visit has ended." in page_text(response)
    saved = fresh(db, person)
    assert (saved.full_name, saved.email) == ("Ada Potter", "ada@example.org")


def test_purge_after_the_visit_erases_names_and_emails_and_keeps_the_rows(
    organiser_client, db, organiser
):
    ended = datetime.now(UTC).date() - timedelta(days=3)
    visit = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED,
                       start_date=ended - timedelta(days=1), end_date=ended)
    make_registration(visit, full_name="Ada Potter", email="ada@example.org",
                      dietary="Vegan", organisation_type=OrganisationType.PRESS)
    make_registration(visit, full_name="Ben Waiting", status=WAITLISTED)
    page_before = page(organiser_client.get(f"{BASE}/registrations"))
    assert "Erase all personal data" in page_before
    assert 'data-confirm="Erase the personal data' in page_before

    response = organiser_client.post(f"{BASE}/purge", follow_redirects=True)
    assert "Erased the personal data of 2 registrations" in page_text(response)
    db.session.expire_all()
    rows = db.session.scalars(select(Registration).order_by(Registration.id)).all()
    assert len(rows) == 2
    assert [(r.full_name, r.email, r.dietary) for r in rows] == [("", None, "")] * 2
    assert [r.status for r in rows] == [CONFIRMED, WAITLISTED]
    assert rows[0].organisation_type is OrganisationType.PRESS  # no identity, kept for counts
    assert "Ada Potter" not in page_text(response)


# --- who may see these pages ------------------------------------------------------------


def every_url(visit_id_registration: int, question_id: int) -> list[tuple[str, str]]:
    one = f"{BASE}/registrations/{visit_id_registration}"
    q = f"{BASE}/registration/questions/{question_id}"
    return [
        ("get", f"{BASE}/registration"), ("post", f"{BASE}/registration"),
        ("post", f"{BASE}/registration/questions"),
        ("get", f"{q}/edit"), ("post", f"{q}/edit"), ("post", f"{q}/delete"),
        ("post", f"{q}/move-up"), ("post", f"{q}/move-down"),
        ("get", f"{BASE}/registrations"), ("get", f"{BASE}/registrations/new"),
        ("post", f"{BASE}/registrations/new"), ("get", f"{BASE}/registrations.csv"),
        ("get", f"{BASE}/catering"), ("post", f"{BASE}/purge"),
        ("get", one), ("post", f"{one}/approve"), ("post", f"{one}/decline"),
        ("post", f"{one}/promote"), ("post", f"{one}/move-to-waitlist"),
        ("post", f"{one}/cancel"), ("post", f"{one}/resend"),
    ]


def test_another_organiser_gets_404_everywhere_and_changes_nothing(client, db, visit):
    person = make_registration(visit, status=PENDING, full_name="Ada Potter")
    question = make_question(visit, label="Kept")
    outsider = make_user(email="outsider@example.org")
    login(client, outsider)
    for method, url in every_url(person.id, question.id):
        response = getattr(client, method)(url, data={"decline-message": "no",
                                                      "question-label": "Hacked"})
        assert response.status_code == 404, (method, url)
    saved = fresh(db, person)
    assert (saved.status, saved.full_name) == (PENDING, "Ada Potter")
    assert db.session.get(type(question), question.id).label == "Kept"
    assert outbox() == []


def test_a_member_gets_403_and_a_visitor_is_sent_to_log_in(client, member, visit):
    person = make_registration(visit)
    question = make_question(visit)
    urls = every_url(person.id, question.id)
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert "/login" in response.headers["Location"]
    login(client, member)
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 403, (method, url)


# --- every page: labelled controls, no inline script or style ---------------------------


def test_every_page_labels_its_controls_and_has_no_inline_script_or_style(
    organiser_client, db, visit
):
    _confirmed, queue = full_visit(visit, waiting=1)
    pending = make_registration(visit, status=PENDING)
    question = make_question(visit, kind=QuestionKind.SINGLE_CHOICE, label="Which day?",
                             options="Thursday\nFriday", required=True)
    make_question(visit, kind=QuestionKind.MULTIPLE_CHOICE, label="Tours?", options="A\nB")
    urls = [f"{BASE}/registration", f"{BASE}/registration/questions/{question.id}/edit",
            f"{BASE}/registrations", f"{BASE}/registrations/new", f"{BASE}/catering",
            f"{BASE}/registrations/{queue[0].id}", f"{BASE}/registrations/{pending.id}",
            f"{BASE}/registrations/{_confirmed[0].id}"]
    for url in urls:
        source = page(organiser_client.get(url))
        ids = re.findall(r'\sid="([^"]+)"', source)
        assert len(ids) == len(set(ids)), url
        labelled = set(re.findall(r'<label for="([^"]+)"', source))
        for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", source):
            if re.search(r'type="(hidden|submit)"', tag):
                continue
            control_id = re.search(r'\sid="([^"]+)"', tag)
            assert control_id and control_id.group(1) in labelled, (url, tag)
        assert "<style" not in source and ' style="' not in source, url
        assert not re.search(r"<script(?![^>]*\bsrc=)", source), url
