"""The organiser's venues: add, edit and delete, with the service's rules shown as messages."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eventsapp.visits.models import Venue
from tests.support import make_item, make_venue, make_visit


def venue_form(**overrides) -> dict:
    form = {
        "name": "Spode Works",
        "address": "Elenora Street\nStoke-on-Trent ST4 1QQ",
        "latitude": "53.0027",
        "longitude": "-2.1794",
        "access_notes": "Step-free entrance on Elenora Street.",
    }
    form.update(overrides)
    return form


def venues(db) -> list[Venue]:
    db.session.expire_all()
    return list(db.session.scalars(select(Venue).order_by(Venue.id)))


def venue_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Venue))


def page(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def visit(organiser):
    return make_visit(organisers=[organiser], slug="cic-stoke")


def test_add_venue_with_coordinates(organiser_client, visit, db):
    form = page(organiser_client.get("/organiser/visits/cic-stoke/venues/new"))
    for name, label in [("name", "Name"), ("address", "Address"), ("latitude", "Latitude"),
                        ("longitude", "Longitude"), ("access_notes", "Access notes")]:
        assert f'<label for="{name}">{label}' in form
    response = organiser_client.post("/organiser/visits/cic-stoke/venues/new",
                                     data=venue_form(name="  Spode Works  "))
    assert response.status_code == 302
    [venue] = venues(db)
    assert response.headers["Location"] == f"/organiser/visits/cic-stoke/#venue-{venue.id}"
    assert venue.visit_id == visit.id
    assert venue.name == "Spode Works"
    assert venue.address == "Elenora Street\nStoke-on-Trent ST4 1QQ"
    assert (venue.latitude, venue.longitude) == (53.0027, -2.1794)
    assert venue.access_notes == "Step-free entrance on Elenora Street."
    shown = page(organiser_client.get("/organiser/visits/cic-stoke/"))
    assert "Spode Works" in shown
    assert "Step-free entrance on Elenora Street." in shown
    assert "53.00270, -2.17940" in shown


def test_add_venue_without_coordinates(organiser_client, visit, db):
    response = organiser_client.post("/organiser/visits/cic-stoke/venues/new",
                                     data=venue_form(latitude="", longitude=" "))
    assert response.status_code == 302
    [venue] = venues(db)
    assert (venue.latitude, venue.longitude) == (None, None)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"name": ""}, "Enter the venue&#39;s name"),
    ({"name": "n" * 201}, "Name must be 200 characters or fewer"),
    ({"address": "a" * 501}, "Address must be 500 characters or fewer"),
    ({"access_notes": "a" * 2001}, "Access notes must be 2,000 characters or fewer"),
    ({"longitude": ""}, "Give both latitude and longitude, or neither."),
    ({"latitude": ""}, "Give both latitude and longitude, or neither."),
    ({"latitude": "91"}, "Latitude must be between -90 and 90."),
    ({"longitude": "-180.5"}, "Longitude must be between -180 and 180."),
    ({"latitude": "abc"}, "Latitude must be a number between -90 and 90"),
    ({"latitude": "1e999"}, "Latitude must be a number between -90 and 90"),
    ({"latitude": "nan"}, "Latitude must be a number between -90 and 90"),
    ({"longitude": "-inf"}, "Longitude must be a number between -180 and 180"),
    ({"longitude": "53,0027"}, "Longitude must be a number between -180 and 180"),
])
def test_add_venue_refuses_bad_answers(organiser_client, visit, db, overrides, message):
    response = organiser_client.post("/organiser/visits/cic-stoke/venues/new",
                                     data=venue_form(**overrides))
    assert response.status_code == 422
    text = page(response)
    assert message in text
    assert "Please correct the highlighted" in text
    assert venue_count(db) == 0


def test_edit_venue_shows_and_saves_it(organiser_client, visit, db):
    venue = make_venue(visit, name="Old name", latitude=53.0, longitude=-2.0)
    url = f"/organiser/visits/cic-stoke/venues/{venue.id}/edit"
    form = page(organiser_client.get(url))
    assert 'value="Old name"' in form
    assert 'value="53.0"' in form
    response = organiser_client.post(url, data=venue_form(
        name="Emma Bridgewater Factory", latitude="", longitude="", access_notes=""))
    assert response.status_code == 302
    [stored] = venues(db)
    assert stored.name == "Emma Bridgewater Factory"
    assert (stored.latitude, stored.longitude, stored.access_notes) == (None, None, "")


def test_edit_venue_refuses_latitude_without_longitude(organiser_client, visit, db):
    venue = make_venue(visit, name="Keep me")
    response = organiser_client.post(f"/organiser/visits/cic-stoke/venues/{venue.id}/edit",
                                     data=venue_form(name="Changed", longitude=""))
    assert response.status_code == 422
    assert "Give both latitude and longitude, or neither." in page(response)
    assert venues(db)[0].name == "Keep me"


def test_delete_venue_not_in_use(organiser_client, visit, db):
    venue = make_venue(visit)
    response = organiser_client.post(f"/organiser/visits/cic-stoke/venues/{venue.id}/delete",
                                     follow_redirects=True)
    assert response.status_code == 200
    assert "Deleted the venue." in page(response)
    assert venue_count(db) == 0


def test_delete_venue_in_use_is_refused_with_the_reason(organiser_client, visit, db):
    venue = make_venue(visit, name="Spode Works")
    make_item(visit, title="Opening talk", venue=venue)
    response = organiser_client.post(f"/organiser/visits/cic-stoke/venues/{venue.id}/delete",
                                     follow_redirects=True)
    assert response.status_code == 200
    text = page(response)
    assert 'class="flash flash-error"' in text
    assert "Spode Works is the venue of 1 agenda item (Opening talk)" in text
    assert venue_count(db) == 1


def test_a_venue_of_another_visit_is_404(organiser_client, organiser, visit, db):
    other = make_visit(organisers=[organiser], slug="cic-hull")
    venue = make_venue(other, name="Hull venue")
    assert organiser_client.get(
        f"/organiser/visits/cic-stoke/venues/{venue.id}/edit").status_code == 404
    assert organiser_client.post(
        f"/organiser/visits/cic-stoke/venues/{venue.id}/delete").status_code == 404
    assert venues(db)[0].name == "Hull venue"
