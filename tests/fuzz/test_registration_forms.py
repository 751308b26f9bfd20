"""The attendee's forms under any input: /visits/<slug>/register, /r/<token>/edit and the
sign-up posts. Never a 500; a refusal says why, beside the field; what is stored is
what the form accepted, and the private page shows it escaped."""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import quote

from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.registration.models import Question, QuestionKind, Registration, RegistrationStatus
from eventsapp.registration.rules import notices
from eventsapp.visits.models import RegistrationAccess, VisitStatus
from tests.fuzz.pages import check_answer, multi_line, one_line, shows_escaped
from tests.fuzz.strategies import any_text, field, form_data, visible_text
from tests.support import make_item, make_registration, make_visit

SLUG = "cic-stoke"
ORGANISATION_TYPES = ["", "government", "academia", "industry", "investor", "press", "other"]
KINDS = [QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT, QuestionKind.SINGLE_CHOICE,
         QuestionKind.MULTIPLE_CHOICE, QuestionKind.YES_NO]
CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)


class Spec(NamedTuple):
    """One extra question as the organiser saved it."""

    kind: QuestionKind
    label: str
    help_text: str
    required: bool
    options: str  # one per line


def organiser_options(text: str) -> str:
    """Options as the organiser's question form stores them (one per line, trimmed,
    without repeats: services.registration_settings)."""
    lines = (line.strip() for line in multi_line(text).replace("\r", "").split("\n"))
    return "\n".join(dict.fromkeys(line for line in lines if line))


def offered(spec: Spec) -> list[str]:
    """The options as the organiser wrote them, one per line."""
    return spec.options.split("\n") if spec.options else []


question_text = st.one_of(visible_text, st.sampled_from(["Which session?", "Your <b>team</b>"]))
options_text = st.lists(st.one_of(visible_text, st.just("A & B")), min_size=2, max_size=4
                        ).map("\n".join)


@st.composite
def specs(draw) -> list[Spec]:
    """One question of every kind, its label, hint and options fuzzed."""
    found = []
    for kind in KINDS:
        options = ""
        if kind in CHOICE_KINDS:
            options = organiser_options(draw(options_text))
            if len(offered(Spec(kind, "", "", False, options))) < 2:
                options = organiser_options(options + "\nFirst option\nSecond option")
        found.append(Spec(kind, one_line(draw(question_text))[:300] or "Question",
                          one_line(draw(st.one_of(st.just(""), question_text)))[:500],
                          draw(st.booleans()), options))
    return found


def open_visit(questions: list[Spec], access: RegistrationAccess = RegistrationAccess.OPEN,
               code: str | None = None) -> tuple:
    """A published visit open for registration with these questions, in two commits
    (many examples run in one test). Returns the visit and its question rows."""
    visit = make_visit(slug=SLUG, status=VisitStatus.PUBLISHED,
                       contact_email="hello@example.org", registration_access=access,
                       invitation_code=code)
    rows = [Question(visit=visit, position=n, kind=q.kind, label=q.label,
                     help_text=q.help_text, required=q.required, options=q.options)
            for n, q in enumerate(questions)]
    db.session.add_all(rows)
    db.session.commit()
    return visit, rows


def posted_form(answers: dict, rows: list[Question]) -> dict:
    """Answers keyed q0, q1... become the form's q_<id> fields."""
    names = {f"q{n}": f"q_{row.id}" for n, row in enumerate(rows)}
    return {names.get(key, key): value for key, value in answers.items()}


# --- anything at all ---------------------------------------------------------------------------


CODE = "Clay-2030 ñ"


@st.composite
def any_case(draw) -> tuple[list[Spec], dict]:
    """Questions, and anything at all for each field (missing, one value, a list)."""
    questions = draw(specs())
    fields = {
        "invitation_code": field(st.one_of(st.just(CODE), st.just(" clay-2030 Ñ "),
                                           any_text)),
        "full_name": field(),
        "email": field(st.one_of(any_text, st.emails(), st.just("ada@example.org"))),
        "organisation": field(),
        "job_title": field(),
        "organisation_type": field(st.one_of(st.sampled_from(ORGANISATION_TYPES), any_text)),
        "dietary": field(),
        "access_needs": field(),
        "consent_photography": field(st.one_of(st.just("y"), any_text)),
        "consent_share": field(st.one_of(st.just("y"), any_text)),
        "privacy_accepted": field(st.one_of(st.just("y"), any_text)),
        "website": st.one_of(st.none(), st.none(), st.none(), any_text),
    }
    for n, spec in enumerate(questions):
        choices = st.sampled_from(offered(spec)) if spec.options else any_text
        fields[f"q{n}"] = field(st.one_of(choices, st.sampled_from(["yes", "no"]), any_text))
    return questions, form_data(draw, fields)


def stored(registration_id: int | None = None) -> Registration | None:
    db.session.rollback()
    db.session.expire_all()
    stmt = select(Registration).order_by(Registration.id.desc())
    if registration_id is not None:
        stmt = stmt.where(Registration.id == registration_id)
    return db.session.scalars(stmt).first()


def shows_registration(client, location: str, rows: list[Question]) -> None:
    """The private page a successful submit leads to shows every stored value escaped."""
    page = client.get(location)
    assert page.status_code == 200
    markup = check_answer(page)
    registration = stored()
    assert registration is not None
    for value in (registration.full_name, registration.email, registration.organisation,
                  registration.job_title, registration.dietary, registration.access_needs):
        assert "\x00" not in value
        shows_escaped(markup, value)
    for question in rows:
        shows_escaped(markup, question.label)
        answer = registration.answers.get(question.key)
        for value in answer if isinstance(answer, list) else [answer or ""]:
            shows_escaped(markup, value)


@given(case=any_case(), access=st.sampled_from(RegistrationAccess), code=any_text)
def test_register_with_any_input_answers_with_a_page_or_a_redirect(fresh, case, access, code):
    client = fresh()
    questions, answers = case
    _, rows = open_visit(questions, access, CODE)
    # The link in an invitation email fills in the code: any ?code= is shown escaped.
    form_page = client.get(f"/visits/{SLUG}/register?code={quote(code, safe='')}")
    markup = check_answer(form_page)
    if access is RegistrationAccess.INVITATION:
        shows_escaped(markup, code[:64])
    response = client.post(f"/visits/{SLUG}/register", data=posted_form(answers, rows))
    check_answer(response, allow_ok="website" in answers)
    if response.status_code == 303:
        shows_registration(client, response.headers["Location"], rows)
    elif response.status_code == 200:  # the honeypot: nothing kept
        assert stored() is None


@given(case=any_case())
def test_edit_with_any_input_answers_with_a_page_or_a_redirect(fresh, case):
    client = fresh()
    questions, answers = case
    answers.pop("website", None)
    answers.pop("invitation_code", None)
    visit, rows = open_visit(questions)
    registration = make_registration(visit, email="ada@example.org")
    token = notices.manage_token(registration)
    response = client.post(f"/r/{token}/edit", data=posted_form(answers, rows))
    check_answer(response, allow_ok=False)
    if response.status_code == 303:
        shows_registration(client, response.headers["Location"], rows)
    else:
        assert response.status_code == 422
        assert stored(registration.id).full_name == "Attendee 1"  # nothing changed


# --- answers of the right shape, with any text -------------------------------------------------

LIMITS = {"full_name": 200, "organisation": 200, "job_title": 200, "dietary": 500,
          "access_needs": 1000}
ONE_LINE = {"full_name", "organisation", "job_title"}
text_answer = st.one_of(visible_text, any_text)


@st.composite
def shaped_case(draw) -> tuple[list[Spec], dict]:
    """Answers a browser could send: every text fuzzed, the choices picked from the
    options the organiser wrote."""
    questions = draw(specs())
    posted = {"email": "ada@example.org", "privacy_accepted": "y",
              "organisation_type": draw(st.sampled_from(ORGANISATION_TYPES))}
    for name in LIMITS:
        posted[name] = draw(text_answer)
    for n, spec in enumerate(questions):
        if spec.kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
            posted[f"q{n}"] = draw(text_answer)
        elif spec.kind is QuestionKind.SINGLE_CHOICE:
            posted[f"q{n}"] = draw(st.sampled_from(offered(spec)))
        elif spec.kind is QuestionKind.MULTIPLE_CHOICE:
            posted[f"q{n}"] = draw(st.lists(st.sampled_from(offered(spec)), unique=True,
                                            min_size=1 if spec.required else 0))
        else:
            posted[f"q{n}"] = draw(st.sampled_from(["yes", "no"]))
    return questions, posted


def expectations(questions: list[Spec], posted: dict) -> tuple[dict, set]:
    """(what must be stored, the fields that must be refused) for a shaped case."""
    expected: dict = {}
    refused: set = set()
    for name, limit in LIMITS.items():
        kept = (one_line if name in ONE_LINE else multi_line)(posted[name])
        expected[name] = kept
        if len(kept) > limit or (name == "full_name" and not kept):
            refused.add(name)
    for n, spec in enumerate(questions):
        value = posted[f"q{n}"]
        if spec.kind in (QuestionKind.SHORT_TEXT, QuestionKind.LONG_TEXT):
            short = spec.kind is QuestionKind.SHORT_TEXT
            kept = (one_line if short else multi_line)(value)
            if len(kept) > (300 if short else 3000) or (spec.required and not kept):
                refused.add(f"q{n}")
        elif spec.kind is QuestionKind.MULTIPLE_CHOICE:
            kept = [c for c in offered(spec) if c in value]
        else:
            kept = value
        expected[f"q{n}"] = kept or None  # an empty answer is not kept
    return expected, refused


def assert_outcome(client, response, case, rows) -> None:
    expected, refused = expectations(*case)
    check_answer(response, allow_ok=False)
    if refused:
        assert response.status_code == 422, refused
        markup = response.get_data(as_text=True)
        for name in posted_form(dict.fromkeys(refused), rows):
            assert f'id="{name}-error"' in markup, f"no message beside {name}"
        return
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    registration = stored()
    for name in LIMITS:
        assert getattr(registration, name) == expected[name], name
    for n, row in enumerate(rows):
        assert registration.answers.get(row.key) == expected[f"q{n}"], row.kind
    shows_registration(client, response.headers["Location"], rows)


# Found by this test: an option with U+2028 in it was offered as two options and
# refused when chosen (Question.choices split at every Unicode line break).
SPLIT_OPTION = (
    [Spec(QuestionKind.SINGLE_CHOICE, "Which hall?", "", True, "Hall A\u2028B\nHall\x85C"),
     Spec(QuestionKind.MULTIPLE_CHOICE, "Which days?", "", True, "Mon\u2029Tue\nWed")],
    {"email": "ada@example.org", "privacy_accepted": "y", "organisation_type": "",
     "full_name": "Ada", "organisation": "", "job_title": "", "dietary": "",
     "access_needs": "", "q0": "Hall A\u2028B", "q1": ["Mon\u2029Tue"]},
)


@given(case=shaped_case())
@example(case=SPLIT_OPTION)
def test_register_keeps_what_the_form_accepts_and_shows_it_escaped(fresh, case):
    client = fresh()
    _, rows = open_visit(case[0])
    response = client.post(f"/visits/{SLUG}/register", data=posted_form(case[1], rows))
    assert_outcome(client, response, case, rows)
    if response.status_code == 303:
        assert stored().status is RegistrationStatus.CONFIRMED


@given(case=shaped_case())
@example(case=SPLIT_OPTION)
def test_edit_keeps_what_the_form_accepts_and_shows_it_escaped(fresh, case):
    client = fresh()
    visit, rows = open_visit(case[0])
    registration = make_registration(visit, email="ada@example.org")
    response = client.post(f"/r/{notices.manage_token(registration)}/edit",
                           data=posted_form(case[1], rows))
    assert_outcome(client, response, case, rows)


# --- sign-up posts and made-up links --------------------------------------------------------

item_ids = st.one_of(st.integers(min_value=0, max_value=50),
                     st.integers(min_value=2**31 - 2, max_value=2**31 + 2),
                     st.integers(min_value=0, max_value=10**30))
any_body = st.dictionaries(any_text, st.one_of(any_text, st.lists(any_text, max_size=3)),
                           max_size=3)


@given(token=st.one_of(any_text, st.just("A" * 43)), item_id=item_ids,
       action=st.sampled_from(["signup", "leave"]), body=any_body)
@example(token="A" * 43, item_id=2**31, action="signup", body={})
@example(token="A" * 43, item_id=10**20, action="leave", body={})
def test_signup_posts_with_made_up_links_are_not_found(fresh, token, item_id, action, body):
    client = fresh()
    response = client.post(f"/r/{quote(token, safe='')}/items/{item_id}/{action}", data=body)
    check_answer(response)
    assert response.status_code in (404, 405, 308), response.status_code


# Found by this test: an item id beyond the database's integer (10**20) was a 500
# (OverflowError on SQLite, out of range on PostgreSQL) instead of a 404.
@given(item_id=item_ids, action=st.sampled_from(["signup", "leave"]), body=any_body,
       title=visible_text)
@example(item_id=2**31, action="signup", body={}, title="Tour")
@example(item_id=10**20, action="leave", body={}, title="Tour")
def test_signup_posts_answer_with_a_message(fresh, item_id, action, body, title):
    client = fresh()
    visit = make_visit(slug=SLUG, status=VisitStatus.PUBLISHED)
    registration = make_registration(visit)
    item = make_item(visit, title=multi_line(title)[:200] or "Tour", capacity=1)
    token = notices.manage_token(registration)
    for target in (item_id, item.id):
        response = client.post(f"/r/{token}/items/{target}/{action}", data=body)
        check_answer(response)
        if response.status_code == 303:
            markup = check_answer(client.get(response.headers["Location"]))
            shows_escaped(markup, item.title)
        else:
            assert response.status_code == 404


@given(slug=st.one_of(any_text, st.just(SLUG)))
@example(slug="\x00")
def test_public_visit_addresses_with_any_slug(fresh, slug):
    client = fresh()
    visit = make_visit(slug=SLUG, status=VisitStatus.PUBLISHED)
    item = make_item(visit)
    path = quote(slug, safe="")
    for url in (f"/visits/{path}/", f"/visits/{path}/register", f"/visits/{path}/agenda.ics",
                f"/visits/{path}/agenda.json", f"/visits/{path}/items/{item.id}.ics"):
        check_answer(client.get(url))
    check_answer(client.post(f"/visits/{path}/register", data={"full_name": slug}))


@given(token=st.one_of(any_text, st.text("ABCabc019-_", min_size=43, max_size=43)),
       body=any_body)
@example(token="\x00" * 43, body={})
def test_private_links_with_any_token_are_not_found(fresh, token, body):
    client = fresh()
    make_registration(make_visit(slug=SLUG, status=VisitStatus.PUBLISHED))
    path = quote(token, safe="")
    responses = [client.get(f"/r/{path}"), client.get(f"/feeds/{path}.ics")]
    responses += [client.post(f"/r/{path}/{action}", data=body)
                  for action in ("edit", "cancel", "erase", "calendar/reset")]
    for response in responses:
        check_answer(response)
        assert response.status_code in (404, 405, 308), response.status_code
