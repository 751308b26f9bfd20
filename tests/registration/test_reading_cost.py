"""What a search, a first page and the CSV read: only what they show, matched by the
database on the folded name, organisation and email that every write keeps."""

from __future__ import annotations

import csv
import io
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from eventsapp.checkin import rules as checkin
from eventsapp.extensions import db
from eventsapp.registration.models import Registration, RegistrationStatus
from eventsapp.registration.rules import attendees, own_page, registering
from eventsapp.registration.rules.common import AttendeeDetails
from eventsapp.registration.rules.notices import manage_token
from eventsapp.spreadsheet import to_csv
from eventsapp.visits.models import VisitStatus
from tests.registration.test_pagination import add_registrations, names
from tests.support import make_registration, make_visit

BASE = "/organiser/visits/big"


@pytest.fixture
def big(organiser):
    visit = make_visit(organisers=[organiser], slug="big", status=VisitStatus.PUBLISHED,
                       capacity=None)
    add_registrations(visit, 120)
    return visit


@contextmanager
def loaded_registrations():
    """The registrations the ORM builds from rows read, by id."""
    ids: list[int] = []

    def on_load(target, _context):
        ids.append(target.id)

    event.listen(Registration, "load", on_load)
    try:
        yield ids
    finally:
        event.remove(Registration, "load", on_load)


def test_page_one_reads_only_its_page(organiser_client, big, count_queries):
    db.session.expire_all()
    with loaded_registrations() as loaded, count_queries() as counter:
        answer = organiser_client.get(f"{BASE}/registrations")
    assert answer.status_code == 200
    assert names(answer)[:2] == ["Delegate 001", "Delegate 002"]
    assert len(loaded) == 50
    assert any("LIMIT" in sql.upper() for sql in counter.statements
               if "FROM registrations" in sql and "count(" not in sql)


def test_a_search_reads_only_the_matches(organiser_client, big):
    db.session.expire_all()
    with loaded_registrations() as loaded:
        answer = organiser_client.get(f"{BASE}/registrations?q=CLAYWORKS")
    assert names(answer) == [f"Delegate {n:03d}" for n in range(10, 121, 10)]
    assert len(loaded) == 12
    with loaded_registrations() as loaded:
        answer = organiser_client.get(f"{BASE}/registrations?q=Delegate7%40")
    assert names(answer) == ["Delegate 007"]  # by email
    assert len(loaded) == 1


def test_check_in_search_reads_only_the_matches(db, big, count_queries):
    db.session.expire_all()
    assert big.id  # loaded again, as a page has it
    with loaded_registrations() as loaded, count_queries() as counter:
        found = checkin.search(big, "delegate 042")
    assert [e.registration.full_name for e in found] == ["Delegate 042"]
    assert loaded == [found[0].registration.id]
    assert counter.count == 1


def test_search_folds_accents_in_the_organisers_list_too(organiser_client, big):
    make_registration(big, full_name="Zoë Ceramicist", organisation="Ŵelsh Clay")
    text = organiser_client.get(f"{BASE}/registrations?q=zoe").get_data(as_text=True)
    assert "Zoë Ceramicist" in text
    text = organiser_client.get(f"{BASE}/registrations?q=welsh%20CLAY").get_data(as_text=True)
    assert "Zoë Ceramicist" in text
    assert "Delegate" not in text


def test_every_write_keeps_the_search_name(db, big, organiser):
    """Registering, changing one's details, being added by hand, erasing."""
    outcome = registering.register("big", AttendeeDetails(
        full_name="Ágnes Potter", email="agnes@example.org", organisation="Kiln Co",
        privacy_accepted=True))

    def desk(q):
        db.session.expire_all()
        return [e.registration.full_name for e in checkin.search(big, q)]

    assert desk("agnes") == ["Ágnes Potter"] and desk("kiln co") == ["Ágnes Potter"]
    own_page.update_details(outcome.manage_token, AttendeeDetails(
        full_name="Agnès Thrower", email="agnes@example.org", organisation="Wheel Ltd",
        privacy_accepted=True))
    assert desk("potter") == [] and desk("agnes thrower") == ["Agnès Thrower"]
    assert desk("wheel") == ["Agnès Thrower"]
    attendees.add_by_hand(organiser, "big", AttendeeDetails(
        full_name="Þór Glazer", email="thor@example.org", organisation="Glaze Works"),
        send_email=False)
    assert desk("glaze works") == ["Þór Glazer"]
    registration = db.session.get(Registration, outcome.registration_id)
    own_page.erase(manage_token(registration))
    assert desk("agnes") == [] and desk("wheel") == []


def test_the_csv_is_streamed_with_the_same_content(organiser_client, big):
    make_registration(big, full_name="=cmd", status=RegistrationStatus.WAITLISTED)
    response = organiser_client.get(f"{BASE}/registrations.csv")
    assert response.is_streamed
    body = response.get_data()
    assert body == to_csv(*attendees.export_rows(big))
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 1 + 121
    assert {"Delegate 001", "Delegate 120", "'=cmd"} <= {row[4] for row in rows[1:]}
