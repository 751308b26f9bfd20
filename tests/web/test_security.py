"""Cross-cutting security: who reaches the organiser area, CSRF, login, health, secrets."""

from __future__ import annotations

import re
import uuid

import pytest

from eventsapp import create_app
from eventsapp.config import Config, TestConfig
from eventsapp.extensions import db as _db
from tests.support import PASSWORD, make_user

# Raise this as the organiser area grows; it stops the walk below passing vacuously
# (for example if the blueprint's prefix changed and no rule matched any more).
MIN_ORGANISER_ROUTES = 50
KNOWN_ORGANISER_ENDPOINTS = {
    "visits.organiser_home", "visits.organiser_visit", "agenda.new_item",
    "registration.registrations",
    "registration.registration_settings", "showcase.showcase", "members.members",
    "showcase.run_sheet_csv", "registration.registrations_csv",
}

LOGIN_ERROR = "That email and password do not match an account."
WRONG_PASSWORD = "not the password"

_VARIABLE = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")


def _dummy_values(rule) -> dict[str, object]:
    """A value for every URL variable: the access decorator runs before any lookup."""
    values: dict[str, object] = {}
    for match in _VARIABLE.finditer(rule.rule):
        converter, args, name = match.group("converter", "args", "name")
        if converter in ("int", "id"):
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

    def test_registering_needs_the_token_from_the_form(self, client, organiser):
        from eventsapp.registration.models import Registration
        from eventsapp.visits.models import VisitStatus
        from tests.support import make_visit

        make_visit(organisers=[organiser], slug="cic-stoke", status=VisitStatus.PUBLISHED)
        answers = {"full_name": "Ada Lovelace", "email": "ada@example.org",
                   "privacy_accepted": "y"}

        refused = client.post("/visits/cic-stoke/register", data=answers)
        assert refused.status_code == 400
        assert _db.session.query(Registration).count() == 0

        token = _csrf_token(client.get("/visits/cic-stoke/register").get_data(as_text=True))
        accepted = client.post("/visits/cic-stoke/register",
                               data={**answers, "csrf_token": token})
        assert accepted.status_code == 303
        assert _db.session.query(Registration).count() == 1

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


# --- (f) security headers ---------------------------------------------------------------------

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options",
                    "Referrer-Policy")


@pytest.fixture
def published(app, organiser):
    from eventsapp.visits.models import VisitStatus
    from tests.support import make_item, make_registration, make_venue, make_visit

    visit = make_visit(organisers=[organiser], slug="cic-stoke", status=VisitStatus.PUBLISHED)
    make_item(visit, venue=make_venue(visit))
    return visit, make_registration(visit)


def _assert_security_headers(response, referrer_policy="strict-origin-when-cross-origin"):
    headers = response.headers
    csp = {part.split()[0]: part.split()[1:]
           for part in headers["Content-Security-Policy"].split("; ")}
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no inline script, no eval
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers.getlist("Referrer-Policy") == [referrer_policy]


def test_a_public_page_carries_the_security_headers(client, published):
    for url in ("/", "/visits/cic-stoke/", "/login", "/static/css/app.css"):
        with client.get(url) as response:  # a static file is streamed: close it
            assert response.status_code == 200, url
            _assert_security_headers(response)


def test_a_private_page_keeps_its_no_referrer_policy(client, published):
    from eventsapp.registration.rules import notices

    _, registration = published
    response = client.get(f"/r/{notices.manage_token(registration)}")

    assert response.status_code == 200
    _assert_security_headers(response, referrer_policy="no-referrer")
    assert response.headers["Cache-Control"] == "no-store"


def test_an_organiser_page_carries_the_security_headers(organiser_client, published):
    for url in ("/organiser/", "/organiser/visits/cic-stoke/"):
        response = organiser_client.get(url)
        assert response.status_code == 200, url
        _assert_security_headers(response)


def test_feeds_carry_the_security_headers(client, published):
    from eventsapp.registration.rules import notices

    _, registration = published
    public = client.get("/visits/cic-stoke/agenda.ics")
    private = client.get(f"/feeds/{notices.feed_token(registration)}.ics")
    unchanged = client.get("/visits/cic-stoke/agenda.ics",
                           headers={"If-None-Match": public.headers["ETag"]})

    assert public.status_code == private.status_code == 200
    assert public.mimetype == private.mimetype == "text/calendar"
    _assert_security_headers(public)
    _assert_security_headers(private, referrer_policy="no-referrer")
    assert unchanged.status_code == 304
    _assert_security_headers(unchanged)


def test_error_pages_carry_the_security_headers(client, member_client):
    _assert_security_headers(client.get("/visits/no-such-visit/"))
    _assert_security_headers(client.get("/r/" + "x" * 43), referrer_policy="no-referrer")
    _assert_security_headers(member_client.get("/organiser/"))  # 403


def test_templates_have_no_inline_script_handlers_or_styles():
    """The policy allows only the app's own files: anything inline would be blocked."""
    from eventsapp import PROJECT_ROOT

    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    handler = re.compile(r"\son[a-z]+\s*=\s*[\"'{]", re.IGNORECASE)
    style = re.compile(r"<style\b|\sstyle\s*=\s*[\"'{]|javascript:", re.IGNORECASE)
    found = []
    for path in sorted((PROJECT_ROOT / "templates").rglob("*.html")):
        if {"email", "mail"} & set(path.parent.parts):
            continue  # emails, not pages: mail programs need their inline styles
        text = path.read_text(encoding="utf-8")
        for pattern in (inline_script, handler, style):
            found += [f"{path.name}: {m.group(0)}" for m in pattern.finditer(text)]
    assert found == []


# --- (g) the session cookie ------------------------------------------------------------------


def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert len(cookies) == 1, cookies
    return cookies[0]


def test_outside_debug_the_session_cookie_is_secure_httponly_and_lax(app, organiser):
    config = type("Production", (Config,), {
        "DEBUG": False, "TESTING": False, "SECRET_KEY": "a-long-random-production-value",
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "RATELIMIT_ENABLED": False,
    })
    production = create_app(config)
    try:
        client = production.test_client()
        token = _csrf_token(client.get("/login").get_data(as_text=True))
        response = client.post("/login", data={"email": organiser.email, "password": PASSWORD,
                                               "csrf_token": token})
    finally:
        with production.app_context():
            _db.engine.dispose()

    assert response.status_code == 302
    attributes = {part.strip().split("=")[0] for part in _session_cookie(response).split(";")}
    assert {"Secure", "HttpOnly", "SameSite"} <= attributes
    assert "SameSite=Lax" in _session_cookie(response)


def test_login_renews_the_session(app, client, organiser):
    from tests.conftest import login

    with client.session_transaction() as before:
        before["planted"] = "by someone who handed this cookie over"
    old_cookie = client.get_cookie("session").value

    login(client, organiser)

    new_cookie = client.get_cookie("session").value
    assert new_cookie != old_cookie
    with client.session_transaction() as after:
        assert "planted" not in after  # nothing from before the login is carried over
        assert after["_user_id"] == organiser.get_id()
    assert client.get("/organiser/").status_code == 200
    # Whoever kept the cookie from before the login is not logged in with it.
    other = app.test_client()
    other.set_cookie("session", old_cookie)
    assert other.get("/organiser/").status_code == 302
    with other.session_transaction() as replayed:
        assert "_user_id" not in replayed


# --- (h) login rate limits -------------------------------------------------------------------


class TestLoginRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT_PER_ADDRESS": "5 per minute",
                "LOGIN_RATE_LIMIT_PER_ACCOUNT": "3 per minute"}

    @staticmethod
    def attempt(client, email, password=WRONG_PASSWORD, address="10.0.0.1"):
        return client.post("/login", data={"email": email, "password": password},
                           environ_base={"REMOTE_ADDR": address})

    def test_an_account_is_limited_whichever_address_tries(self, app, client, organiser):
        statuses = [self.attempt(client, organiser.email).status_code for _ in range(3)]

        # Another address, the right password, the email in other case: still refused.
        refused = self.attempt(client, organiser.email.upper(), PASSWORD, address="10.0.0.2")

        assert statuses == [200, 200, 200]
        assert refused.status_code == 429
        assert "Too many attempts" in refused.get_data(as_text=True)
        assert int(refused.headers["Retry-After"]) > 0
        _assert_security_headers(refused)
        assert client.get("/organiser/").status_code == 302  # not logged in
        # Other accounts, from that address, are not held up.
        other = make_user(email="other-organiser@example.org")
        assert self.attempt(app.test_client(), other.email, PASSWORD,
                            address="10.0.0.2").status_code == 302

    def test_an_address_is_limited_whichever_account_it_tries(self, app, client, organiser):
        statuses = [self.attempt(client, f"guess{n}@example.org").status_code
                    for n in range(5)]

        refused = self.attempt(client, organiser.email, PASSWORD)
        elsewhere = self.attempt(app.test_client(), organiser.email, PASSWORD,
                                 address="10.0.0.9")

        assert statuses == [200] * 5
        assert refused.status_code == 429
        assert elsewhere.status_code == 302

    def test_successful_logins_and_reading_the_form_are_not_counted(self, client, organiser):
        for _ in range(6):
            assert self.attempt(client, organiser.email, PASSWORD).status_code == 302
            client.post("/logout")
        for _ in range(6):
            assert client.get("/login").status_code == 200


# --- (i) stored secrets ----------------------------------------------------------------------


def test_passwords_are_stored_with_scrypt(app):
    from eventsapp.accounts import rules as users
    from eventsapp.accounts.models import Role

    user = users.create_user("new-organiser@example.org", "a long enough password",
                             Role.ORGANISER)

    assert user.password_hash.startswith("scrypt:")
    assert "a long enough password" not in user.password_hash
    assert user.check_password("a long enough password")
    assert not user.check_password("a long enough passworD")


class TestBehindAProxy:
    """With TRUSTED_PROXIES=1 the limits count the address the proxy saw; without it,
    X-Forwarded-For is ignored, so a client cannot dodge a limit by making one up."""

    LIMITS = {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT_PER_ADDRESS": "2 per minute",
              "LOGIN_RATE_LIMIT_PER_ACCOUNT": "50 per minute"}

    @staticmethod
    def attempt(client, n, forwarded):
        return client.post("/login", data={"email": f"guess{n}@example.org",
                                           "password": WRONG_PASSWORD},
                           environ_base={"REMOTE_ADDR": "10.0.0.1"},
                           headers={"X-Forwarded-For": forwarded})

    @pytest.mark.parametrize("proxies, third_status", [(1, 200), (0, 429)])
    def test_limits_count_per_forwarded_address_only_behind_trusted_proxies(
            self, app, proxies, third_status):
        from eventsapp import create_app
        from tests.conftest import _config

        proxied = create_app(_config(app.config["SQLALCHEMY_DATABASE_URI"], **self.LIMITS,
                                     TRUSTED_PROXIES=proxies))
        client = proxied.test_client()
        try:
            assert [self.attempt(client, n, "203.0.113.7").status_code
                    for n in range(2)] == [200, 200]
            # A third attempt "from" another address: a new client behind the proxy, or a
            # made-up header from the same client.
            assert self.attempt(client, 3, "198.51.100.4").status_code == third_status
        finally:
            with proxied.app_context():  # this app's own pool: close its connections
                _db.engine.dispose()


# --- strong session protection, for sessions that hold a login --------------------------------


def test_a_visitor_s_session_is_left_alone_from_page_to_page(client, published):
    visit, _ = published
    with client.session_transaction() as session:  # what a form leaves: a CSRF token
        session["csrf_token"] = "a" * 40

    pages = [client.get(f"/visits/{visit.slug}/register"), client.get(f"/visits/{visit.slug}/")]

    # Nothing to protect: the session is not rewritten, no remember-me cookie deleted.
    assert [page.status_code for page in pages] == [200, 200]
    assert [page.headers.getlist("Set-Cookie") for page in pages] == [[], []]
    with client.session_transaction() as session:
        assert dict(session) == {"csrf_token": "a" * 40}


def test_a_login_replayed_from_another_browser_is_logged_out(client, organiser):
    from tests.conftest import login

    login(client, organiser)
    assert client.get("/organiser/").status_code == 200

    replayed = client.get("/organiser/", headers={"User-Agent": "Another browser/1.0"})

    assert replayed.status_code == 302
    assert "/login" in replayed.headers["Location"]
    assert client.get("/organiser/").status_code == 302  # the session was cleared
