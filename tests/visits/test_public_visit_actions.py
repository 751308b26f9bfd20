"""The public visit page: registration state, Add to calendar, the showcase line-up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from eventsapp.agenda.models import ItemKind
from eventsapp.visits.models import VisitStatus
from tests.support import (
    make_booking,
    make_business,
    make_item,
    make_registration,
    make_showcase,
    make_visit,
)


def published(organiser, **overrides):
    return make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED, **overrides)


def page(client, visit) -> str:
    response = client.get(f"/visits/{visit.slug}/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_register_button_and_places_left(client, organiser):
    visit = published(organiser, capacity=3)
    make_registration(visit)
    html = page(client, visit)
    assert "Registration is open: 2 places left." in html
    assert f'href="/visits/{visit.slug}/register"' in html


def test_full_visit_offers_the_waiting_list(client, organiser):
    visit = published(organiser, capacity=1)
    make_registration(visit)
    html = page(client, visit)
    assert "Join the waiting list" in html


def test_registration_not_yet_open_says_when(client, organiser):
    opens = datetime(2030, 7, 1, 8, 0, tzinfo=UTC)  # 09:00 BST
    visit = published(organiser, registration_opens_at=opens)
    html = page(client, visit)
    assert "Registration opens Monday 01 July 2030 at 09:00 BST." in html
    assert f'href="/visits/{visit.slug}/register"' not in html


def test_closed_registration(client, organiser):
    visit = published(organiser,
                      registration_closes_at=datetime.now(UTC) - timedelta(hours=1))
    html = page(client, visit)
    assert "Registration for this visit has closed." in html
    assert f'href="/visits/{visit.slug}/register"' not in html


def test_add_to_calendar_links(client, organiser):
    visit = published(organiser)
    html = page(client, visit)
    assert f'href="webcal://localhost/visits/{visit.slug}/agenda.ics"' in html
    assert f'href="http://localhost/visits/{visit.slug}/agenda.ics" download' in html
    assert f'value="http://localhost/visits/{visit.slug}/agenda.ics" readonly' in html


def test_base_url_setting_is_used_for_calendar_links(app, client, organiser):
    app.config["BASE_URL"] = "https://visits.example.org"
    visit = published(organiser)
    assert "webcal://visits.example.org/visits/" in page(client, visit)


def test_showcase_line_up_lists_approved_bookings_only(client, organiser):
    visit = published(organiser)
    item = make_item(visit, "14:00", "15:00", kind=ItemKind.SHOWCASE, title="Member showcase")
    showcase = make_showcase(item)
    approved = make_business(name="Kiln Films")
    pending = make_business(name="Pending Pictures")
    declined = make_business(name="Declined Digital")
    make_booking(showcase.slots[1], approved, title="Stop-motion pottery")
    make_booking(showcase.slots[0], pending, status="pending", title="Secret project")
    make_booking(showcase.slots[2], declined, status="declined", title="Not this time")

    html = page(client, visit)

    assert "Showcase line-up" in html
    assert "Kiln Films" in html and "Stop-motion pottery" in html
    assert "14:12–14:22" in html
    assert "Pending Pictures" not in html and "Secret project" not in html
    assert "Declined Digital" not in html
