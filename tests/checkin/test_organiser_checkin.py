"""The check-in desk, the page a scanned QR code opens, and the code itself on the
attendee's page and in their confirmation email."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from email import message_from_bytes, policy
from urllib.parse import urlsplit

import pytest
from flask import url_for
from sqlalchemy import select

from eventsapp.checkin import rules as checkin
from eventsapp.mail.attachments import rendered
from eventsapp.mail.delivery import build_email
from eventsapp.mail.models import OutboxMessage
from eventsapp.registration.models import Registration, RegistrationStatus
from eventsapp.registration.rules import notices
from eventsapp.visits.models import VisitStatus
from tests.conftest import login
from tests.registration.test_form import form as registration_form
from tests.support import add_to_organisation, make_registration, make_user, make_visit, page_text

DESK = "/organiser/visits/cic-stoke/check-in"
AT = r"\d\d:\d\d (?:GMT|BST)"


@pytest.fixture
def visit(organiser):
    return make_visit(organisers=[organiser], slug="cic-stoke", status=VisitStatus.PUBLISHED,
                      contact_email="hello@example.org")


@pytest.fixture
def people(visit):
    return {
        "ada": make_registration(visit, full_name="Ada Delegate",
                                 organisation="Department for Culture"),
        "ben": make_registration(visit, full_name="Ben Investor", organisation="North Capital"),
        "cy": make_registration(visit, full_name="Cy Waiting",
                                status=RegistrationStatus.WAITLISTED),
    }


def stored(db, registration_id: int) -> Registration:
    db.session.rollback()
    return db.session.get(Registration, registration_id)


def flashed(response) -> str:
    return " ".join(re.findall(r'<p class="flash[^"]*">(.*?)</p>', response.get_data(as_text=True),
                               re.S))


def follow(client, response):
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client.get(response.headers["Location"])


# --- the desk ------------------------------------------------------------------------------


def test_desk_lists_the_confirmed_with_counts(organiser_client, people):
    page = organiser_client.get(DESK)

    text = page_text(page)
    assert page.status_code == 200
    assert "Check-in" in text
    assert "0 checked in of 2 confirmed" in text
    assert "Ada Delegate Department for Culture Not checked in yet" in text
    assert "Ben Investor" in text
    assert "Cy Waiting" not in text  # the waiting list is not at the desk
    assert page.get_data(as_text=True).count('class="button checkin-button"') == 2
    assert 'src="/static/js/checkin.js"' in page.get_data(as_text=True)


def test_desk_search_by_name_or_organisation(organiser_client, people):
    assert "Ben Investor" not in page_text(organiser_client.get(DESK + "?q=culture"))
    found = page_text(organiser_client.get(DESK + "?q=NORTH"))
    assert "Ben Investor" in found and "Ada Delegate" not in found
    assert "Show everyone" in found


def test_desk_says_when_nothing_matches(organiser_client, people):
    text = page_text(organiser_client.get(DESK + "?q=nobody"))
    assert "No match" in text
    assert "No confirmed registration has “nobody” in its name or organisation" in text


def test_desk_with_nobody_confirmed(organiser_client, visit):
    make_registration(visit, status=RegistrationStatus.WAITLISTED)
    text = page_text(organiser_client.get(DESK))
    assert "Nobody to check in yet" in text
    assert "0 checked in of 0 confirmed" in text


def test_one_tap_checks_in_and_keeps_the_search(organiser_client, db, people):
    ada = people["ada"]

    response = organiser_client.post(f"{DESK}/{ada.id}", data={"q": "dele"})

    assert urlsplit(response.headers["Location"]).path == DESK
    assert "q=dele" in response.headers["Location"]
    assert response.headers["Location"].endswith(f"#registration-{ada.id}")
    page = follow(organiser_client, response)
    assert re.search(rf"Checked in Ada Delegate at {AT}\.", flashed(page))
    assert re.search(rf"Ada Delegate Department for Culture Checked in at {AT} by Olu Organiser",
                     page_text(page))
    assert "1 checked in of 2 confirmed" in page_text(organiser_client.get(DESK))
    row = stored(db, ada.id)
    assert row.checked_in_at is not None and row.checked_in_by_id is not None


def test_second_tap_says_who_was_first(organiser_client, db, visit, people):
    second = make_user(email="sam@example.org", name="Sam Second", organisation=None)
    add_to_organisation(visit.organisation, second)  # a colleague in the host organisation
    db.session.commit()
    ada = people["ada"]
    organiser_client.post(f"{DESK}/{ada.id}")
    first = stored(db, ada.id).checked_in_at

    other = organiser_client.application.test_client()
    login(other, second)
    page = follow(other, other.post(f"{DESK}/{ada.id}"))

    assert re.search(rf"Ada Delegate was already checked in at {AT} by Olu Organiser\.",
                     flashed(page))
    assert stored(db, ada.id).checked_in_at == first


def test_undo_from_the_desk(organiser_client, db, people):
    ada = people["ada"]
    organiser_client.post(f"{DESK}/{ada.id}")

    page = follow(organiser_client, organiser_client.post(f"{DESK}/{ada.id}/undo"))

    assert "Undone: Ada Delegate is no longer checked in." in flashed(page)
    assert "0 checked in of 2 confirmed" in page_text(page)
    assert stored(db, ada.id).checked_in_at is None


def test_waitlisted_refused_with_a_reason(organiser_client, db, people):
    cy = people["cy"]
    page = follow(organiser_client, organiser_client.post(f"{DESK}/{cy.id}"))
    assert ("Only confirmed registrations can be checked in: Cy Waiting is on the waiting "
            "list.") in flashed(page)
    assert stored(db, cy.id).checked_in_at is None


def test_the_desks_script_gets_the_new_row_and_counts_as_json(organiser_client, db, people):
    ada = people["ada"]
    json_headers = {"Accept": "application/json"}

    response = organiser_client.post(f"{DESK}/{ada.id}", data={"q": "ada"},
                                     headers=json_headers)

    assert response.status_code == 200
    data = response.get_json()
    assert re.fullmatch(rf"Checked in Ada Delegate at {AT}\.", data["message"])
    assert data["counts"] == {"checked_in": 1, "confirmed": 2}
    assert f'id="registration-{ada.id}"' in data["row"]
    assert "is-checked-in" in data["row"] and ">Undo<" in data["row"]
    assert 'name="q" value="ada"' in data["row"]

    # Anything else (a form post, "*/*") gets the page back, not JSON.
    plain = organiser_client.post(f"{DESK}/{people['ben'].id}", headers={"Accept": "*/*"})
    assert plain.status_code == 302

    refused = organiser_client.post(f"{DESK}/{people['cy'].id}", headers=json_headers)
    assert refused.status_code == 409
    assert "on the waiting list" in refused.get_json()["message"]


def test_counts_json(organiser_client, people):
    organiser_client.post(f"{DESK}/{people['ben'].id}")

    response = organiser_client.get(f"{DESK}/counts.json")

    assert response.get_json() == {"checked_in": 1, "confirmed": 2}
    assert response.headers["Cache-Control"] == "no-store"


def test_desk_page_queries_do_not_grow_with_the_list(organiser_client, visit, count_queries):
    def queries() -> int:
        with count_queries() as counter:
            assert organiser_client.get(DESK).status_code == 200
        return counter.count

    people = [make_registration(visit) for _ in range(2)]
    organiser_client.post(f"{DESK}/{people[0].id}")
    few = queries()
    for _ in range(15):
        person = make_registration(visit)
        organiser_client.post(f"{DESK}/{person.id}")
    assert queries() == few


def test_the_visit_page_links_to_the_desk(organiser_client, visit):
    page = organiser_client.get("/organiser/visits/cic-stoke/")
    assert f'<a href="{DESK}">On the day</a>' in page.get_data(as_text=True)


# --- a scanned code ------------------------------------------------------------------------


def test_the_code_opens_a_page_to_check_in_get_changes_nothing(organiser_client, db, people):
    ada = people["ada"]
    link = checkin.path(ada)

    page = organiser_client.get(link)

    text = page_text(page)
    assert page.status_code == 200
    assert "Ada Delegate" in text and "Department for Culture" in text
    assert "Registration Confirmed" in text and "Not checked in yet" in text
    assert ">Check in</button>" in page.get_data(as_text=True)
    assert stored(db, ada.id).checked_in_at is None

    page = follow(organiser_client, organiser_client.post(link))
    assert re.search(rf"Checked in Ada Delegate at {AT}\.", flashed(page))
    assert re.search(rf"Already checked in at {AT}, \w+ \d+ \w+ \d{{4}}, by Olu Organiser",
                     page_text(page))
    assert ">Undo the check-in</button>" in page.get_data(as_text=True)

    page = follow(organiser_client, organiser_client.post(link))
    assert "was already checked in" in flashed(page)
    page = follow(organiser_client, organiser_client.post(link + "/undo"))
    assert "Undone" in flashed(page) and "Not checked in yet" in page_text(page)
    assert stored(db, ada.id).checked_in_at is None


def test_a_code_printed_before_the_visit_was_renamed_still_opens(organiser_client, db,
                                                                 visit, people):
    ada = people["ada"]
    old_link = checkin.path(ada)
    visit.slug = "stoke-on-trent-2026"
    db.session.commit()

    moved = organiser_client.get(old_link)

    assert moved.status_code == 302
    assert moved.headers["Location"].endswith(
        f"/organiser/visits/stoke-on-trent-2026/check-in/{ada.id}-{checkin.signature(ada.id)}")
    page = organiser_client.get(moved.headers["Location"])
    assert page.status_code == 200 and "Ada Delegate" in page_text(page)
    # A made-up code for an old address is still a 404, not a way to learn the new one.
    assert organiser_client.get(old_link[:-1] + ("x" if old_link[-1] != "x" else "y")
                                ).status_code == 404


def test_the_code_for_a_waitlisted_person_offers_no_check_in(organiser_client, people):
    page = organiser_client.get(checkin.path(people["cy"]))
    assert "This registration is not confirmed, so it cannot be checked in." in page_text(page)
    assert ">Check in</button>" not in page.get_data(as_text=True)


def test_the_route_builds_the_same_link_as_the_service(app, people):
    ada = people["ada"]
    with app.test_request_context():
        built = url_for("checkin.scanned", slug="cic-stoke", registration_id=ada.id,
                        sig=checkin.signature(ada.id))
    assert built == checkin.path(ada)


def test_a_tampered_code_is_404_and_changes_nothing(organiser_client, db, people):
    ada, ben = people["ada"], people["ben"]
    sig = checkin.signature(ada.id)
    flipped = ("x" if sig[-1] != "x" else "y")
    for link in [f"{DESK}/{ben.id}-{sig}", f"{DESK}/{ada.id}-{sig[:-1]}{flipped}",
                 f"{DESK}/{ada.id}-{sig}extra", f"{DESK}/{ada.id}-"]:
        assert organiser_client.get(link).status_code == 404, link
        assert organiser_client.post(link).status_code == 404, link
        assert organiser_client.post(link + "/undo").status_code == 404, link
    assert stored(db, ada.id).checked_in_at is None and stored(db, ben.id).checked_in_at is None


def test_only_the_visits_organisers_can_use_the_code(app, db, people, member):
    link = checkin.path(people["ada"])
    anonymous = app.test_client()
    response = anonymous.get(link)
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"

    other = app.test_client()
    login(other, make_user(email="other@example.org", name="Other Organiser"))
    assert other.get(link).status_code == 404
    assert other.post(link).status_code == 404
    assert other.post(f"{DESK}/{people['ada'].id}").status_code == 404
    assert other.get(f"{DESK}/counts.json").status_code == 404

    someone = app.test_client()
    login(someone, member)
    assert someone.get(link).status_code == 403
    assert someone.post(link).status_code == 403
    assert stored(db, people["ada"].id).checked_in_at is None


# --- the code on the attendee's page and in their email --------------------------------------


def test_the_attendees_page_shows_the_code_when_confirmed(app, client, people):
    page = client.get(f"/r/{notices.manage_token(people['ada'])}")
    markup = page.get_data(as_text=True)
    assert "Your check-in code" in page_text(page)
    svg = re.search(r"<svg .*?</svg>", markup, re.S).group(0)
    with app.test_request_context():  # the same host: the link in the code is absolute
        assert svg == checkin.qr_code(stored_registration(people["ada"]))
    assert 'aria-label="QR code to check in Ada Delegate at Regions and Clusters delegation"' in svg
    ET.fromstring(svg)  # noqa: S314 - well-formed; the app's own output, in a test

    waiting = client.get(f"/r/{notices.manage_token(people['cy'])}")
    assert "Your check-in code" not in page_text(waiting)
    assert "<svg" not in waiting.get_data(as_text=True)


def stored_registration(registration):
    from eventsapp.extensions import db

    return db.session.get(Registration, registration.id)


def test_the_attendees_page_says_when_they_checked_in(client, organiser, people):
    checkin.check_in(organiser, "cic-stoke", people["ada"].id)
    text = page_text(client.get(f"/r/{notices.manage_token(people['ada'])}"))
    assert re.search(rf"You checked in at {AT} on \w+ \d+ \w+ \d{{4}}\.", text)


def test_the_confirmation_email_carries_the_code(app, client, db, visit, organiser):
    client.post("/visits/cic-stoke/register", data=registration_form())
    registration = db.session.scalar(select(Registration))
    [email] = db.session.scalars(select(OutboxMessage)).all()

    [code] = [a for a in rendered(email) if a["filename"] == "check-in.svg"]

    assert code["content_type"] == "image/svg+xml"
    assert "Your check-in code is attached (check-in.svg)" in email.body_text
    sent = message_from_bytes(bytes(build_email(email, "visits@example.org")),
                              policy=policy.default)
    [part] = [p for p in sent.iter_attachments() if p.get_filename() == "check-in.svg"]
    assert part.get_content_type() == "image/svg+xml"
    assert part.get_payload(decode=True).decode("utf-8") == code["content"]
    root = ET.fromstring(code["content"].encode("utf-8"))  # noqa: S314 - the app's own
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    # segno cannot read codes back: the attachment is the one made for this
    # registration's check-in link, and that link opens its check-in page.
    with app.test_request_context():
        assert code == checkin.attachment(registration)
        link = checkin.url(registration)
    assert email.attachments[1] == {"render": "checkin_code", "registration_id": registration.id,
                                    "base_url": "http://localhost"}  # made when sent
    assert urlsplit(link).path == checkin.path(registration)
    login(client, organiser)
    page = client.get(urlsplit(link).path)
    assert page.status_code == 200 and "Ada Lovelace" in page_text(page)


def test_no_code_in_a_waiting_list_email(client, db, visit):
    visit.capacity = 1
    db.session.commit()
    make_registration(visit)
    client.post("/visits/cic-stoke/register", data=registration_form())
    [email] = db.session.scalars(select(OutboxMessage)).all()
    assert "waiting list" in email.subject.lower() or "waiting list" in email.body_text
    assert [a["filename"] for a in rendered(email) if a["filename"] == "check-in.svg"] == []
