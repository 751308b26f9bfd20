"""The organiser's visits: list, create, edit, publish, and who may reach them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from eventsapp.agenda.models import AgendaItem, ItemStatus
from eventsapp.visits.models import Venue, Visit, VisitStatus
from tests.conftest import login
from tests.support import make_item, make_user, make_venue, make_visit


def visit_form(**overrides) -> dict:
    form = {
        "title": "Regions and Clusters: Stoke-on-Trent",
        "slug": "cic-stoke",
        "city": "Stoke-on-Trent",
        "host": "Staffordshire Creative Cluster",
        "timezone": "Europe/London",
        "start_date": "2030-06-12",
        "end_date": "2030-06-13",
        "summary": "Two days with the ceramics and games clusters.",
    }
    form.update(overrides)
    return form


def visit_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Visit))


def stored_visit(db, slug: str) -> Visit | None:
    db.session.expire_all()
    return db.session.scalar(select(Visit).where(Visit.slug == slug))


def page(response) -> str:
    return response.get_data(as_text=True)


# --- the list --------------------------------------------------------------------------


def test_empty_list_invites_the_organiser_to_create_a_visit(organiser_client):
    response = organiser_client.get("/organiser/")
    assert response.status_code == 200
    text = page(response)
    assert "No visits yet" in text
    assert 'href="/organiser/visits/new"' in text
    assert "Create a visit" in text


def test_list_shows_own_visits_with_status_dates_and_city(organiser_client, organiser):
    make_visit(organisers=[organiser], slug="mine", title="Ceramics week", city="Stoke",
               status=VisitStatus.PUBLISHED, start_date=date(2030, 6, 12),
               end_date=date(2030, 6, 13))
    someone = make_user(email="someone-else@example.org")
    make_visit(organisers=[someone], slug="theirs", title="Not yours")
    text = page(organiser_client.get("/organiser/"))
    assert "Ceramics week" in text
    assert "Published" in text
    assert "12–13 June 2030" in text
    assert "Stoke" in text
    assert "Not yours" not in text
    assert "No visits yet" not in text


def test_the_organiser_area_needs_an_organiser(client, member):
    assert client.get("/organiser/").status_code == 302  # to /login
    login(client, member)
    assert client.get("/organiser/").status_code == 403
    assert client.get("/organiser/visits/new").status_code == 403


# --- create ----------------------------------------------------------------------------


def test_new_visit_form_offers_every_zone_and_defaults_to_london(organiser_client):
    text = page(organiser_client.get("/organiser/visits/new"))
    assert 'list="zone-names"' in text
    assert '<datalist id="zone-names">' in text
    assert '<option value="America/New_York">' in text
    assert 'value="Europe/London"' in text
    for name, label in [("title", "Title"), ("slug", "Web address"), ("city", "City"),
                        ("host", "Host"), ("timezone", "Time zone"), ("start_date", "First day"),
                        ("end_date", "Last day"), ("summary", "Summary")]:
        assert f'<label for="{name}">{label}' in text


def test_create_visit_stores_it_as_a_draft_of_the_organiser(organiser_client, organiser, db):
    response = organiser_client.post("/organiser/visits/new", data=visit_form(
        title="  Regions and Clusters  ", slug=" CIC-Stoke ", timezone="America/New_York"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/organiser/visits/cic-stoke/"
    visit = stored_visit(db, "cic-stoke")
    assert visit.title == "Regions and Clusters"
    assert visit.city == "Stoke-on-Trent"
    assert visit.host == "Staffordshire Creative Cluster"
    assert visit.timezone == "America/New_York"
    assert (visit.start_date, visit.end_date) == (date(2030, 6, 12), date(2030, 6, 13))
    assert visit.summary == "Two days with the ceramics and games clusters."
    assert visit.status is VisitStatus.DRAFT
    assert [user.id for user in visit.organisers] == [organiser.id]
    shown = page(organiser_client.get(response.headers["Location"]))
    assert "Regions and Clusters" in shown
    assert "Draft" in shown


@pytest.mark.parametrize(("overrides", "message"), [
    ({"title": ""}, "Enter a title"),
    ({"title": "   "}, "Enter a title"),
    ({"title": "x" * 201}, "Title must be 200 characters or fewer"),
    ({"slug": "s" * 81}, "Web address must be 80 characters or fewer"),
    ({"city": "c" * 101}, "City must be 100 characters or fewer"),
    ({"host": "h" * 201}, "Host must be 200 characters or fewer"),
    ({"summary": "s" * 5001}, "Summary must be 5,000 characters or fewer"),
    ({"timezone": "Z" * 65}, "Time zone must be 64 characters or fewer"),
    ({"slug": "Stoke on Trent!"}, "Use lowercase letters, digits and single hyphens"),
    ({"timezone": "Mars/Olympus_Mons"}, "is not a known time zone"),
    ({"timezone": "../../etc/passwd"}, "is not a known time zone"),
    ({"end_date": "2030-06-11"}, "The last day cannot be before the first day."),
    ({"start_date": ""}, "Enter the first day"),
    ({"start_date": "tomorrow"}, "Enter the first day as a date"),
    ({"end_date": "2030-02-30"}, "Enter the last day as a date"),
    ({"start_date": "0001-01-01"}, "Enter a date between 2000 and 2100"),
    ({"end_date": "9999-12-31"}, "Enter a date between 2000 and 2100"),
    ({"end_date": "2030-08-12"}, "A visit can last at most 31 days"),
])
def test_create_visit_refuses_bad_answers_and_keeps_the_others(
        organiser_client, db, overrides, message):
    response = organiser_client.post("/organiser/visits/new", data=visit_form(**overrides))
    assert response.status_code == 422
    text = page(response)
    assert message in text
    assert "Please correct the highlighted" in text
    kept = "host" if "host" not in overrides else "city"
    assert f'value="{visit_form()[kept]}"' in text  # the answers are kept
    assert visit_count(db) == 0


def test_a_title_of_exactly_200_characters_is_accepted(organiser_client, db):
    response = organiser_client.post("/organiser/visits/new", data=visit_form(title="t" * 200))
    assert response.status_code == 302
    assert stored_visit(db, "cic-stoke").title == "t" * 200


def test_create_visit_refuses_a_slug_already_taken(organiser_client, db):
    someone = make_user(email="someone-else@example.org")
    make_visit(organisers=[someone], slug="cic-stoke", title="First come")
    response = organiser_client.post("/organiser/visits/new", data=visit_form())
    assert response.status_code == 422
    assert "The address /visits/cic-stoke/ is already used by another visit." in page(response)
    assert visit_count(db) == 1
    assert stored_visit(db, "cic-stoke").title == "First come"


def test_nul_characters_and_missing_fields_never_break_the_form(organiser_client, db):
    response = organiser_client.post("/organiser/visits/new", data=visit_form(
        title="Clay\x00 days", slug="clay\x00", city="\x00", summary="a\x00b"))
    assert response.status_code == 422
    assert "Enter the city" in page(response)
    response = organiser_client.post("/organiser/visits/new", data={"title": "Only a title"})
    assert response.status_code == 422
    assert "Enter the first day" in page(response)
    assert visit_count(db) == 0


# --- edit ------------------------------------------------------------------------------


def test_edit_visit_shows_current_details_and_saves_changes(organiser_client, organiser, db):
    make_visit(organisers=[organiser], slug="cic-stoke", title="Old title",
               start_date=date(2030, 6, 12), end_date=date(2030, 6, 13))
    form = page(organiser_client.get("/organiser/visits/cic-stoke/edit"))
    assert 'value="Old title"' in form
    assert 'value="2030-06-12"' in form
    response = organiser_client.post("/organiser/visits/cic-stoke/edit", data=visit_form(
        title="New title", slug="stoke-2030", end_date="2030-06-14", timezone="Europe/Paris"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/organiser/visits/stoke-2030/"
    assert stored_visit(db, "cic-stoke") is None
    visit = stored_visit(db, "stoke-2030")
    assert (visit.title, visit.end_date, visit.timezone) == (
        "New title", date(2030, 6, 14), "Europe/Paris")


def test_edit_visit_refuses_another_visits_slug_and_an_unknown_zone(
        organiser_client, organiser, db):
    make_visit(organisers=[organiser], slug="cic-stoke", title="Mine")
    make_visit(organisers=[organiser], slug="cic-hull", title="Also mine")
    response = organiser_client.post("/organiser/visits/cic-stoke/edit", data=visit_form(
        slug="cic-hull", timezone="Europe/Atlantis", title="Renamed"))
    assert response.status_code == 422
    text = page(response)
    assert "already used by another visit" in text
    assert "“Europe/Atlantis” is not a known time zone" in text
    assert 'value="Renamed"' in text
    assert stored_visit(db, "cic-stoke").title == "Mine"


# --- publish, unpublish, cancel --------------------------------------------------------


def test_publish_unpublish_and_cancel(organiser_client, organiser, db, client):
    visit = make_visit(organisers=[organiser], slug="cic-stoke")
    item = make_item(visit)
    draft_page = page(organiser_client.get("/organiser/visits/cic-stoke/"))
    assert 'action="/organiser/visits/cic-stoke/publish"' in draft_page
    assert 'href="/visits/cic-stoke/"' not in draft_page

    response = organiser_client.post("/organiser/visits/cic-stoke/publish")
    assert response.status_code == 302
    visit = stored_visit(db, "cic-stoke")
    assert visit.status is VisitStatus.PUBLISHED
    assert visit.first_published_at is not None
    published_page = page(organiser_client.get("/organiser/visits/cic-stoke/"))
    assert 'href="/visits/cic-stoke/"' in published_page
    assert 'action="/organiser/visits/cic-stoke/unpublish"' in published_page
    assert organiser_client.get("/visits/cic-stoke/").status_code == 200

    organiser_client.post("/organiser/visits/cic-stoke/unpublish")
    assert stored_visit(db, "cic-stoke").status is VisitStatus.DRAFT
    assert organiser_client.get("/visits/cic-stoke/").status_code == 404

    response = organiser_client.post("/organiser/visits/cic-stoke/cancel",
                                     follow_redirects=True)
    assert "Cancelled" in page(response)
    assert stored_visit(db, "cic-stoke").status is VisitStatus.CANCELLED
    # Every live item changes status in some subscribed calendar at each of the three
    # (publish, unpublish, cancel): TENTATIVE/CONFIRMED for organisers, CANCELLED.
    assert db.session.get(AgendaItem, item.id).sequence == 3


def test_status_changes_need_a_post(organiser_client, organiser, db):
    make_visit(organisers=[organiser], slug="cic-stoke")
    assert organiser_client.get("/organiser/visits/cic-stoke/publish").status_code == 405
    assert stored_visit(db, "cic-stoke").status is VisitStatus.DRAFT


# --- who may see what ------------------------------------------------------------------


VISIT_URLS = [
    ("get", "/organiser/visits/cic-stoke/"),
    ("get", "/organiser/visits/cic-stoke/edit"),
    ("post", "/organiser/visits/cic-stoke/edit"),
    ("post", "/organiser/visits/cic-stoke/publish"),
    ("post", "/organiser/visits/cic-stoke/unpublish"),
    ("post", "/organiser/visits/cic-stoke/cancel"),
    ("get", "/organiser/visits/cic-stoke/venues/new"),
    ("post", "/organiser/visits/cic-stoke/venues/new"),
    ("get", "/organiser/visits/cic-stoke/venues/{venue}/edit"),
    ("post", "/organiser/visits/cic-stoke/venues/{venue}/edit"),
    ("post", "/organiser/visits/cic-stoke/venues/{venue}/delete"),
    ("get", "/organiser/visits/cic-stoke/items/new"),
    ("post", "/organiser/visits/cic-stoke/items/new"),
    ("get", "/organiser/visits/cic-stoke/items/{item}/edit"),
    ("post", "/organiser/visits/cic-stoke/items/{item}/edit"),
    ("post", "/organiser/visits/cic-stoke/items/{item}/duplicate"),
    ("post", "/organiser/visits/cic-stoke/items/{item}/cancel"),
    ("post", "/organiser/visits/cic-stoke/items/{item}/reinstate"),
    ("post", "/organiser/visits/cic-stoke/items/{item}/delete"),
]


@pytest.mark.parametrize(("method", "url"), VISIT_URLS)
def test_an_organiser_not_on_the_visit_gets_404_and_changes_nothing(
        client, organiser, db, method, url):
    visit = make_visit(organisers=[organiser], slug="cic-stoke", title="Not theirs")
    venue = make_venue(visit)
    item = make_item(visit, venue=venue)
    outsider = make_user(email="outsider@example.org")
    login(client, outsider)
    data = {**visit_form(slug="cic-stoke", title="Hijacked"), "name": "Hijacked",
            "kind": "talk", "starts_at": "2030-06-12T09:00", "ends_at": "2030-06-12T10:00"}
    response = getattr(client, method)(url.format(venue=venue.id, item=item.id), data=data)
    assert response.status_code == 404
    db.session.expire_all()
    visit = stored_visit(db, "cic-stoke")
    assert visit.title == "Not theirs"
    assert visit.status is VisitStatus.DRAFT
    assert db.session.get(Venue, venue.id).name == "Spode Works"
    stored_item = db.session.get(AgendaItem, item.id)
    assert (stored_item.title, stored_item.status, stored_item.sequence) == (
        "Welcome", ItemStatus.CONFIRMED, 0)
    assert db.session.scalar(select(func.count()).select_from(AgendaItem)) == 1
    assert db.session.scalar(select(func.count()).select_from(Venue)) == 1


@pytest.mark.parametrize("url", [
    "/organiser/visits/no-such-visit/",
    "/organiser/visits/%00/",
    "/organiser/visits/cic-stoke/venues/99999999999999999999/edit",
    "/organiser/visits/cic-stoke/items/99999999999999999999/edit",
    "/organiser/visits/cic-stoke/items/abc/edit",
])
def test_made_up_addresses_are_404(organiser_client, organiser, url):
    make_visit(organisers=[organiser], slug="cic-stoke")
    assert organiser_client.get(url).status_code == 404


def test_visit_page_queries_do_not_grow_with_the_agenda(
        organiser_client, organiser, count_queries):
    visit = make_visit(organisers=[organiser], slug="cic-stoke")
    venue = make_venue(visit, name="Venue 0")
    make_item(visit, "09:00", "10:00", venue=venue, hosts="Ada")
    with count_queries() as small:
        assert organiser_client.get("/organiser/visits/cic-stoke/").status_code == 200
    for n in range(1, 9):
        venue = make_venue(visit, name=f"Venue {n}")
        make_item(visit, f"{9 + n}:00", f"{9 + n}:30", day=n % 2, venue=venue, hosts="Ada")
    with count_queries() as large:
        response = organiser_client.get("/organiser/visits/cic-stoke/")
    assert response.status_code == 200
    assert "Venue 8" in page(response)
    assert large.count == small.count
