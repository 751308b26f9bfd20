"""/set-password/<token>: an invited member sets a password once, is logged in with a fresh
session and lands in the member area; a used or made-up link is 404, an old one 410."""

from __future__ import annotations

import re
import time

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from eventsapp.accounts import rules as users
from eventsapp.accounts.models import User
from eventsapp.mail.models import OutboxMessage
from eventsapp.members import rules as members
from tests.support import field_error, make_business, page_text

LINK = re.compile(r"https?://[^/\s]+(/set-password/\S+)")
DAY = 24 * 3600


@pytest.fixture
def invited(db, organiser):
    """Invited through the real service: the link is the one in the email."""
    business = make_business(name="Clayworks Studio")
    user = members.invite_person(organiser, business.id, "Mina Maker", "Mina@Clayworks.example")
    return user


@pytest.fixture
def link(db, invited) -> str:
    [mail] = db.session.scalars(select(OutboxMessage)).all()
    assert mail.to == "mina@clayworks.example"
    return LINK.search(mail.body_text).group(1)


def reload(db, user: User) -> User:
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(User, user.id)


GOOD = {"password": "purple kilns at dawn", "confirm": "purple kilns at dawn"}


def test_the_emailed_link_opens_the_form(client, invited, link):
    response = client.get(link)

    assert response.status_code == 200
    text = page_text(response)
    assert "Set your password" in text
    assert "Welcome, Mina Maker. You are a member of Clayworks Studio." in text
    assert "mina@clayworks.example" in text
    assert "At least 10 characters" in text
    markup = response.get_data(as_text=True)
    assert '<label for="password">New password</label>' in markup
    assert '<label for="confirm">Type the password again</label>' in markup
    assert 'autocomplete="new-password"' in markup
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_setting_the_password_logs_in_with_a_fresh_session(db, client, invited, link):
    with client.session_transaction() as session:
        session["left_over"] = "from before"

    response = client.post(link, data=GOOD)

    assert response.status_code == 303
    assert response.headers["Location"] == "/member/"
    user = reload(db, invited)
    assert user.check_password("purple kilns at dawn")
    assert users.authenticate("mina@clayworks.example", "purple kilns at dawn").id == user.id
    with client.session_transaction() as session:
        assert "left_over" not in session
        assert session["_user_id"] == user.get_id()
    page = client.get("/member/")
    assert page.status_code == 200
    assert "Your password is set and you are logged in." in page_text(page)
    assert "Clayworks Studio" in page_text(page)


def test_the_link_works_once(db, client, invited, link):
    assert client.post(link, data=GOOD).status_code == 303
    client.post("/logout")

    again = client.get(link)
    assert again.status_code == 404
    assert "This link has already been used or is not valid." in page_text(again)
    reuse = client.post(link, data={"password": "another long one", "confirm":
                                    "another long one"})
    assert reuse.status_code == 404
    assert reload(db, invited).check_password("purple kilns at dawn")


def test_a_made_up_link_is_404(client, invited, link):
    assert client.get(link[:-3] + "abc").status_code == 404
    response = client.get("/set-password/not-a-token")
    assert response.status_code == 404
    assert "This link is not valid." in page_text(response)


def test_an_expired_link_says_so(db, client, invited, monkeypatch):
    # Sign the invitation eight days ago: the same service, a clock set back.
    eight_days_ago = int(time.time()) - 8 * DAY
    with monkeypatch.context() as patched:
        patched.setattr(TimestampSigner, "get_timestamp", lambda self: eight_days_ago)
        old_link = f"/set-password/{users.set_password_token(invited)}"

    for response in (client.get(old_link), client.post(old_link, data=GOOD)):
        assert response.status_code == 410
        text = page_text(response)
        assert "This link has expired" in text
        assert "Ask the organisers to send a new one." in text
    assert reload(db, invited).password_hash is None


def test_a_six_day_old_link_still_works(db, client, invited, monkeypatch):
    six_days_ago = int(time.time()) - 6 * DAY
    with monkeypatch.context() as patched:
        patched.setattr(TimestampSigner, "get_timestamp", lambda self: six_days_ago)
        recent = f"/set-password/{users.set_password_token(invited)}"

    assert client.post(recent, data=GOOD).status_code == 303


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"password": "", "confirm": ""}, "password", "Choose a password"),
    ({"password": "too short", "confirm": "too short"}, "password",
     "Use at least 10 characters"),
    ({"password": "x" * 1001, "confirm": "x" * 1001}, "password",
     "Use 1,000 characters or fewer"),
    ({"password": "purple kilns at dawn", "confirm": "purple kilns at dusk"}, "confirm",
     "The two passwords do not match"),
])
def test_a_weak_or_mistyped_password_is_refused(db, client, invited, link, data, field,
                                                message):
    response = client.post(link, data=data)

    assert response.status_code == 422
    assert field_error(response, field) == message
    assert reload(db, invited).password_hash is None
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_an_organiser_link_leads_to_the_organiser_area(db, client, organiser):
    token = users.set_password_token(organiser)

    response = client.post(f"/set-password/{token}", data=GOOD)

    assert response.status_code == 303
    assert response.headers["Location"] == "/organiser/"
