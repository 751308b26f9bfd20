"""/visits/<slug>/lost-link and /lost-link: a lost private link emailed again, with the
same answer whether or not the address is registered."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from eventsapp.registration.models import RegistrationStatus
from eventsapp.registration.rules import notices
from eventsapp.visits.models import VisitStatus
from tests.registration.test_form import form, open_visit
from tests.support import make_registration, make_visit, outbox, page_text

URL = "/visits/cic-stoke/lost-link"
LINK = re.compile(r"https?://[^/\s]+(/r/[A-Za-z0-9_-]{43})")
SENT = "If that address is registered for this visit, we have emailed its link."


def ask(client, email: str, url: str = URL, **kwargs):
    return client.post(url, data={"email": email}, **kwargs)


def test_the_answer_is_the_same_for_a_registered_and_an_unknown_address(client, db):
    visit = open_visit()
    make_registration(visit, email="ada@example.org")

    known = ask(client, "ada@example.org")
    unknown = ask(client, "nobody@example.org")

    assert known.status_code == unknown.status_code == 303
    assert known.get_data() == unknown.get_data()
    assert known.headers["Location"] == unknown.headers["Location"]
    known_page, unknown_page = (client.get(r.headers["Location"]) for r in (known, unknown))
    assert known_page.status_code == unknown_page.status_code == 200
    assert known_page.get_data() == unknown_page.get_data()
    assert SENT in page_text(known_page)


def test_a_registered_address_gets_one_email_with_its_working_link(client, db):
    visit = open_visit(contact_email="hello@example.org")
    registration = make_registration(visit, email="Ada@Example.org", full_name="Ada Lovelace")
    feed_before = notices.feed_url(registration)
    old_link = f"/r/{notices.manage_token(registration)}"

    ask(client, "  ada@EXAMPLE.org ")

    [email] = outbox()
    assert email.to == "Ada@Example.org"
    assert email.subject == "Your private link: Regions and Clusters delegation"
    assert "Dear Ada Lovelace" in email.body_text
    [link] = LINK.findall(email.body_text)  # the text part; no email has an HTML part
    page = client.get(link)
    assert page.status_code == 200
    assert "Your registration for Regions and Clusters delegation" in page_text(page)
    # The same link: asking breaks nobody's link, nor the calendar feed.
    assert link == old_link
    assert "same link as in your confirmation email" in " ".join(email.body_text.split())
    db.session.refresh(registration)
    assert notices.feed_url(registration) == feed_before
    assert client.get(urlsplit(feed_before).path).status_code == 200


@pytest.mark.parametrize("case", ["unknown", "cancelled", "other visit"])
def test_no_email_without_a_live_registration_on_this_visit(client, db, case):
    visit = open_visit()
    if case == "cancelled":
        make_registration(visit, email="ada@example.org", status=RegistrationStatus.CANCELLED)
    elif case == "other visit":
        other = make_visit(slug="other", status=VisitStatus.PUBLISHED)
        make_registration(other, email="ada@example.org")

    response = ask(client, "ada@example.org")

    assert response.status_code == 303
    assert outbox() == []


def test_a_bad_address_is_a_message_next_to_the_field(client, db):
    open_visit()

    response = ask(client, "not an address")

    assert response.status_code == 422
    assert "Enter an email address like name@example.org" in page_text(response)
    assert outbox() == []


def test_a_draft_or_unknown_visit_is_404(client, db):
    make_visit(slug="draft-visit", status=VisitStatus.DRAFT)

    assert client.get("/visits/draft-visit/lost-link").status_code == 404
    assert ask(client, "a@example.org", "/visits/draft-visit/lost-link").status_code == 404
    assert client.get("/visits/nowhere/lost-link").status_code == 404


def test_the_registration_page_and_the_duplicate_email_message_link_here(client, db):
    visit = open_visit()
    make_registration(visit, email="ada@example.org")

    page = client.get("/visits/cic-stoke/register")
    refused = client.post("/visits/cic-stoke/register", data=form(email="ada@example.org"))

    assert f'href="{URL}"' in page.get_data(as_text=True)
    markup = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "already registered for this visit" in page_text(refused)
    assert re.search(rf'id="email-lost-link">[^<]*<a href="{URL}">', markup)


# --- /lost-link: every registration of an address -----------------------------------------


def test_site_wide_lists_every_live_registration_on_visits_to_come(client, db):
    today = datetime.now(UTC).date()
    stoke = open_visit(title="Stoke visit")
    leeds = make_visit(slug="leeds", title="Leeds visit", status=VisitStatus.PUBLISHED)
    past = make_visit(slug="past", title="Past visit", status=VisitStatus.PUBLISHED,
                      start_date=today - timedelta(days=10))
    cancelled_on = make_visit(slug="gone", title="Cancelled on visit",
                              status=VisitStatus.PUBLISHED)
    links = {visit.title: f"/r/{notices.manage_token(make_registration(visit, email=email))}"
             for visit, email in ((stoke, "ada@example.org"), (leeds, "ADA@example.org"),
                                  (past, "ada@example.org"))}
    make_registration(cancelled_on, email="ada@example.org",
                      status=RegistrationStatus.CANCELLED)
    make_registration(stoke, email="someone.else@example.org")

    known = ask(client, "ada@example.org", "/lost-link")
    unknown = ask(client, "nobody@example.org", "/lost-link")

    assert known.status_code == unknown.status_code == 303
    assert known.get_data() == unknown.get_data()
    page = client.get(known.headers["Location"])
    assert "If that address is registered for any visit still to come, we have emailed " \
           "its links." in page_text(page)
    [email] = outbox()
    assert email.subject == "Your private links to your registrations"
    found = LINK.findall(email.body_text)
    assert found == [links["Stoke visit"], links["Leeds visit"]]  # by date, then made
    assert "Past visit" not in email.body_text
    assert "Cancelled on visit" not in email.body_text
    assert all(client.get(link).status_code == 200 for link in found)


def test_site_wide_page_exists_at_its_path(client, db):
    page = client.get("/lost-link")

    assert page.status_code == 200
    assert "Get your private links again" in page_text(page)
    assert page.headers["Cache-Control"] == "no-store"


# --- rate limits ---------------------------------------------------------------------------


class TestRateLimits:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True,
                "LOST_LINK_RATE_LIMIT_PER_ADDRESS": "3 per minute",
                "LOST_LINK_RATE_LIMIT_PER_EMAIL": "2 per hour"}

    def test_per_client_address(self, client, db):
        open_visit()
        statuses = [ask(client, f"p{n}@example.org").status_code for n in range(3)]

        refused = ask(client, "p4@example.org", "/lost-link")  # shared by both pages
        other = ask(client, "p5@example.org", environ_base={"REMOTE_ADDR": "192.0.2.7"})

        assert statuses == [303, 303, 303]
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) > 0
        assert other.status_code == 303
        assert client.get(URL).status_code == 200  # reading the form is not limited

    def test_per_email_address_from_any_client(self, client, db):
        visit = open_visit()
        make_registration(visit, email="ada@example.org")
        first = ask(client, "ada@example.org", environ_base={"REMOTE_ADDR": "192.0.2.1"})
        second = ask(client, "ADA@example.org", "/lost-link",
                     environ_base={"REMOTE_ADDR": "192.0.2.2"})

        third = ask(client, "ada@example.org", environ_base={"REMOTE_ADDR": "192.0.2.3"})
        other = ask(client, "bob@example.org", environ_base={"REMOTE_ADDR": "192.0.2.3"})

        assert (first.status_code, second.status_code) == (303, 303)
        assert third.status_code == 429
        assert other.status_code == 303
        assert len(outbox()) == 2  # one per answered request: nothing after the limit
