"""Registration and the visit's dates, as people see them: a visit that is over or under
way takes no registrations (unless the organisers allow registering on the day), the
welcome page stops looking forward to it, and organisers are warned about past dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from eventsapp.mail.models import OutboxMessage
from eventsapp.registration.models import Registration, RegistrationStatus
from eventsapp.registration.rules import notices
from eventsapp.visits.models import Visit, VisitStatus
from tests.registration.test_form import form
from tests.registration.test_organiser_registrations import hand_form
from tests.registration.test_organiser_settings import settings_form
from tests.support import make_item, make_registration, make_visit, page_text
from tests.visits.test_organiser_visits import visit_form

REGISTER = "/visits/cic-stoke/register"
PUBLIC = "/visits/cic-stoke/"
ORGANISER = "/organiser/visits/cic-stoke"


def london_today():
    return datetime.now(ZoneInfo("Europe/London")).date()


def stored_count(db) -> tuple[int, int]:
    """Registrations and emails stored."""
    return (db.session.scalar(select(func.count()).select_from(Registration)),
            db.session.scalar(select(func.count()).select_from(OutboxMessage)))


def visit_between(start_days: int, end_days: int, **overrides) -> Visit:
    today = london_today()
    fields = dict(slug="cic-stoke", status=VisitStatus.PUBLISHED,
                  start_date=today + timedelta(days=start_days),
                  end_date=today + timedelta(days=end_days))
    fields.update(overrides)
    return make_visit(**fields)


def visit_under_way(**overrides) -> Visit:
    """A visit today whose only item began an hour ago and ends in two hours."""
    visit = visit_between(0, 0, **overrides)
    now = datetime.now(UTC)
    make_item(visit, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2))
    return visit


# --- the registration form and the public page --------------------------------------------


@pytest.mark.parametrize("on_the_day", [False, True])
def test_a_visit_that_ended_takes_no_registrations(client, db, on_the_day):
    visit_between(-10, -9, registration_on_the_day=on_the_day,
                  registration_closes_at=datetime.now(UTC) + timedelta(days=30))

    shown = client.get(REGISTER)
    assert shown.status_code == 200
    assert "This visit is over, so registration has closed." in page_text(shown)
    assert "Nothing has been saved." in page_text(shown)
    assert 'name="full_name"' not in shown.get_data(as_text=True)

    refused = client.post(REGISTER, data=form())
    assert refused.status_code == 409
    assert "This visit is over, so registration has closed." in page_text(refused)
    assert stored_count(db) == (0, 0)

    public = page_text(client.get(PUBLIC))
    assert "This visit is over, so registration has closed." in public
    assert "Registration is open" not in public
    assert "Register for this visit" not in public


def test_a_visit_under_way_is_closed_by_default(client, db):
    visit_under_way()

    shown = client.get(REGISTER)
    assert "This visit is under way, so registration has closed." in page_text(shown)
    assert client.post(REGISTER, data=form()).status_code == 409
    assert stored_count(db) == (0, 0)
    assert "Register for this visit" not in page_text(client.get(PUBLIC))


def test_on_the_day_registration_stays_open_until_the_visit_ends(client, db):
    visit = visit_under_way(registration_on_the_day=True)
    ends = visit.items[0].ends_at.astimezone(visit.zone)

    public = page_text(client.get(PUBLIC))
    assert "Registration is open." in public
    assert f"Registration closes {ends:%A %d %B %Y at %H:%M}" in public
    assert "Register for this visit" in public
    shown = client.get(REGISTER)
    assert shown.status_code == 200
    assert f"at {ends:%H:%M}" in page_text(shown)

    response = client.post(REGISTER, data=form())
    assert response.status_code == 303
    db.session.expire_all()
    [registration] = db.session.scalars(select(Registration))
    assert registration.status is RegistrationStatus.CONFIRMED


def test_a_visit_to_come_says_registration_closes_when_it_starts(client, db):
    visit = visit_between(21, 22)
    public = page_text(client.get(PUBLIC))
    assert (f"Registration closes {visit.start_date:%A %d %B %Y} at 00:00" in public)


# --- the attendee's own page ----------------------------------------------------------------


def test_the_welcome_page_of_a_visit_that_is_over_no_longer_looks_forward(client, db):
    visit = visit_between(-10, -9)
    registration = make_registration(visit, full_name="Ada Lovelace")

    text = page_text(client.get(f"/r/{notices.manage_token(registration)}?welcome=1"))
    assert "We look forward to seeing you" not in text
    assert "Thank you for registering, Ada Lovelace." in text
    assert "The visit is over." in text


def test_the_welcome_page_of_a_visit_to_come_still_looks_forward(client, db):
    visit = visit_between(21, 22)
    registration = make_registration(visit, full_name="Ada Lovelace")
    text = page_text(client.get(f"/r/{notices.manage_token(registration)}?welcome=1"))
    assert "We look forward to seeing you, Ada Lovelace." in text
    assert "The visit is over" not in text


# --- the organiser's settings page -------------------------------------------------------------


@pytest.fixture
def organised(organiser):
    return visit_between(21, 22, organisers=[organiser])


def test_the_settings_form_stores_on_the_day_registration(organiser_client, db, organised):
    url = f"{ORGANISER}/registration"
    page = page_text(organiser_client.get(url))
    assert "Allow registration on the day" in page
    starts = organised.start_date
    assert f"Registration closes {starts:%A %d %B %Y} at 00:00 GMT, when the visit starts." in page

    data = settings_form(opens_at="", closes_at="", on_the_day="y")
    assert organiser_client.post(url, data=data).status_code == 302
    db.session.expire_all()
    assert organised.registration_on_the_day is True
    ends = organised.end_date + timedelta(days=1)
    page = page_text(organiser_client.get(url))
    assert f"Registration closes {ends:%A %d %B %Y} at 00:00 GMT, when the visit ends." in page

    data = settings_form(opens_at="", closes_at="")  # the box left unticked
    assert organiser_client.post(url, data=data).status_code == 302
    db.session.expire_all()
    assert organised.registration_on_the_day is False


def test_an_organiser_can_still_add_someone_by_hand_after_the_visit(
        organiser_client, organiser, db):
    visit_between(-10, -9, organisers=[organiser])
    response = organiser_client.post(f"{ORGANISER}/registrations/new", data=hand_form())
    assert response.status_code == 302
    db.session.expire_all()
    [added] = db.session.scalars(select(Registration))
    assert added.status is RegistrationStatus.CONFIRMED and added.added_by_organiser


# --- creating, editing and publishing a visit with past dates ----------------------------------


PAST_WARNING = "are in the past: the visit has already ended"


def test_creating_a_visit_with_past_dates_warns_and_saves_it(organiser_client, db):
    response = organiser_client.post("/organiser/visits/new", data=visit_form(
        start_date="2026-01-06", end_date="2026-01-07"), follow_redirects=True)
    text = page_text(response)
    assert "Created “Regions and Clusters: Stoke-on-Trent”" in text
    assert f"“Regions and Clusters: Stoke-on-Trent” {PAST_WARNING}" in text
    visit = db.session.scalar(select(Visit).where(Visit.slug == "cic-stoke"))
    assert visit.status is VisitStatus.DRAFT


def test_creating_a_visit_to_come_does_not_warn(organiser_client, db):
    response = organiser_client.post("/organiser/visits/new", data=visit_form(),
                                     follow_redirects=True)
    assert PAST_WARNING not in page_text(response)


def test_editing_a_visit_into_the_past_warns_and_saves_it(organiser_client, organiser, db):
    visit_between(21, 22, organisers=[organiser], status=VisitStatus.DRAFT)
    response = organiser_client.post(f"{ORGANISER}/edit", data=visit_form(
        start_date="2026-01-06", end_date="2026-01-07"), follow_redirects=True)
    assert PAST_WARNING in page_text(response)
    db.session.expire_all()
    visit = db.session.scalar(select(Visit).where(Visit.slug == "cic-stoke"))
    assert str(visit.start_date) == "2026-01-06"


def test_publishing_a_visit_that_is_over_asks_to_confirm(organiser_client, organiser, db):
    visit = visit_between(-10, -9, organisers=[organiser], status=VisitStatus.DRAFT)
    page = organiser_client.get(f"{ORGANISER}/").get_data(as_text=True)
    assert 'name="confirm_past"' in page
    assert "Publish although its dates are past" in page

    response = organiser_client.post(f"{ORGANISER}/publish")
    assert response.status_code == 303
    text = page_text(organiser_client.get(response.headers["Location"]))
    assert "has already ended: its dates are in the past. It was not published." in text
    db.session.expire_all()
    assert visit.status is VisitStatus.DRAFT and visit.first_published_at is None

    response = organiser_client.post(f"{ORGANISER}/publish", data={"confirm_past": "yes"},
                                     follow_redirects=True)
    assert "Published “Regions and Clusters delegation”" in page_text(response)
    db.session.expire_all()
    assert visit.status is VisitStatus.PUBLISHED

