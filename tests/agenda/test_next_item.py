"""A new item starts where the day's last item ended, at its venue, as long as its kind."""

from __future__ import annotations

from datetime import date

import pytest

from eventsapp.agenda.models import ItemKind
from tests.agenda.test_organiser_agenda import item_form, items, page
from tests.support import make_item, make_venue, make_visit

NEW = "/organiser/visits/cic-stoke/items/new"


@pytest.fixture
def visit(organiser):
    return make_visit(organisers=[organiser], slug="cic-stoke",
                      start_date=date(2030, 6, 12), end_date=date(2030, 6, 13))


def test_empty_visit_starts_at_nine_on_the_first_day(organiser_client, visit):
    text = page(organiser_client.get(NEW))
    assert 'value="2030-06-12T09:00"' in text
    assert 'value="2030-06-12T10:00"' in text


def test_next_item_starts_when_the_days_last_item_ends_at_its_venue(organiser_client, visit):
    works = make_venue(visit, name="Spode Works")
    make_venue(visit, name="Middleport Pottery")
    make_item(visit, "09:30", "10:15", kind=ItemKind.TALK, venue=works)
    make_item(visit, "10:15", "11:00", kind=ItemKind.PANEL, venue=works, title="Panel")
    make_item(visit, "08:00", "08:45", day=1, kind=ItemKind.TALK, title="Day two")
    text = page(organiser_client.get(NEW + "?day=2030-06-12"))
    assert 'value="2030-06-12T11:00"' in text  # where the panel ended
    assert 'value="2030-06-12T11:45"' in text  # a talk lasts 45 minutes here
    assert f'<option selected value="{works.id}">Spode Works</option>' in text
    # ?kind= picks the length of that kind
    text = page(organiser_client.get(NEW + "?day=2030-06-12&kind=panel"))
    assert 'value="2030-06-12T11:45"' in text
    assert '<option selected value="panel">Panel</option>' in text


def test_an_empty_day_starts_when_the_day_before_started(organiser_client, visit):
    make_item(visit, "08:30", "09:00")
    text = page(organiser_client.get(NEW + "?day=2030-06-13"))
    assert 'value="2030-06-13T08:30"' in text
    assert 'value="2030-06-13T09:00"' in text


def test_cancelled_items_leave_their_time_free(organiser_client, visit):
    from eventsapp.agenda.models import ItemStatus

    make_item(visit, "09:00", "10:00")
    make_item(visit, "10:00", "12:00", status=ItemStatus.CANCELLED)
    assert 'value="2030-06-12T10:00"' in page(organiser_client.get(NEW + "?day=2030-06-12"))


def test_a_day_outside_the_visit_falls_back_to_the_first_day(organiser_client, visit):
    text = page(organiser_client.get(NEW + "?day=2031-01-01"))
    assert 'value="2030-06-12T09:00"' in text
    assert page(organiser_client.get(NEW + "?day=junk&kind=junk&after=x")).count(
        'value="2030-06-12T09:00"') == 1


def test_after_saving_add_the_next_item_opens_it_prefilled(organiser_client, visit, db):
    venue = make_venue(visit, name="Spode Works")
    response = organiser_client.post(NEW, data=item_form(
        kind="talk", title="Opening", starts_at="2030-06-13T09:30", ends_at="2030-06-13T10:10",
        venue_id=str(venue.id)))
    [item] = items(db)
    visit_page = page(organiser_client.get(response.headers["Location"]))
    next_url = f"{NEW}?after={item.id}"
    assert f'href="{next_url}">Add the next item</a>' in visit_page.replace("&amp;", "&")
    text = page(organiser_client.get(next_url))
    assert 'value="2030-06-13T10:10"' in text
    assert 'value="2030-06-13T10:50"' in text  # as long as the last talk
    assert f'<option selected value="{venue.id}">Spode Works</option>' in text
    # a later visit of the page (no ?added=) does not offer it
    later = page(organiser_client.get("/organiser/visits/cic-stoke/agenda"))
    assert "Opening" in later and "Add the next item" not in later


def test_the_day_choice_carries_every_days_defaults_for_the_script(organiser_client, visit):
    make_item(visit, "09:00", "09:20", kind=ItemKind.BREAK, day=1)
    text = page(organiser_client.get(NEW + "?day=2030-06-13&kind=break"))
    assert '<option value="2030-06-12">' in text and 'selected>Thursday 13 June 2030' in text
    assert "&#34;2030-06-13&#34;: {&#34;ends_at&#34;: &#34;2030-06-13T09:40&#34;" in text or \
        '"2030-06-13": {"ends_at": "2030-06-13T09:40"' in text
    assert '"break": 20' in text.replace("&#34;", '"')


def test_dst_day_start_is_a_wall_time(organiser_client, organiser):
    # The clocks go forward at 01:00 UTC on 30 March 2031 in London.
    make_visit(organisers=[organiser], slug="spring", start_date=date(2031, 3, 29),
               end_date=date(2031, 3, 30))
    text = page(organiser_client.get("/organiser/visits/spring/items/new?day=2031-03-30"))
    assert 'value="2031-03-30T09:00"' in text
