"""The organiser's change log and notices pages: /organiser/visits/<slug>/changes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from eventsapp.agenda import rules as agenda
from eventsapp.agenda.models import ItemKind, ItemStatus
from eventsapp.extensions import db
from eventsapp.registration.rules import notices
from eventsapp.showcase.models import BookingFormat
from eventsapp.showcase.rules import booking as showcase_booking
from eventsapp.showcase.rules.common import BookingInput
from eventsapp.timezones import to_local, zone_abbreviation
from eventsapp.visits import changelog as changes_log
from eventsapp.visits.models import ChangeArea, NoticeState
from tests.changes.support import changes, day_label, edit, move, outbox, published_world
from tests.conftest import login
from tests.support import (
    make_business,
    make_item,
    make_member,
    make_registration,
    make_showcase,
    make_user,
    page_text,
)

D = day_label()
URL = "/organiser/visits/cic-stoke/changes"


@pytest.fixture
def world(organiser):
    return published_world(organiser)


def test_the_log_lists_every_change_newest_first_with_old_and_new(
        organiser_client, organiser, world):
    edit(organiser, world.tour, venue_id=world.middleport.id)
    agenda.set_item_status(organiser, "cic-stoke", world.panel.id, ItemStatus.CANCELLED)
    response = organiser_client.get(URL)
    assert response.status_code == 200
    page = page_text(response)
    assert page.index("Cancelled “Panel”") < page.index("Changed “Studio tour”: venue")
    assert "Venue: Spode Works → Middleport Pottery" in page
    assert "Status: Confirmed → Cancelled" in page
    assert response.get_data(as_text=True).count("<td>Olu Organiser</td>") == 2
    made = changes(world.visit)[0].created_at
    assert (f"{to_local(made, world.visit.zone):%a %d %b %Y %H:%M} "
            f"{zone_abbreviation(made, world.visit.zone)}") in page
    assert "Notice waiting" in page


def test_the_pending_panel_says_how_many_and_when(organiser_client, organiser, world):
    assert "No notices waiting" in page_text(organiser_client.get(URL))
    move(organiser, world.tour, "10:30", "11:30")
    move(organiser, world.welcome, "09:15", "10:00")
    due = to_local(changes(world.visit)[-1].created_at + timedelta(minutes=10),
                   world.visit.zone)
    page = page_text(organiser_client.get(URL))
    assert "2 changes waiting to be emailed" in page
    assert (f"They go out together at {due:%a %d %b %H:%M} "
            f"{zone_abbreviation(due, world.visit.zone)}, 10 minutes after") in page
    assert "Preview the emails" in page and "Notify now" in page


def test_filter_by_area(organiser_client, organiser, world):
    edit(organiser, world.tour, title="Factory tour")
    changes_log.record(world.visit, organiser, ChangeArea.VENUES, "venue_added",
                     "Added the venue Gladstone")
    db.session.commit()
    page = page_text(organiser_client.get(f"{URL}?area=venues"))
    assert "Added the venue Gladstone" in page and "Factory tour" not in page
    page = page_text(organiser_client.get(f"{URL}?area=agenda"))
    assert "Added the venue Gladstone" not in page and "Factory tour" in page
    # An unknown area or page shows everything, never an error.
    page = page_text(organiser_client.get(f"{URL}?area=nonsense&page=-3"))
    assert "Added the venue Gladstone" in page and "Factory tour" in page


def test_fifty_changes_a_page(organiser_client, organiser, world, count_queries):
    for n in range(120):
        changes_log.record(world.visit, organiser, ChangeArea.VISIT, "test", f"Change number {n}")
    db.session.commit()
    with count_queries() as counted:
        first = page_text(organiser_client.get(URL))
    assert "Change number 119" in first and "Change number 70 " in first
    assert "Change number 69 " not in first
    assert "Page 1 of 3 (120 changes)" in first and "Older changes" in first
    last = page_text(organiser_client.get(f"{URL}?page=3"))
    assert "Change number 19 " in last and "Change number 0 " in last
    assert "Change number 20 " not in last and "Newer changes" in last
    assert "Change number 0 " in page_text(organiser_client.get(f"{URL}?page=999"))
    assert counted.count < 15


def test_preview_shows_each_persons_email_and_sends_nothing(organiser_client, organiser,
                                                            world):
    ada = make_registration(world.visit, email="ada@example.org", full_name="Ada Lovelace")
    move(organiser, world.welcome, "09:15", "10:00")
    response = organiser_client.get(f"{URL}/preview")
    assert response.status_code == 200
    page = page_text(response)
    assert "To ada@example.org" in page
    assert "Subject: Changes to Regions and Clusters delegation" in page
    assert f"Welcome: moved from {D} 09:00–09:45 BST to 09:15–10:00 BST" in page
    assert "(their private link, /r/…, goes here)" in page
    assert notices.manage_url(ada) not in page  # the attendee's alone, even here
    assert outbox() == []
    assert changes(world.visit)[0].notice is NoticeState.PENDING


def test_notify_now(organiser_client, organiser, world):
    make_registration(world.visit, email="ada@example.org")
    move(organiser, world.welcome, "09:15", "10:00")
    response = organiser_client.post(f"{URL}/notify")
    assert response.status_code == 303 and response.location.endswith(URL)
    assert "1 email is on its way" in page_text(organiser_client.get(URL))
    assert [m.to for m in outbox()] == ["ada@example.org"]
    assert changes(world.visit)[0].notice is NoticeState.SENT
    organiser_client.post(f"{URL}/notify")
    assert "no changes waiting" in page_text(organiser_client.get(URL))
    assert len(outbox()) == 1


def test_the_agenda_page_links_to_the_change_log(organiser_client, world):
    page = organiser_client.get("/organiser/visits/cic-stoke/agenda").get_data(as_text=True)
    assert f'href="{URL}"' in page


def test_other_people_cannot_see_or_notify(client, organiser, world):
    other = make_user(email="other@example.org")
    login(client, other)
    assert client.get(URL).status_code == 404
    assert client.get(f"{URL}/preview").status_code == 404
    assert client.post(f"{URL}/notify").status_code == 404


def test_a_business_ending_in_s_owns_its_booking_with_an_apostrophe(organiser_client,
                                                                     organiser, world):
    """"Marl Hill Games' booking", not "Games's booking"."""
    item = make_item(world.visit, "13:00", "14:00", title="Makers' showcase",
                     kind=ItemKind.SHOWCASE)
    show = make_showcase(item, slot_minutes=10, buffer_minutes=0)
    games = make_member(make_business(name="Marl Hill Games"), email="gwen@marlhill.example")
    showcase_booking.book(games, show.slots[0].id, BookingInput(
        title="Dice from clay", description="", format=BookingFormat.DEMO, equipment=[],
        people=""))
    page = page_text(organiser_client.get(URL))
    assert f"Marl Hill Games' booking at {D} 13:00–13:10 BST" in page
    assert "Games's" not in page
