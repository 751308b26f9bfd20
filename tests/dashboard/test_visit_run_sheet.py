"""The organiser's printable run sheet of a whole visit: every live item by day in
local time order, venues with addresses and access notes, hosts, sign-up counts,
showcase bookings, cancelled items marked, and a fixed number of queries."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from eventsapp.agenda.models import ItemKind, ItemStatus
from eventsapp.extensions import db as _db
from eventsapp.registration.models import ItemSignup, RegistrationStatus, SignupStatus
from eventsapp.visits.models import VisitStatus
from tests.support import (
    make_booking,
    make_business,
    make_item,
    make_registration,
    make_showcase,
    make_venue,
    make_visit,
    page_text,
)

SUMMER = date(2030, 6, 12)  # British Summer Time: 09:00 in London is 08:00Z
BASE = "/organiser/visits/cic-stoke"


def block(markup: str, element_id: str) -> str:
    match = re.search(rf'<li class="([^"]*)" id="{element_id}">(.*?)</li>\s*(?=<li|</ol>)',
                      markup, re.S)
    assert match, f"no {element_id}"
    return match.group(1) + " | " + page_text(match.group(2))


def sign_up(item, registration, status=SignupStatus.CONFIRMED):
    _db.session.add(ItemSignup(item_id=item.id, registration_id=registration.id,
                               status=status))
    _db.session.commit()


@pytest.fixture
def world(organiser):
    visit = make_visit(organisers=[organiser], slug="cic-stoke", status=VisitStatus.PUBLISHED,
                       start_date=SUMMER, title="Regions and Clusters: Stoke")
    works = make_venue(visit, name="Spode Works", address="Elenora Street, ST4 1QQ",
                       access_notes="Step-free entrance; lift to every floor.")
    factory = make_venue(visit, name="Emma Bridgewater Factory",
                         address="Lichfield Street, Hanley ST1 3EJ")
    tour = make_item(visit, "10:00", "11:00", title="Kiln tour", kind=ItemKind.TOUR,
                     venue=works, capacity=10, hosts="Sam Potter\nDr Ada Lovelace")
    welcome = make_item(visit, "09:00", "09:30", title="Welcome", venue=works)
    cancelled = make_item(visit, "11:30", "12:00", title="Glaze talk", venue=factory,
                          status=ItemStatus.CANCELLED)
    deleted = make_item(visit, "12:00", "12:30", title="Deleted talk",
                        deleted_at=datetime.now(UTC))
    showcase_item = make_item(visit, "13:00", "14:00", title="Makers' showcase",
                              kind=ItemKind.SHOWCASE, venue=factory)
    panel = make_item(visit, "09:30", "10:30", day=1, title="Skills panel",
                      kind=ItemKind.PANEL, venue=factory)
    showcase = make_showcase(showcase_item)
    make_booking(showcase.slots[1], make_business(name="Pixel Mill"), status="pending",
                 title="Games from clay")
    make_booking(showcase.slots[0], make_business(name="Clayworks Studio"),
                 title="Printing in clay", equipment=["power", "table"])
    make_booking(showcase.slots[2], make_business(name="Old Kiln"), status="declined",
                 title="Declined booking")
    people = [make_registration(visit) for _ in range(4)]
    for person in people[:3]:
        sign_up(tour, person)
    sign_up(tour, people[3], SignupStatus.WAITLISTED)
    cancelled_person = make_registration(visit, status=RegistrationStatus.CANCELLED)
    sign_up(tour, cancelled_person, SignupStatus.CANCELLED)
    return dict(visit=visit, tour=tour, welcome=welcome, cancelled=cancelled,
                deleted=deleted, showcase=showcase_item, panel=panel)


def test_every_live_item_by_day_in_local_time_order(organiser_client, world):
    response = organiser_client.get(f"{BASE}/run-sheet")
    assert response.status_code == 200
    markup = response.get_data(as_text=True)
    text = page_text(markup)
    assert "Back to Regions and Clusters: Stoke Run sheet: Regions and Clusters: Stoke" in text
    assert "times in Europe/London time" in text
    day_one = text.index("Wednesday 12 June 2030")
    day_two = text.index("Thursday 13 June 2030")
    order = [text.index(t) for t in ("09:00–09:30 BST", "10:00–11:00 BST", "11:30–12:00 BST",
                                     "13:00–14:00 BST")]
    assert day_one < order[0] < order[1] < order[2] < order[3] < day_two
    assert text.index("Skills panel") > day_two
    assert "Deleted talk" not in text
    # One section per day: print.css starts each on a new page.
    assert markup.count('<section class="print-day"') == 2
    assert 'href="/static/css/print.css"' in markup


def test_venues_hosts_capacity_and_sign_ups(organiser_client, world):
    markup = organiser_client.get(f"{BASE}/run-sheet").get_data(as_text=True)
    tour = block(markup, f"sheet-item-{world['tour'].id}")
    assert "Venue Spode Works, Elenora Street, ST4 1QQ" in tour
    assert "Access Step-free entrance; lift to every floor." in tour
    assert "Hosts Sam Potter; Dr Ada Lovelace" in tour
    assert "Capacity 10 · 3 signed up, 1 waiting" in tour
    welcome = block(markup, f"sheet-item-{world['welcome'].id}")
    assert "Capacity No limit" in welcome
    assert "signed up" not in welcome


def test_showcase_bookings_in_slot_order_with_their_status(organiser_client, world):
    markup = organiser_client.get(f"{BASE}/run-sheet").get_data(as_text=True)
    showcase = block(markup, f"sheet-item-{world['showcase'].id}")
    assert ("13:00–13:10 BST Clayworks Studio Printing in clay Demo Power, Table Mina Maker "
            "Approved") in showcase
    assert "13:12–13:22 BST Pixel Mill Games from clay Demo Power Mina Maker Pending approval" \
        in showcase
    assert showcase.index("Clayworks Studio") < showcase.index("Pixel Mill")
    assert "Declined booking" not in showcase


def test_a_cancelled_item_is_struck_through_and_marked(organiser_client, world):
    markup = organiser_client.get(f"{BASE}/run-sheet").get_data(as_text=True)
    cancelled = block(markup, f"sheet-item-{world['cancelled'].id}")
    assert cancelled.startswith("sheet-item is-cancelled |")
    assert "Glaze talk Cancelled" in cancelled
    assert "<s>Glaze talk</s>" in markup
    assert "is-cancelled" not in block(markup, f"sheet-item-{world['welcome'].id}")


def test_the_print_button_needs_no_inline_script(organiser_client, world):
    markup = organiser_client.get(f"{BASE}/run-sheet").get_data(as_text=True)
    assert '<button type="button" class="button button-secondary" data-print hidden>' in markup
    assert 'src="/static/js/print.js"' in markup
    assert "onclick" not in markup
    assert "Ctrl+P" in page_text(markup)


def test_a_fixed_number_of_queries(organiser_client, world, count_queries, db):
    visit_id = world["visit"].id
    organiser_client.get(f"{BASE}/run-sheet")
    db.session.remove()
    with count_queries() as few:
        organiser_client.get(f"{BASE}/run-sheet")
    from eventsapp.visits.models import Visit

    visit = db.session.get(Visit, visit_id)
    venue = make_venue(visit, name="Another venue")
    for n in range(12):
        item = make_item(visit, f"{15 + n // 4}:{(n % 4) * 15:02d}",
                         f"{15 + n // 4}:{(n % 4) * 15 + 10:02d}", day=n % 2,
                         title=f"Extra {n}", venue=venue, capacity=5)
        sign_up(item, make_registration(visit))
    db.session.remove()
    with count_queries() as many:
        response = organiser_client.get(f"{BASE}/run-sheet")
    assert "Extra 11" in page_text(response.get_data(as_text=True))
    assert many.count == few.count, "\n".join(many.statements)
