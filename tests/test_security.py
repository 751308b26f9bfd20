"""Cross-cutting security: who reaches the organiser area, CSRF, login, health, secrets."""

from __future__ import annotations

import re
import uuid

import pytest

from eventsapp import create_app
from eventsapp.config import Config, TestConfig
from eventsapp.extensions import db as _db
from tests.factories import PASSWORD, make_user

# Raise this as the organiser area grows; it stops the walk below passing vacuously
# (for example if the blueprint's prefix changed and no rule matched any more).
MIN_ORGANISER_ROUTES = 50
KNOWN_ORGANISER_ENDPOINTS = {
    "organiser.index", "organiser.visit", "organiser.new_item", "organiser.registrations",
    "organiser.registration_settings", "organiser.showcase", "organiser.members",
    "organiser.run_sheet_csv", "organiser.registrations_csv",
}

LOGIN_ERROR = "That email and password do not match an account."

_VARIABLE = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


def _dummy_values(rule) -> dict[str, object]:
    """A value for every URL variable: the access decorator runs before any lookup."""
    values: dict[str, object] = {}
    for match in _VARIABLE.finditer(rule.rule):
        converter, args, name = match.group("converter", "args", "name")
        if converter == "int":
            values[name] = 1
        elif converter == "float":
            values[name] = 1.0
        elif converter == "uuid":
            values[name] = uuid.UUID(int=1)
        elif converter == "any":
            values[name] = args.split(",")[0].strip().strip("'\"")
        else:  # default, string, path
            values[name] = "x"
    return values


def _organiser_requests(app) -> list[tuple[str, str, str]]:
    """(method, url, rule) for every method of every rule under /organiser."""
    requests = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/organiser"):
            continue
        built = rule.build(_dummy_values(rule))
        assert built is not None, f"could not build a URL for {rule.rule}"
        url = built[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            requests.append((method, url, rule.rule))
    return requests


def test_a_request_without_the_session_cookie_is_anonymous(organiser_client):
    assert organiser_client.get("/organiser/").status_code == 200
    organiser_client.delete_cookie("session")
    assert organiser_client.get("/organiser/").status_code == 302


# --- (a) every organiser route is protected -------------------------------------------------


def test_every_organiser_route_sends_anonymous_users_to_login(app, client):
    requests = _organiser_requests(app)
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.rule.startswith("/organiser")}
    assert len(requests) >= MIN_ORGANISER_ROUTES
    assert endpoints >= KNOWN_ORGANISER_ENDPOINTS

    unprotected = []
    for method, url, rule in requests:
        response = client.open(url, method=method)
        location = response.headers.get("Location", "")
        if response.status_code != 302 or not location.startswith("/login"):
            unprotected.append(f"{method} {url} ({rule}) -> {response.status_code} {location}")
    assert unprotected == []


def test_every_organiser_route_refuses_members(app, member_client):
    requests = _organiser_requests(app)
    assert len(requests) >= MIN_ORGANISER_ROUTES

    wrong = []
    for method, url, rule in requests:
        response = member_client.open(url, method=method)
        if response.status_code != 403:
            wrong.append(f"{method} {url} ({rule}) -> {response.status_code}")
    assert wrong == []


def test_the_login_redirect_keeps_the_page_asked_for(client):
    response = client.get("/organiser/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Forganiser%2F"


# --- (b) CSRF ------------------------------------------------------------------------------


def _csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_login_without_a_token_is_refused_and_starts_no_session(self, client, organiser):
        response = client.post(
            "/login", data={"email": organiser.email, "password": PASSWORD}
        )

        assert response.status_code == 400
        assert "The form had expired" in response.get_data(as_text=True)
        assert client.get_cookie("session") is None
        assert client.get("/organiser/").status_code == 302

    def test_login_with_the_token_works(self, client, organiser):
        token = _csrf_token(client.get("/login").get_data(as_text=True))

        response = client.post(
            "/login",
            data={"email": organiser.email, "password": PASSWORD, "csrf_token": token},
        )

        assert response.status_code == 302
        assert response.headers["Location"] == "/organiser/"
        assert client.get("/organiser/").status_code == 200

    def test_logout_without_a_token_is_refused(self, client, organiser):
        token = _csrf_token(client.get("/login").get_data(as_text=True))
        client.post(
            "/login",
            data={"email": organiser.email, "password": PASSWORD, "csrf_token": token},
        )
        assert client.get("/organiser/").status_code == 200

        response = client.post("/logout")

        assert response.status_code == 400
        assert client.get("/organiser/").status_code == 200  # still logged in

    def test_logout_with_the_token_logs_out(self, client, organiser):
        token = _csrf_token(client.get("/login").get_data(as_text=True))
        client.post(
            "/login",
            data={"email": organiser.email, "password": PASSWORD, "csrf_token": token},
        )
        page = client.get("/organiser/").get_data(as_text=True)

        response = client.post("/logout", data={"csrf_token": _csrf_token(page)})

        assert response.status_code == 302
        assert client.get("/organiser/").status_code == 302


# --- (c) login -----------------------------------------------------------------------------


def test_wrong_password_and_unknown_email_look_the_same(client, organiser):
    wrong_password = client.post(
        "/login", data={"email": organiser.email, "password": "not the password"}
    )
    unknown_email = client.post(
        "/login", data={"email": "nobody@example.org", "password": "not the password"}
    )

    assert wrong_password.status_code == unknown_email.status_code == 200
    first = wrong_password.get_data(as_text=True)
    second = unknown_email.get_data(as_text=True)
    assert LOGIN_ERROR in first
    assert LOGIN_ERROR in second
    # Apart from the email typed back into the form, the two pages are identical.
    assert first.replace(organiser.email, "EMAIL") == second.replace("nobody@example.org", "EMAIL")
    assert client.get("/organiser/").status_code == 302  # nobody logged in


def test_an_inactive_account_cannot_log_in(client):
    user = make_user(email="gone@example.org", active=False)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert LOGIN_ERROR in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "http:/evil.example/", "javascript:alert(1)"],
)
def test_login_does_not_follow_a_next_to_another_site(client, organiser, target):
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": organiser.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/organiser/"


def test_login_follows_a_next_on_this_site(client, organiser):
    response = client.post(
        "/login",
        query_string={"next": "/organiser/?tab=venues"},
        data={"email": organiser.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/organiser/?tab=venues"


def test_the_session_cookie_is_httponly_and_samesite(client, organiser):
    response = client.post("/login", data={"email": organiser.email, "password": PASSWORD})

    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert len(cookies) == 1
    assert "HttpOnly" in cookies[0]
    assert "SameSite=Lax" in cookies[0]


# --- (d) /healthz ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "uri",
    [
        "postgresql+psycopg://postgres@127.0.0.1:1/nope",
        "sqlite:////nonexistent-eventsapp-dir/sub/eventsapp.sqlite3",
    ],
    ids=["postgresql-refused", "sqlite-missing-dir"],
)
def test_healthz_answers_503_when_the_database_does_not(uri):
    config = type("UnreachableDb", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": uri})
    broken = create_app(config)
    try:
        response = broken.test_client().get("/healthz")
    finally:
        with broken.app_context():
            _db.engine.dispose()

    assert response.status_code == 503
    assert response.is_json
    assert response.json == {"status": "error", "database": "unreachable"}


# --- (e) SECRET_KEY -------------------------------------------------------------------------


def test_create_app_refuses_to_start_without_a_secret_key():
    shared_key = Config.SECRET_KEY
    config = type(
        "NoSecret",
        (Config,),
        {"SECRET_KEY": None, "DEBUG": False, "TESTING": False,
         "SQLALCHEMY_DATABASE_URI": "sqlite://"},
    )
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)
    assert shared_key == Config.SECRET_KEY  # the shared class is left alone


def test_create_app_refuses_an_empty_secret_key_given_as_a_mapping():
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app({"SECRET_KEY": "", "DEBUG": False, "TESTING": False,
                    "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_login_takes_each_role_to_its_own_area(client, organiser, member):
    from tests.conftest import login

    assert login(client, member).headers["Location"] == "/member/"
    client.post("/logout")
    assert login(client, organiser).headers["Location"] == "/organiser/"
