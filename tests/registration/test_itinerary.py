"""/r/<token>/itinerary: an attendee's own items in order, in the visit's local time,
with addresses, map links, access notes and the organisers' contact; nobody else's
sessions; a message instead for a cancelled registration; 404 for an erased one."""

from __future__ import annotations

import re
from datetime import date

import pytest

from eventsapp.agenda.models import ItemKind, ItemStatus
from eventsapp.extensions import db as _db
from eventsapp.registration.models import ItemSignup, RegistrationStatus, SignupStatus
from eventsapp.registration.rules import notices, own_page
from eventsapp.visits.models import VisitStatus
from tests.support import make_item, make_registration, make_venue, make_visit, page_text

SUMMER = date(2030, 6, 12)  # British Summer Time: 09:00 in London is 08:00Z


def url(registration) -> str:
    return f"/r/{notices.manage_token(registration)}/itinerary"


def sign_up(item, registration, status=SignupStatus.CONFIRMED):
    _db.session.add(ItemSignup(item_id=item.id, registration_id=registration.id,
                               status=status))
    _db.session.commit()


def titles(markup: str) -> list[str]:
    return [page_text(t) for t in re.findall(r'<h3 class="sheet-title">(.*?)</h3>', markup,
                                             re.S)]


@pytest.fixture
def world(app):
    visit = make_visit(slug="cic-stoke", status=VisitStatus.PUBLISHED, start_date=SUMMER,
                       title="Regions and Clusters: Stoke", host="Platform Creative Cluster",
                       contact_email="visits@platform.example")
    works = make_venue(visit, name="Spode Works", address="Elenora Street, ST4 1QQ",
                       latitude=53.0027, longitude=-2.1794,
                       access_notes="Step-free entrance; lift to every floor.")
    factory = make_venue(visit, name="Emma Bridgewater Factory",
                         address="Lichfield Street, Hanley ST1 3EJ")
    items = dict(
        lunch=make_item(visit, "12:00", "13:00", title="Lunch", kind=ItemKind.MEAL,
                        venue=factory),
        welcome=make_item(visit, "09:00", "09:30", title="Welcome", venue=works),
        tour=make_item(visit, "10:00", "11:00", title="Kiln tour", venue=works, capacity=10),
        studio=make_item(visit, "10:00", "11:00", title="Studio visit", venue=factory,
                         capacity=8),
        dinner=make_item(visit, "19:00", "21:00", title="Dinner", venue=factory, capacity=20),
        panel=make_item(visit, "09:30", "10:30", day=1, title="Skills panel", venue=factory),
        glaze=make_item(visit, "11:00", "11:30", day=1, title="Glaze talk",
                        status=ItemStatus.CANCELLED),
    )
    ada = make_registration(visit, full_name="Ada Delegate", organisation="DCMS")
    ben = make_registration(visit, full_name="Ben Other")
    sign_up(items["tour"], ada)
    sign_up(items["dinner"], ada, SignupStatus.WAITLISTED)
    sign_up(items["studio"], ada, SignupStatus.CANCELLED)  # left it
    sign_up(items["studio"], ben)
    return dict(visit=visit, ada=ada, ben=ben, **items)


def test_the_attendees_items_in_order_with_places_and_local_times(client, world):
    response = client.get(url(world["ada"]))
    assert response.status_code == 200
    markup = response.get_data(as_text=True)
    assert titles(markup) == ["Welcome", "Kiln tour", "Lunch", "Dinner", "Skills panel",
                              "Glaze talk Cancelled"]
    text = page_text(markup)
    assert "Your itinerary: Regions and Clusters: Stoke" in text
    assert "For Ada Delegate, DCMS" in text
    assert "times in Europe/London time" in text
    assert text.index("Wednesday 12 June 2030") < text.index("09:00–09:30 BST Welcome") \
        < text.index("10:00–11:00 BST Kiln tour") < text.index("12:00–13:00 BST Lunch") \
        < text.index("Thursday 13 June 2030") < text.index("09:30–10:30 BST Skills panel")
    assert ("Where Spode Works, Elenora Street, ST4 1QQ · Map of Spode Works Access "
            "Step-free entrance; lift to every floor.") in text
    assert "Emma Bridgewater Factory, Lichfield Street, Hanley ST1 3EJ" in text
    assert "https://www.openstreetmap.org/?mlat=53.002700&amp;mlon=-2.179400" in markup
    assert "You have a place on this session." in text
    assert "Dinner You're on the waiting list for this session." in text
    assert "<s>Glaze talk</s>" in markup
    assert ("Hosted by Platform Creative Cluster. Questions, or running late? Email the "
            "organisers at visits@platform.example") in text
    assert 'href="mailto:visits@platform.example"' in markup


def test_another_attendees_sessions_are_absent(client, world):
    ada = page_text(client.get(url(world["ada"])).get_data(as_text=True))
    assert "Studio visit" not in ada
    ben = client.get(url(world["ben"])).get_data(as_text=True)
    assert titles(ben) == ["Welcome", "Studio visit", "Lunch", "Skills panel",
                           "Glaze talk Cancelled"]
    assert "Ada Delegate" not in ben


def test_waiting_for_a_place_on_the_visit_says_so(client, world):
    cy = make_registration(world["visit"], status=RegistrationStatus.WAITLISTED,
                           full_name="Cy Waiting")
    text = page_text(client.get(url(cy)).get_data(as_text=True))
    assert "You're on the waiting list at position 1." in text
    assert "This is what you will attend if a place becomes free" in text
    assert "Welcome" in text


def test_a_cancelled_registration_has_a_message_and_no_itinerary(client, world):
    own_page.cancel(notices.manage_token(world["ada"]))
    response = client.get(url(world["ada"]))
    assert response.status_code == 200
    markup = response.get_data(as_text=True)
    assert "This registration is cancelled" in page_text(markup)
    assert "there is no itinerary to show" in page_text(markup)
    assert titles(markup) == []
    assert "Kiln tour" not in markup


def test_an_erased_registration_or_a_made_up_link_is_a_404_that_says_so(client, world):
    token = notices.manage_token(world["ada"])
    own_page.erase(token)
    for path in (f"/r/{token}/itinerary", "/r/not-a-real-token/itinerary",
                 f"/r/{'A' * 43}/itinerary"):
        response = client.get(path)
        assert response.status_code == 404
        text = page_text(response.get_data(as_text=True))
        assert "No itinerary at this link" in text
        assert "Kiln tour" not in text


def test_the_private_page_links_to_the_itinerary_which_is_kept_private(client, world):
    token = notices.manage_token(world["ada"])
    manage = client.get(f"/r/{token}").get_data(as_text=True)
    assert f'href="/r/{token}/itinerary"' in manage
    response = client.get(f"/r/{token}/itinerary")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert f'href="/r/{token}"' in response.get_data(as_text=True)  # back to the page


def test_a_fixed_number_of_queries(client, world, count_queries, db):
    path = url(world["ada"])
    client.get(path)
    db.session.remove()
    with count_queries() as few:
        client.get(path)
    from eventsapp.registration.models import Registration
    from eventsapp.visits.models import Visit

    visit = db.session.get(Visit, world["visit"].id)
    ada = db.session.get(Registration, world["ada"].id)
    venue = make_venue(visit, name="Another venue")
    for n in range(8):
        item = make_item(visit, f"{14 + n}:00", f"{14 + n}:30", title=f"Extra {n}",
                         venue=venue, capacity=5 if n % 2 else None)
        if n % 2:
            sign_up(item, ada)
    db.session.remove()
    with count_queries() as many:
        response = client.get(path)
    assert "Extra 7" in page_text(response.get_data(as_text=True))
    assert many.count == few.count, "\n".join(many.statements)
