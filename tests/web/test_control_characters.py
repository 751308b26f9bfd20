"""Control characters typed or pasted into any text field (\\x01, ESC, DEL, C1) never
reach a stored row, a page or agenda.json: every form cleans its text with the one
eventsapp.web.forms.clean_text."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from eventsapp.agenda.models import AgendaItem
from eventsapp.members.models import MemberBusiness
from eventsapp.registration.models import QuestionKind, Registration
from eventsapp.visits.models import Venue, Visit, VisitStatus
from eventsapp.web.forms import clean_lines, clean_text
from tests.support import make_question

# Every Cc character except line feed and tab, which multi-line fields keep.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# What a person might paste: SOH, an ANSI colour (ESC [ 31 m), DEL, a C1 CSI, a NUL.
DIRT = "\x01\x1b[31m\x7f\x9b\x00"


def dirty(text: str) -> str:
    return f"{DIRT}{text[:3]}\x01{text[3:]}\x7f"


def clean(text: str) -> str:
    return f"[31m{text}"


def test_the_rule():
    assert clean_text("  Clay\x01works\x1b \x7f Studio\x9b ") == "Clayworks Studio"
    assert clean_text("one\r\ntwo\tthree\x85four") == "one two threefour"
    assert clean_lines(" one\r\ntwo\x01\tthree\rfour\x0b ") == "one\ntwo\tthree\nfour"
    assert clean_text(None) is None and clean_lines(None) is None


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _columns(row) -> list[str]:
    values = [getattr(row, c.key) for c in row.__table__.columns]
    return [s for v in values for s in _strings(v)]


def test_no_control_character_reaches_a_row_a_page_or_the_json(organiser_client, client, db):
    response = organiser_client.post("/organiser/visits/new", data={
        "title": dirty("Regions and Clusters"), "slug": "cic-stoke",
        "city": dirty("Stoke-on-Trent"), "host": dirty("Staffordshire Cluster"),
        "timezone": "Europe/London", "start_date": "2030-06-12", "end_date": "2030-06-13",
        "summary": dirty("Two days\r\nwith the ceramics cluster."),
    })
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    response = organiser_client.post("/organiser/visits/cic-stoke/venues/new", data={
        "name": dirty("Spode Works"), "address": dirty("Elenora Street\nStoke ST4 1QQ"),
        "latitude": "53.0027", "longitude": "-2.1794",
        "access_notes": dirty("Step-free entrance."),
    })
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    venue = db.session.scalars(select(Venue)).one()
    response = organiser_client.post("/organiser/visits/cic-stoke/items/new", data={
        "kind": "talk", "title": dirty("Opening keynote"),
        "starts_at": "2030-06-12T09:30", "ends_at": "2030-06-12T10:15",
        "venue_id": str(venue.id), "hosts": dirty("Dr Ada Lovelace\r\nGrace Hopper"),
        "description": dirty("Why clusters matter."), "capacity": "",
    })
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    response = organiser_client.post("/organiser/members/new", data={
        "name": dirty("Clayworks Studio"), "website": "https://clayworks.example",
        "sectors": dirty("ceramics, design"), "description": dirty("Pottery in clay."),
    })
    assert response.status_code in (302, 303), response.get_data(as_text=True)

    visit = db.session.scalars(select(Visit)).one()
    visit.status = VisitStatus.PUBLISHED
    visit.contact_email = "hello@example.org"
    db.session.commit()
    question = make_question(visit, kind=QuestionKind.LONG_TEXT, label="Anything else?")
    response = client.post("/visits/cic-stoke/register", data={
        "full_name": dirty("Ada Lovelace"), "email": "ada@example.org",
        "organisation": dirty("Analytical Engines"), "job_title": dirty("Director"),
        "organisation_type": "industry", "dietary": dirty("Vegetarian"),
        "access_needs": dirty("Step-free\r\nroutes"), "privacy_accepted": "y",
        f"q_{question.id}": dirty("Kilns\r\nand glaze"),
    })
    assert response.status_code == 303, response.get_data(as_text=True)

    db.session.expire_all()
    visit = db.session.scalars(select(Visit)).one()
    item = db.session.scalars(select(AgendaItem)).one()
    business = db.session.scalars(select(MemberBusiness)).one()
    registration = db.session.scalars(select(Registration)).one()
    rows = [visit, db.session.scalars(select(Venue)).one(), item, business, registration]
    for row in rows:
        for value in _columns(row):
            assert not CONTROL.search(value), (type(row).__name__, value)
    # Cleaned, not emptied: the words are kept, line breaks where a text area has them.
    assert visit.title == clean("Regions and Clusters")
    assert visit.summary == clean("Two days\nwith the ceramics cluster.")
    assert item.hosts == clean("Dr Ada Lovelace\nGrace Hopper")
    assert business.name == clean("Clayworks Studio")
    assert registration.full_name == clean("Ada Lovelace")
    assert registration.access_needs == clean("Step-free\nroutes")
    assert registration.answers[question.key] == clean("Kilns\nand glaze")

    for page in ("/", "/visits/cic-stoke/", "/visits/cic-stoke/agenda.json",
                 "/visits/cic-stoke/agenda.ics"):
        body = client.get(page).get_data(as_text=True)
        assert "Opening keynote" in body or page == "/", page
        assert not CONTROL.search(body.replace("\r\n", "\n")), page
    for page in ("/organiser/members/", "/organiser/visits/cic-stoke/registrations"):
        response = organiser_client.get(page)
        assert response.status_code == 200, page
        assert not CONTROL.search(response.get_data(as_text=True)), page
    agenda = json.loads(client.get("/visits/cic-stoke/agenda.json").get_data(as_text=True))
    assert clean("Opening keynote") in list(_strings(agenda))
