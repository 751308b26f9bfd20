"""The agenda builder: items in the visit's wall time, their changes and the warnings."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from eventsapp.agenda.models import AgendaItem, ItemKind, ItemStatus
from eventsapp.visits.models import VisitStatus
from tests.support import make_item, make_venue, make_visit

NEW = "/organiser/visits/cic-stoke/items/new"
AGENDA = "/organiser/visits/cic-stoke/agenda"


def item_form(**overrides) -> dict:
    form = {
        "kind": "talk",
        "title": "Opening keynote",
        "starts_at": "2030-06-12T09:30",
        "ends_at": "2030-06-12T10:15",
        "venue_id": "",
        "hosts": "Dr Ada Lovelace\r\n\r\n  Grace Hopper  \r\n",
        "description": "Why clusters matter.",
        "capacity": "",
    }
    form.update(overrides)
    return form


def items(db) -> list[AgendaItem]:
    db.session.expire_all()
    return list(db.session.scalars(select(AgendaItem).order_by(AgendaItem.id)))


def item_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(AgendaItem))


def page(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def visit(organiser):
    return make_visit(organisers=[organiser], slug="cic-stoke",
                      start_date=date(2030, 6, 12), end_date=date(2030, 6, 13))


# --- adding ----------------------------------------------------------------------------


def test_new_item_form_labels_times_with_the_zone_and_lists_venues(organiser_client, visit):
    make_venue(visit, name="Spode Works")
    text = page(organiser_client.get(NEW + "?day=2030-06-13"))
    assert 'for="starts_at">Starts (Europe/London time)' in text
    assert 'for="ends_at">Ends (Europe/London time)' in text
    assert 'value="2030-06-13T09:00"' in text  # the day asked for
    assert '<option selected value="">No venue</option>' in text
    assert ">Spode Works</option>" in text
    for kind in ItemKind:
        assert f'value="{kind.value}"' in text
    for name, label in [("kind", "Kind"), ("title", "Title"), ("venue_id", "Venue"),
                        ("hosts", "Hosts"), ("description", "Description"),
                        ("capacity", "Capacity")]:
        assert f'<label for="{name}">{label}' in text


def test_new_item_ignores_a_junk_day(organiser_client, visit):
    for day in ("junk", "1999-01-01", "2030-13-45"):
        response = organiser_client.get(f"{NEW}?day={day}")
        assert response.status_code == 200
        assert 'value="2030-06-12T09:00"' in page(response)


@pytest.mark.parametrize(("start_date", "wall", "utc", "label"), [
    (date(2030, 6, 12), "2030-06-12T09:30", datetime(2030, 6, 12, 8, 30, tzinfo=UTC),
     "09:30–11:45 BST"),
    (date(2030, 1, 15), "2030-01-15T09:30", datetime(2030, 1, 15, 9, 30, tzinfo=UTC),
     "09:30–11:45 GMT"),
    # 27 October 2030: 01:30 happens twice; the first (BST) is meant. The clocks go back
    # before 11:45, so each end is named with its own zone.
    (date(2030, 10, 26), "2030-10-27T01:30", datetime(2030, 10, 27, 0, 30, tzinfo=UTC),
     "01:30 BST – 11:45 GMT"),
])
def test_item_times_are_london_wall_times_stored_as_utc(
        organiser_client, organiser, db, start_date, wall, utc, label):
    make_visit(organisers=[organiser], slug="cic-stoke", start_date=start_date)
    ends = wall[:-5] + "11:45"
    response = organiser_client.post(NEW, data=item_form(starts_at=wall, ends_at=ends))
    assert response.status_code == 302
    [item] = items(db)
    assert item.starts_at == utc
    shown = page(organiser_client.get(AGENDA))
    assert label in shown


def test_an_item_in_tokyo_is_labelled_and_stored_in_tokyo_time(organiser_client, organiser, db):
    make_visit(organisers=[organiser], slug="cic-stoke", timezone="Asia/Tokyo",
               start_date=date(2030, 6, 12))
    assert 'for="starts_at">Starts (Asia/Tokyo time)' in page(organiser_client.get(NEW))
    organiser_client.post(NEW, data=item_form())
    assert items(db)[0].starts_at == datetime(2030, 6, 12, 0, 30, tzinfo=UTC)


def test_add_item_stores_every_answer(organiser_client, visit, db):
    venue = make_venue(visit, name="Spode Works")
    response = organiser_client.post(NEW, data=item_form(
        kind="panel", title="  Opening keynote ", venue_id=str(venue.id), capacity="40"))
    assert response.status_code == 302
    [item] = items(db)
    assert response.headers["Location"] == (
        f"/organiser/visits/cic-stoke/agenda?added={item.id}#item-{item.id}")
    assert item.visit_id == visit.id
    assert item.kind is ItemKind.PANEL
    assert item.title == "Opening keynote"
    assert (item.starts_at, item.ends_at) == (
        datetime(2030, 6, 12, 8, 30, tzinfo=UTC), datetime(2030, 6, 12, 9, 15, tzinfo=UTC))
    assert item.venue_id == venue.id
    assert item.hosts == "Dr Ada Lovelace\nGrace Hopper"
    assert item.description == "Why clusters matter."
    assert item.capacity == 40
    assert (item.status, item.sequence) == (ItemStatus.CONFIRMED, 0)
    shown = page(organiser_client.get(AGENDA))
    assert "Dr Ada Lovelace, Grace Hopper" in shown
    assert "Capacity 40" in shown
    assert "Spode Works" in shown


def test_add_item_without_venue_or_capacity(organiser_client, visit, db):
    organiser_client.post(NEW, data=item_form(venue_id="", capacity="  "))
    [item] = items(db)
    assert (item.venue_id, item.capacity) == (None, None)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"title": ""}, "Enter a title"),
    ({"title": "t" * 201}, "Title must be 200 characters or fewer"),
    ({"hosts": "h" * 501}, "Hosts must be 500 characters or fewer"),
    ({"description": "d" * 5001}, "Description must be 5,000 characters or fewer"),
    ({"kind": "lecture"}, "Choose what kind of item this is"),
    ({"kind": ""}, "Choose what kind of item this is"),
    ({"starts_at": ""}, "Enter when it starts"),
    ({"starts_at": "9.30am"}, "Enter the start as a date and time"),
    ({"ends_at": "2030-06-31T10:00"}, "Enter the end as a date and time"),
    ({"starts_at": "0001-01-01T00:30"}, "Enter a date between 2000 and 2100"),
    ({"ends_at": "9999-12-31T23:59"}, "Enter a date between 2000 and 2100"),
    ({"ends_at": "2030-06-12T09:30"}, "The end must be after the start."),
    ({"ends_at": "2030-06-12T08:00"}, "The end must be after the start."),
    ({"capacity": "abc"}, "Capacity must be a whole number, e.g. 40"),
    ({"capacity": "1e999"}, "Capacity must be a whole number, e.g. 40"),
    ({"capacity": "2.5"}, "Capacity must be a whole number, e.g. 40"),
    ({"capacity": "0"}, "Capacity must be a whole number from 1 to 100,000"),
    ({"capacity": "-3"}, "Capacity must be a whole number from 1 to 100,000"),
    ({"capacity": "99999999999999999999"}, "Capacity must be a whole number from 1 to 100,000"),
    ({"venue_id": "abc"}, "Choose one of this visit&#39;s venues, or No venue"),
    ({"venue_id": "99999999999999999999"}, "Choose one of this visit&#39;s venues, or No venue"),
    ({"venue_id": str(2**31)}, "Choose one of this visit&#39;s venues, or No venue"),
    ({"venue_id": str(2**63)}, "Choose one of this visit&#39;s venues, or No venue"),
])
def test_add_item_refuses_bad_answers_without_saving(
        organiser_client, visit, db, overrides, message):
    response = organiser_client.post(NEW, data=item_form(**overrides))
    assert response.status_code == 422
    text = page(response)
    assert message in text
    assert "Please correct the highlighted" in text
    kept = "Dr Ada Lovelace" if "description" in overrides else "Why clusters matter."
    assert kept in text  # the answers are kept
    assert item_count(db) == 0


def test_a_venue_of_another_visit_is_refused(organiser_client, organiser, visit, db):
    other = make_visit(organisers=[organiser], slug="cic-hull")
    elsewhere = make_venue(other, name="Hull venue")
    response = organiser_client.post(NEW, data=item_form(venue_id=str(elsewhere.id)))
    assert response.status_code == 422
    assert "Choose one of this visit&#39;s venues" in page(response)
    assert item_count(db) == 0


def test_a_wall_time_skipped_by_the_clocks_is_refused(organiser_client, organiser, db):
    # 30 March 2025, the last Sunday of March: London goes from 01:00 straight to 02:00.
    make_visit(organisers=[organiser], slug="cic-stoke", start_date=date(2025, 3, 29),
               end_date=date(2025, 3, 30))
    response = organiser_client.post(NEW, data=item_form(
        starts_at="2025-03-30T01:30", ends_at="2025-03-30T03:00"))
    assert response.status_code == 422
    assert "01:30 on 30 March 2025 does not exist in Europe/London" in page(response)
    assert item_count(db) == 0


def test_a_clash_is_saved_and_flashed_as_a_warning(organiser_client, visit, db):
    venue = make_venue(visit, name="Spode Works")
    make_item(visit, "09:00", "10:00", title="Coffee", venue=venue)
    response = organiser_client.post(NEW, data=item_form(venue_id=str(venue.id)),
                                     follow_redirects=True)
    assert response.status_code == 200
    assert item_count(db) == 2
    text = page(response)
    assert 'class="flash flash-warning"' in text
    assert "“Coffee” and “Opening keynote” overlap at Spode Works" in text


# --- the agenda page and its warnings ---------------------------------------------------


def test_the_four_warnings_are_listed_and_shown_by_their_items(organiser_client, visit):
    a = make_venue(visit, name="Alpha Hall")
    b = make_venue(visit, name="Beta Studio")
    make_item(visit, "09:00", "10:00", title="Keynote", venue=a)
    make_item(visit, "09:30", "10:30", title="Studio tour", venue=a)
    make_item(visit, "11:00", "12:00", title="Panel", venue=a, hosts="Ada Lovelace")
    make_item(visit, "11:30", "12:30", title="Workshop", venue=b, hosts="ada lovelace")
    make_item(visit, "13:00", "14:00", title="Lunch", venue=a)
    make_item(visit, "14:00", "15:00", title="Factory visit", venue=b)
    make_item(visit, "18:00", "19:00", day=-1, title="Early dinner")
    text = page(organiser_client.get(AGENDA))
    assert "Things to check" in text
    assert "“Keynote” and “Studio tour” overlap at Alpha Hall" in text
    assert "Ada Lovelace hosts both “Panel” (Wed 11:00) and “Workshop” (Wed 11:30)" in text
    assert ("“Lunch” at Alpha Hall ends as “Factory visit” starts at Beta Studio (Wed 14:00), "
            "with no travel item or gap between them.") in text
    assert "“Early dinner” (11 Jun 18:00) falls outside the visit" in text
    # Next to the items concerned: 2 + 2 + 2 + 1.
    assert text.count("<strong>Check:</strong>") == 7
    assert "Tuesday 11 June 2030" in text  # the day outside the visit is shown too


def test_a_clean_agenda_has_nothing_to_check(organiser_client, visit):
    make_item(visit, "09:00", "10:00", title="Keynote")
    text = page(organiser_client.get(AGENDA))
    assert "Keynote" in text
    assert "Things to check" not in text
    assert "<strong>Check:</strong>" not in text


def test_agenda_is_shown_day_by_day_with_empty_days(organiser_client, visit):
    make_item(visit, "09:00", "10:00", day=1, title="Second day talk")
    text = page(organiser_client.get(AGENDA))
    assert text.index("Wednesday 12 June 2030") < text.index("Thursday 13 June 2030")
    assert text.index("Nothing on this day yet.") < text.index("Second day talk")


# --- editing ---------------------------------------------------------------------------


def test_edit_item_shows_wall_times_and_saves_changes(organiser_client, visit, db):
    venue = make_venue(visit, name="Spode Works")
    item = make_item(visit, "09:30", "10:15", title="Keynote", hosts="Ada", capacity=30)
    url = f"/organiser/visits/cic-stoke/items/{item.id}/edit"
    form = page(organiser_client.get(url))
    assert 'value="2030-06-12T09:30"' in form
    assert 'value="2030-06-12T10:15"' in form
    assert 'value="Keynote"' in form
    assert 'value="30"' in form
    response = organiser_client.post(url, data=item_form(
        title="Keynote, moved", starts_at="2030-06-13T14:00", ends_at="2030-06-13T15:00",
        venue_id=str(venue.id), capacity=""))
    assert response.status_code == 302
    [stored] = items(db)
    assert stored.title == "Keynote, moved"
    assert stored.starts_at == datetime(2030, 6, 13, 13, 0, tzinfo=UTC)
    assert (stored.venue_id, stored.capacity) == (venue.id, None)
    assert stored.sequence == 1  # the time and place changed


def test_edit_item_refuses_an_end_before_the_start(organiser_client, visit, db):
    item = make_item(visit, "09:30", "10:15", title="Keynote")
    response = organiser_client.post(
        f"/organiser/visits/cic-stoke/items/{item.id}/edit",
        data=item_form(title="Changed", starts_at="2030-06-12T11:00", ends_at="2030-06-12T10:00"))
    assert response.status_code == 422
    assert "The end must be after the start." in page(response)
    [stored] = items(db)
    assert (stored.title, stored.sequence) == ("Keynote", 0)


def test_duplicate_makes_a_copy_with_a_new_uid(organiser_client, visit, db):
    venue = make_venue(visit)
    item = make_item(visit, "09:30", "10:15", title="Keynote", venue=venue, hosts="Ada")
    response = organiser_client.post(f"/organiser/visits/cic-stoke/items/{item.id}/duplicate")
    assert response.status_code == 302
    original, copy = items(db)
    assert response.headers["Location"] == f"/organiser/visits/cic-stoke/items/{copy.id}/edit"
    assert copy.title == "Keynote (copy)"
    assert copy.uid != original.uid
    assert (copy.starts_at, copy.ends_at, copy.venue_id, copy.hosts) == (
        original.starts_at, original.ends_at, original.venue_id, original.hosts)
    assert copy.sequence == 0


def test_cancel_and_reinstate_an_item(organiser_client, visit, db):
    item = make_item(visit, "09:30", "10:15", title="Keynote")
    response = organiser_client.post(f"/organiser/visits/cic-stoke/items/{item.id}/cancel",
                                     follow_redirects=True)
    [stored] = items(db)
    assert (stored.status, stored.sequence) == (ItemStatus.CANCELLED, 1)
    text = page(response)
    assert f'class="agenda-item is-cancelled" id="item-{item.id}"' in text
    assert '<span class="badge badge-cancelled">Cancelled</span>' in text
    assert f'action="/organiser/visits/cic-stoke/items/{item.id}/reinstate"' in text

    response = organiser_client.post(f"/organiser/visits/cic-stoke/items/{item.id}/reinstate",
                                     follow_redirects=True)
    [stored] = items(db)
    assert (stored.status, stored.sequence) == (ItemStatus.CONFIRMED, 2)
    assert "is-cancelled" not in page(response)


def test_delete_an_item_of_a_never_published_visit_removes_it(organiser_client, visit, db):
    item = make_item(visit, title="Keynote")
    page_before = page(organiser_client.get(AGENDA))
    assert 'data-confirm="Delete “Keynote”?"' in page_before
    response = organiser_client.post(f"/organiser/visits/cic-stoke/items/{item.id}/delete")
    assert response.status_code == 302
    assert item_count(db) == 0


@pytest.mark.parametrize("status", [VisitStatus.PUBLISHED, VisitStatus.DRAFT])
def test_delete_an_item_of_a_once_published_visit_keeps_a_tombstone(
        organiser_client, organiser, db, status):
    visit = make_visit(organisers=[organiser], slug="cic-stoke", status=status,
                       first_published_at=datetime(2030, 1, 1, tzinfo=UTC))
    item = make_item(visit, title="Keynote")
    url = f"/organiser/visits/cic-stoke/items/{item.id}/delete"
    response = organiser_client.post(url, follow_redirects=True)
    assert response.status_code == 200
    [stored] = items(db)
    assert stored.deleted_at is not None
    assert (stored.status, stored.sequence) == (ItemStatus.CANCELLED, 1)
    assert "Keynote" not in page(response).split("Deleted the agenda item.")[1]
    # A tombstone cannot be edited or deleted again.
    assert organiser_client.post(url).status_code == 404
    assert organiser_client.get(
        f"/organiser/visits/cic-stoke/items/{item.id}/edit").status_code == 404


def test_an_item_of_another_visit_is_404(organiser_client, organiser, visit, db):
    other = make_visit(organisers=[organiser], slug="cic-hull")
    item = make_item(other, title="Hull talk")
    assert organiser_client.get(
        f"/organiser/visits/cic-stoke/items/{item.id}/edit").status_code == 404
    assert organiser_client.post(
        f"/organiser/visits/cic-stoke/items/{item.id}/cancel").status_code == 404
    assert items(db)[0].status is ItemStatus.CONFIRMED


def test_only_the_first_warnings_are_flashed_so_the_session_cookie_stays_small(
        organiser_client, visit, db):
    venue = make_venue(visit, name="Spode Works")
    for n in range(5):
        make_item(visit, "09:00", "10:00", title=f"Session {n}", venue=venue)
    response = organiser_client.post(NEW, data=item_form(venue_id=str(venue.id)),
                                     follow_redirects=True)
    assert item_count(db) == 6
    text = page(response)
    assert text.count('class="flash flash-warning"') == 4
    assert "And 2 more: see “Things to check” on the agenda." in text
    # The agenda itself shows all 15 clashes of the six items, by each of the two items.
    assert text.count("<strong>Check:</strong>") == 30


def test_the_agenda_has_its_own_page_marked_current_and_the_overview_a_summary(
        organiser_client, visit):
    hall = make_venue(visit, name="Alpha Hall")
    keynote = make_item(visit, "09:00", "10:00", title="Keynote", venue=hall)
    make_item(visit, "09:30", "10:30", title="Studio tour", venue=hall)
    text = page(organiser_client.get(AGENDA))
    assert "<h1>Agenda</h1>" in text
    assert '<a href="/organiser/visits/cic-stoke/agenda" aria-current="page">Agenda</a>' in text
    # Each item with its controls and warnings.
    for action in ("edit", "duplicate", "cancel", "delete"):
        assert f"/organiser/visits/cic-stoke/items/{keynote.id}/{action}" in text
    assert text.count("<strong>Check:</strong>") == 2 and "Things to check" in text

    overview = page(organiser_client.get("/organiser/visits/cic-stoke/"))
    assert '<a href="/organiser/visits/cic-stoke/agenda">Agenda</a>' in overview
    assert "2 items over 2 days" in overview
    assert "Keynote" not in overview and "<strong>Check:</strong>" not in overview
    assert f"/items/{keynote.id}/edit" not in overview
