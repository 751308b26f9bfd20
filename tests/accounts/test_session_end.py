"""Logging out, and setting a password, end every copy of the session: a cookie copied
before is no longer logged in (users.session_version, checked by auth.load_user)."""

from __future__ import annotations

from eventsapp.accounts import rules as users
from eventsapp.accounts.models import User
from eventsapp.extensions import db
from tests import support
from tests.conftest import login


def _replay(app, cookie: str):
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/organiser/")


def test_a_cookie_copied_before_logout_is_logged_out(app, client, organiser):
    login(client, organiser)
    copied = client.get_cookie("session").value
    assert _replay(app, copied).status_code == 200  # the copy works while logged in

    client.post("/logout")

    replayed = _replay(app, copied)
    assert replayed.status_code == 302
    assert replayed.headers["Location"].startswith("/login")
    # Logging in again works, with a new cookie, and the old copy stays dead.
    login(client, organiser)
    assert client.get("/organiser/").status_code == 200
    assert _replay(app, copied).status_code == 302


def test_logging_out_ends_the_sessions_on_other_devices(app, client, organiser):
    login(client, organiser)
    laptop = app.test_client()
    login(laptop, organiser)

    client.post("/logout")

    assert laptop.get("/organiser/").status_code == 302


def test_setting_a_password_ends_sessions_from_before(app, client):
    business = support.make_business(name="Clayworks Studio")
    member = support.make_member(business, email="mina@clayworks.example")
    login(client, member)
    copied = client.get_cookie("session").value
    other = app.test_client()
    other.set_cookie("session", copied)
    assert other.get("/member/").status_code == 200

    token = users.set_password_token(db.session.get(User, member.id))
    fresh = app.test_client()
    response = fresh.post(f"/set-password/{token}", data={
        "password": "a brand new passphrase", "confirm": "a brand new passphrase"})
    assert response.status_code == 303

    assert other.get("/member/").status_code == 302  # the copy from before
    assert client.get("/member/").status_code == 302  # the browser it was copied from
    assert fresh.get("/member/").status_code == 200  # the session the new password made


def test_a_login_id_without_the_session_version_is_not_logged_in(app, client, organiser):
    """A cookie from before session versions (or a forged shape) logs nobody in."""
    login(client, organiser)
    for stale in (str(organiser.id), f"{organiser.id}:", f"{organiser.id}:x",
                  f"{organiser.id}:{organiser.session_version + 1}"):
        with client.session_transaction() as session:
            session["_user_id"] = stale
        assert client.get("/organiser/").status_code == 302, stale
