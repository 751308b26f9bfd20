"""/login and /set-password/<token> under any input: never a 500, a refusal says so,
a redirect never leaves the site, and a password that was accepted is the one that
then logs in."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from hypothesis import example, given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from eventsapp.accounts import rules as users
from eventsapp.accounts.models import User
from eventsapp.extensions import db
from eventsapp.members import rules as members
from tests.fuzz.pages import check_answer
from tests.fuzz.strategies import any_text, field, form_data
from tests.support import PASSWORD, make_business, make_user

EMAIL = "organiser@example.org"


def stays_on_site(location: str) -> None:
    """Read the Location as a browser does: tabs and line breaks dropped, a backslash
    taken for a slash (so "/\\evil.example" would be another host)."""
    seen = location.replace("\t", "").replace("\r", "").replace("\n", "").replace("\\", "/")
    parts = urlsplit(seen)
    assert parts.netloc in ("", "localhost"), location
    assert parts.path.startswith("/") and not parts.path.startswith("//"), location


def first(value):
    return value[0] if isinstance(value, list) else value


NEXT_URLS = ["/organiser/", "//evil.example/", "https://evil.example/", "/\\evil.example",
             "/\t/evil.example", "/\r\nSet-Cookie: x=1", "\\\\evil.example", "javascript:alert(1)",
             "/%0d%0aSet-Cookie:x=1", "http:evil.example", "/\x00"]


@st.composite
def login_case(draw) -> tuple[dict, str | None]:
    fields = {
        "email": field(st.one_of(any_text, st.emails(), st.just(EMAIL),
                                 st.just(" Organiser@Example.ORG "))),
        "password": field(st.one_of(any_text, st.just(PASSWORD))),
    }
    next_url = draw(st.one_of(st.none(), any_text, st.sampled_from(NEXT_URLS)))
    return form_data(draw, fields), next_url


# Found by this test: on PostgreSQL a NUL in the email was a 500 (PostgreSQL refuses
# NUL in text, even in a WHERE clause) instead of "do not match"; and a ?next= with a
# CR LF in it was a 500 after a right password (no header may hold a line break).
@given(case=login_case())
@example(case=({"email": "organiser@example.org\x00", "password": PASSWORD}, None))
@example(case=({"email": "\x00", "password": "\x00"}, "/organiser/"))
@example(case=({"email": EMAIL, "password": PASSWORD}, "/\\evil.example"))
@example(case=({"email": EMAIL, "password": PASSWORD}, "/\t/evil.example"))
@example(case=({"email": EMAIL, "password": PASSWORD}, "/\r\nSet-Cookie: x=1"))
def test_login_with_any_input(fresh, case):
    client = fresh()
    make_user(email=EMAIL)
    answers, next_url = case
    url = "/login" if next_url is None else f"/login?next={quote(next_url, safe='')}"
    response = client.post(url, data=answers)
    markup = check_answer(response)
    email, password = first(answers.get("email")), first(answers.get("password"))
    matches = (isinstance(email, str) and users.normalise_email(email) == EMAIL
               and password == PASSWORD)
    if matches:
        assert response.status_code == 302
        stays_on_site(response.headers["Location"])
    else:
        assert response.status_code == 200, response.status_code
        assert 'class="error-message"' in markup  # a message beside the field


@st.composite
def password_case(draw) -> dict:
    password = draw(st.one_of(any_text, st.just("a long enough password 🔑"),
                              st.text(min_size=10, max_size=30)))
    confirm = draw(st.one_of(st.just(password), any_text))
    fields = {"password": field(st.just(password)), "confirm": field(st.just(confirm))}
    return form_data(draw, fields)


@given(answers=password_case())
@example(answers={"password": "\x00" * 12, "confirm": "\x00" * 12})
@example(answers={"password": ["first password", "second one"], "confirm": "first password"})
def test_set_password_with_any_input(fresh, answers):
    client = fresh()
    organiser = make_user(email=EMAIL)
    business = make_business()
    user = members.invite_person(organiser, business.id, "Mina Maker", "mina@example.org")
    token = users.set_password_token(user)
    response = client.post(f"/set-password/{token}", data=MultiDict(
        [(k, v) for k, values in answers.items()
         for v in (values if isinstance(values, list) else [values])]))
    check_answer(response, allow_ok=False)
    password, confirm = first(answers.get("password")), first(answers.get("confirm"))
    acceptable = (isinstance(password, str) and password.strip() != ""
                  and 10 <= len(password) <= 1000 and confirm == password)
    db.session.rollback()
    if acceptable:
        assert response.status_code == 303
        stays_on_site(response.headers["Location"])
        assert users.authenticate("mina@example.org", password) is not None
    else:
        assert response.status_code == 422
        assert db.session.get(User, user.id).password_hash is None


@given(token=any_text, password=any_text)
@example(token="\x00", password="a long enough password")
def test_set_password_with_a_made_up_link(fresh, token, password):
    client = fresh()
    path = f"/set-password/{quote(token, safe='')}"
    for response in (client.get(path),
                     client.post(path, data={"password": password, "confirm": password})):
        check_answer(response)
        assert response.status_code in (404, 410, 308), response.status_code
