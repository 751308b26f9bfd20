"""Sessions with limited places on the registration form: listed with places left,
signed up for in the registration's own transaction; places left on the public agenda."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from eventsapp.agenda.models import ItemStatus
from eventsapp.extensions import db
from eventsapp.mail.models import OutboxMessage
from eventsapp.registration.models import ItemSignup, Registration, RegistrationStatus, SignupStatus
from eventsapp.registration.rules import notices
from eventsapp.visits.models import RegistrationAccess, VisitStatus
from tests.registration.test_form import URL, field_error, form, open_visit
from tests.support import make_item, make_registration, make_visit, page_text


def signups(db) -> list[tuple[str, str, SignupStatus]]:
    """(attendee email, session title, status) of every stored sign-up."""
    rows = db.session.scalars(select(ItemSignup).order_by(ItemSignup.id))
    return [(s.registration.email, s.item.title, s.status) for s in rows]


def fill(item, count: int, visit) -> None:
    """``count`` confirmed sign-ups on ``item`` by people registered on ``visit``."""
    for n in range(count):
        registration = make_registration(visit, email=f"filler{item.id}-{n}@example.org")
        db.session.add(ItemSignup(item=item, registration=registration,
                                  status=SignupStatus.CONFIRMED))
    db.session.commit()


def session_line(response, title: str) -> str:
    """The text of the form's line for one session."""
    for line in re.findall(r'<li class="field-check">(.*?)</li>', response.get_data(as_text=True),
                           re.S):
        if title in line:
            return " ".join(re.sub(r"<[^>]+>", " ", line).split())
    raise AssertionError(f"{title} is not offered")


def test_the_form_lists_limited_sessions_with_places_left(client, db):
    visit = open_visit()
    make_item(visit, title="Opening talk")  # no capacity: not offered
    tour = make_item(visit, "14:00", "15:30", title="Studio tour", capacity=5)
    kiln = make_item(visit, "16:00", "17:00", title="Kiln workshop", capacity=2)
    full = make_item(visit, "17:00", "18:00", title="Archive visit", capacity=1)
    make_item(visit, title="Dropped session", capacity=3, status=ItemStatus.CANCELLED)
    fill(tour, 2, visit)
    fill(kiln, 1, visit)
    fill(full, 1, visit)

    page = client.get(URL)

    assert page.status_code == 200
    assert "Sessions with limited places" in page_text(page)
    assert "3 places left" in session_line(page, "Studio tour")
    assert "14:00–15:30" in session_line(page, "Studio tour")
    assert "1 place left" in session_line(page, "Kiln workshop")
    assert "Full — waiting list" in session_line(page, "Archive visit")
    assert "Opening talk" not in re.sub(r"<[^>]+>", " ", page.get_data(as_text=True)
                                        ).split("Sessions with limited places", 1)[1]
    assert "Dropped session" not in page_text(page)
    assert "(s)" not in page_text(page)


def test_ticked_sessions_are_signed_up_with_the_registration(client, db):
    visit = open_visit()
    tour = make_item(visit, "14:00", "15:30", title="Studio tour", capacity=5)
    kiln = make_item(visit, "16:00", "17:00", title="Kiln workshop", capacity=1)
    make_item(visit, "17:00", "18:00", title="Archive visit", capacity=4)
    fill(kiln, 1, visit)

    response = client.post(URL, data=form(sessions=[str(tour.id), str(kiln.id)]))

    assert response.status_code == 303
    assert [s for s in signups(db) if s[0] == "ada@example.org"] == [
        ("ada@example.org", "Studio tour", SignupStatus.CONFIRMED),
        ("ada@example.org", "Kiln workshop", SignupStatus.WAITLISTED),
    ]
    page = client.get(response.headers["Location"])
    assert "Studio tour" in page_text(page)
    email = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to == "ada@example.org"))
    body = " ".join(email.body_text.split())
    assert "Studio tour: your place is confirmed" in body
    assert "Kiln workshop: you are on its waiting list" in body


def test_a_waitlisted_registration_joins_sessions_too(client, db):
    visit = open_visit(capacity=1)
    make_registration(visit)
    tour = make_item(visit, title="Studio tour", capacity=5)

    response = client.post(URL, data=form(sessions=str(tour.id)))

    assert response.status_code == 303
    [ada] = db.session.scalars(select(Registration).where(
        Registration.email_key == "ada@example.org"))
    assert ada.status is RegistrationStatus.WAITLISTED
    assert signups(db) == [("ada@example.org", "Studio tour", SignupStatus.CONFIRMED)]


@pytest.mark.parametrize("choice", ["other visit", "overflow", "not a number", "no capacity"])
def test_a_bad_session_choice_is_a_form_error_and_nothing_is_stored(client, db, choice):
    visit = open_visit()
    tour = make_item(visit, title="Studio tour", capacity=5)
    other = make_item(make_visit(slug="other", status=VisitStatus.PUBLISHED), capacity=5)
    talk = make_item(visit, title="Opening talk")
    value = {"other visit": str(other.id), "overflow": str(2**31), "not a number": "x",
             "no capacity": str(talk.id)}[choice]

    response = client.post(URL, data=form(sessions=[str(tour.id), value]))

    assert response.status_code == 422
    assert field_error(response, "sessions") == "Choose sessions from the list"
    assert db.session.scalars(select(Registration)).all() == []
    assert signups(db) == []
    assert 'value="Ada Lovelace"' in response.get_data(as_text=True)  # answers kept


def test_a_full_session_without_waiting_list_refuses_the_whole_registration(client, db):
    visit = open_visit(waitlist_enabled=False)
    tour = make_item(visit, title="Studio tour", capacity=1)
    fill(tour, 1, visit)
    before = signups(db)

    page = client.get(URL)
    response = client.post(URL, data=form(sessions=str(tour.id)))

    assert "Full" in session_line(page, "Studio tour")
    assert "disabled" in page.get_data(as_text=True).split("Studio tour")[0].rsplit("<li", 1)[1]
    assert response.status_code == 422
    assert field_error(response, "sessions") == "“Studio tour” is full."
    assert db.session.scalar(select(Registration).where(
        Registration.email_key == "ada@example.org")) is None
    assert signups(db) == before
    assert db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.to == "ada@example.org")).all() == []


def test_a_refused_registration_stores_no_sign_up(client, db):
    visit = open_visit()
    make_registration(visit, email="ada@example.org")
    tour = make_item(visit, title="Studio tour", capacity=5)

    response = client.post(URL, data=form(sessions=str(tour.id)))

    assert response.status_code == 422
    assert signups(db) == []


def test_no_sessions_on_the_form_where_each_registration_is_approved(client, db):
    visit = open_visit(registration_access=RegistrationAccess.APPROVAL)
    tour = make_item(visit, title="Studio tour", capacity=5)

    page = client.get(URL)
    response = client.post(URL, data=form(sessions=str(tour.id)))

    assert "Sessions with limited places" not in page_text(page)
    assert response.status_code == 303  # an extra field is ignored, as any other
    assert signups(db) == []


# --- the public agenda --------------------------------------------------------------------


def test_the_public_agenda_shows_places_left_and_follows_sign_ups(client, db):
    visit = open_visit()
    tour = make_item(visit, title="Studio tour", capacity=3)
    one = make_item(visit, "11:00", "12:00", title="Kiln workshop", capacity=2)
    fill(tour, 1, visit)
    fill(one, 1, visit)

    first = page_text(client.get("/visits/cic-stoke/"))
    client.post(URL, data=form(sessions=[str(tour.id), str(one.id)]))
    second = page_text(client.get("/visits/cic-stoke/"))

    assert "Studio tour" in first
    assert "Limited to 3 places · 2 places left" in first
    assert "Limited to 2 places · 1 place left" in first
    assert "Limited to 3 places · 1 place left" in second
    assert "Limited to 2 places · Full — waiting list" in second
    assert "(s)" not in second


def test_register_again_is_a_link_after_cancelling(client, db):
    visit = open_visit()
    registration = make_registration(visit, status=RegistrationStatus.CANCELLED)

    page = client.get(f"/r/{notices.manage_token(registration)}")

    assert re.search(r'<a href="/visits/cic-stoke/register">register again</a>',
                     page.get_data(as_text=True))
