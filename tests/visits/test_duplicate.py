"""Duplicating a visit: the plan comes along, moved to new dates; never any people."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import func, select

from eventsapp.agenda.models import AgendaItem, ItemKind, ItemStatus
from eventsapp.registration.models import Question, QuestionKind, Registration
from eventsapp.showcase.models import Showcase, ShowcaseBooking
from eventsapp.timezones import to_local
from eventsapp.visits.models import RegistrationAccess, Visit, VisitStatus
from tests.support import (
    make_booking,
    make_business,
    make_item,
    make_question,
    make_registration,
    make_showcase,
    make_user,
    make_venue,
    make_visit,
)

DUPLICATE = "/organiser/visits/cic-stoke/duplicate"


def page(response) -> str:
    return response.get_data(as_text=True)


def wall(instant, zone) -> str:
    return to_local(instant, zone).strftime("%Y-%m-%d %H:%M")


def stored(db, slug: str) -> Visit | None:
    db.session.expire_all()
    return db.session.scalar(select(Visit).where(Visit.slug == slug))


@pytest.fixture
def source(organiser):
    """A published visit on GMT, just before the clocks go forward (31 March 2030)."""
    co = make_user(email="co@example.org")
    visit = make_visit(
        organisers=[organiser, co], slug="cic-stoke", title="Clay week 2030",
        start_date=date(2030, 3, 28), end_date=date(2030, 3, 29),
        status=VisitStatus.PUBLISHED, capacity=80, waitlist_enabled=False,
        registration_access=RegistrationAccess.INVITATION, invitation_code="CLAY",
        contact_email="hello@platform.example", privacy_notice="Our notice.",
        registration_opens_at=datetime(2030, 1, 10, 9, 0, tzinfo=UTC),
        registration_closes_at=datetime(2030, 3, 27, 17, 0, tzinfo=UTC),
    )
    works = make_venue(visit, name="Spode Works", latitude=53.0, longitude=-2.18,
                       access_notes="Step-free")
    make_venue(visit, name="Middleport Pottery")
    make_item(visit, "09:30", "10:15", title="Opening", venue=works, hosts="Ada\nGrace",
              capacity=40, description="Why clusters matter.")
    showcase_item = make_item(visit, "14:00", "15:00", day=1, kind=ItemKind.SHOWCASE,
                              title="Showcase", venue=works)
    make_item(visit, "16:00", "17:00", title="Dropped", status=ItemStatus.CANCELLED)
    showcase = make_showcase(showcase_item, slot_minutes=10, buffer_minutes=5,
                             requires_approval=False,
                             deadline=datetime(2030, 3, 27, 12, 0, tzinfo=UTC))
    showcase.slots[1].blocked = True
    make_question(visit, kind=QuestionKind.SINGLE_CHOICE, label="Lunch?", options="Yes\nNo",
                  required=True)
    make_question(visit, label="Anything else?")
    make_registration(visit)
    make_booking(showcase.slots[0], make_business())
    return visit


def test_form_offers_the_title_and_the_same_dates_next_year(organiser_client, source):
    text = page(organiser_client.get(DUPLICATE))
    assert 'value="Clay week 2030"' in text
    assert 'value="2031-03-28"' in text
    assert "Duplicate visit" in page(organiser_client.get("/organiser/visits/cic-stoke/"))


def test_the_copy_is_a_draft_with_the_plan_moved_and_no_people(organiser_client, source, db):
    response = organiser_client.post(DUPLICATE, data={
        "title": "Clay week 2030 (spring)", "slug": "", "start_date": "2030-04-04"})
    assert response.status_code == 303
    copy = stored(db, "clay-week-2030-spring")
    assert response.headers["Location"] == "/organiser/visits/clay-week-2030-spring/"
    assert copy.status is VisitStatus.DRAFT and copy.first_published_at is None
    assert (copy.start_date, copy.end_date) == (date(2030, 4, 4), date(2030, 4, 5))
    assert (copy.host, copy.city, copy.timezone, copy.summary) == (
        source.host, source.city, "Europe/London", source.summary)
    assert {u.email for u in copy.organisers} == {"organiser@example.org", "co@example.org"}
    # registration settings; the times keep their wall time (GMT then, BST now)
    assert (copy.capacity, copy.waitlist_enabled, copy.registration_access,
            copy.invitation_code, copy.contact_email, copy.privacy_notice) == (
        80, False, RegistrationAccess.INVITATION, "CLAY", "hello@platform.example",
        "Our notice.")
    zone = copy.zone
    assert wall(copy.registration_opens_at, zone) == "2030-01-17 09:00"
    assert wall(copy.registration_closes_at, zone) == "2030-04-03 17:00"  # was GMT
    assert copy.registration_closes_at.astimezone(UTC).hour == 16
    # venues
    assert [(v.name, v.latitude, v.access_notes) for v in copy.venues] == [
        ("Middleport Pottery", None, ""), ("Spode Works", 53.0, "Step-free")]
    # the agenda: same wall times, new days, new calendar UIDs, cancelled left out
    items = sorted(copy.items, key=lambda i: i.starts_at)
    assert [i.title for i in items] == ["Opening", "Showcase"]
    opening, showcase_item = items
    assert wall(opening.starts_at, zone) == "2030-04-04 09:30"
    assert opening.starts_at.astimezone(UTC).time() == time(8, 30)  # BST, not GMT
    assert wall(showcase_item.ends_at, zone) == "2030-04-05 15:00"
    assert (opening.hosts, opening.capacity, opening.description, opening.venue.name) == (
        "Ada\nGrace", 40, "Why clusters matter.", "Spode Works")
    assert opening.venue.visit_id == copy.id
    old_uids = set(db.session.scalars(select(AgendaItem.uid).where(
        AgendaItem.visit_id == source.id)))
    assert not old_uids & {i.uid for i in items}
    assert all(i.sequence == 0 and i.status is ItemStatus.CONFIRMED for i in items)
    # questions
    assert [(q.label, q.kind, q.required, q.options) for q in copy.questions] == [
        ("Lunch?", QuestionKind.SINGLE_CHOICE, True, "Yes\nNo"),
        ("Anything else?", QuestionKind.SHORT_TEXT, False, "")]
    # the showcase plan, moved with its item; blocked slots stay blocked, no bookings
    showcase = db.session.scalar(select(Showcase).where(Showcase.item_id == showcase_item.id))
    assert (showcase.slot_minutes, showcase.buffer_minutes, showcase.requires_approval) == (
        10, 5, False)
    assert wall(showcase.booking_deadline, zone) == "2030-04-03 12:00"
    assert [to_local(s.starts_at, zone).strftime("%d %H:%M") for s in showcase.slots][:3] == [
        "05 14:00", "05 14:15", "05 14:30"]
    assert [s.blocked for s in showcase.slots][:3] == [False, True, False]
    slot_ids = [s.id for s in showcase.slots]
    assert db.session.scalar(select(func.count()).select_from(ShowcaseBooking).where(
        ShowcaseBooking.slot_id.in_(slot_ids))) == 0
    assert db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.visit_id == copy.id)) == 0
    # the source is untouched
    assert stored(db, "cic-stoke").status is VisitStatus.PUBLISHED
    text = page(organiser_client.get(response.headers["Location"]))
    assert ("a draft copy of “Clay week 2030”: 2 venues, 2 agenda items, 2 questions and "
            "1 showcase") in text


def test_a_taken_slug_and_a_missing_day_are_refused_with_nothing_saved(organiser_client,
                                                                       source, db):
    visits_before = db.session.scalar(select(func.count()).select_from(Visit))
    response = organiser_client.post(DUPLICATE, data={
        "title": "Again", "slug": "cic-stoke", "start_date": ""})
    assert response.status_code == 422
    assert "Enter the first day" in page(response)
    response = organiser_client.post(DUPLICATE, data={
        "title": "Again", "slug": "cic-stoke", "start_date": "2031-01-01"})
    assert response.status_code == 422
    assert "already used by another visit" in page(response)
    assert db.session.scalar(select(func.count()).select_from(Visit)) == visits_before


def test_an_empty_slug_is_made_from_the_title_and_kept_unique(organiser_client, source, db):
    for _ in range(2):
        response = organiser_client.post(DUPLICATE, data={
            "title": "Clay week", "slug": "", "start_date": "2031-03-28"})
        assert response.status_code == 303
    assert stored(db, "clay-week") is not None
    assert stored(db, "clay-week-2") is not None


def test_an_item_at_a_time_that_does_not_exist_on_the_new_day_stops_the_copy(
        organiser_client, organiser, db):
    visit = make_visit(organisers=[organiser], slug="night", start_date=date(2030, 3, 24),
                       end_date=date(2030, 3, 24))
    make_item(visit, "01:30", "03:00", title="Night walk")
    response = organiser_client.post("/organiser/visits/night/duplicate", data={
        "title": "Night again", "slug": "night-again", "start_date": "2030-03-31"})
    assert response.status_code == 422
    assert "“Night walk”: 01:30 on 31 March 2030 does not exist" in page(response)
    assert stored(db, "night-again") is None
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_only_the_visits_organisers_may_duplicate_it(client, source):
    from tests.conftest import login

    login(client, make_user(email="stranger@example.org"))
    assert client.get(DUPLICATE).status_code == 404
    assert client.post(DUPLICATE, data={"title": "Mine", "start_date": "2031-01-01"}
                       ).status_code == 404
