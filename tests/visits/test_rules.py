"""The rules of services.visits, called directly with a real organiser."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from eventsapp.agenda.models import AgendaItem, ItemStatus
from eventsapp.errors import Conflict, NotFound, ValidationError
from eventsapp.visits import rules as visits
from eventsapp.visits.models import Venue, Visit, VisitStatus
from eventsapp.visits.rules import VenueInput, VisitInput
from tests.support import local, make_item, make_user, make_venue, make_visit

STOKE = VisitInput(
    title="  Regions and Clusters: Stoke-on-Trent  ",
    slug="cic-stoke",
    city=" Stoke-on-Trent ",
    host=" Platform ",
    timezone="Europe/London",
    start_date=date(2027, 6, 9),
    end_date=date(2027, 6, 10),
    summary="  Two days with the ceramics and games cluster.  ",
)


def count(db, model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def other_organiser(app):
    return make_user(email="other@example.org", name="Oona Other")


# --- create_visit ------------------------------------------------------------------------


def test_create_visit_stores_the_values_and_makes_the_actor_an_organiser(db, organiser):
    created = visits.create_visit(organiser, STOKE)

    db.session.expire_all()
    visit = db.session.scalar(select(Visit).where(Visit.slug == "cic-stoke"))
    assert visit.id == created.id
    assert visit.title == "Regions and Clusters: Stoke-on-Trent"
    assert visit.city == "Stoke-on-Trent"
    assert visit.host == "Platform"
    assert visit.timezone == "Europe/London"
    assert (visit.start_date, visit.end_date) == (date(2027, 6, 9), date(2027, 6, 10))
    assert visit.summary == "Two days with the ceramics and games cluster."
    assert visit.status is VisitStatus.DRAFT
    assert visit.first_published_at is None
    assert [user.id for user in visit.organisers] == [organiser.id]
    assert [v.slug for v in visits.visits_for_organiser(organiser)] == ["cic-stoke"]


def test_create_visit_refuses_a_slug_already_used(db, organiser):
    make_visit(organisers=[organiser], slug="cic-stoke", title="The first one")

    with pytest.raises(ValidationError) as caught:
        visits.create_visit(organiser, STOKE)

    assert "/visits/cic-stoke/ is already used" in caught.value.errors["slug"]
    assert count(db, Visit) == 1
    assert db.session.scalar(select(Visit.title)) == "The first one"


@pytest.mark.parametrize(
    "slug", ["CIC-Stoke", "cic stoke", "cic--stoke", "-cic", "cic-", "cic/stoke", "cic_stoke",
             "stoké"]
)
def test_create_visit_refuses_a_slug_with_bad_characters(db, organiser, slug):
    with pytest.raises(ValidationError) as caught:
        visits.create_visit(organiser, replace(STOKE, slug=slug))

    assert "lowercase letters, digits and single hyphens" in caught.value.errors["slug"]
    assert count(db, Visit) == 0


@pytest.mark.parametrize(
    "zone", ["Mars/Olympus", "", "../etc", "../../etc/passwd", "/etc/localtime", " Europe/London"]
)
def test_create_visit_refuses_an_unknown_time_zone(db, organiser, zone):
    with pytest.raises(ValidationError) as caught:
        visits.create_visit(organiser, replace(STOKE, timezone=zone))

    assert "not a known time zone" in caught.value.errors["timezone"]
    assert count(db, Visit) == 0


def test_create_visit_refuses_an_end_before_the_start(db, organiser):
    with pytest.raises(ValidationError) as caught:
        visits.create_visit(organiser, replace(STOKE, end_date=date(2027, 6, 8)))

    assert caught.value.errors == {"end_date": "The last day cannot be before the first day."}
    assert count(db, Visit) == 0


def test_create_visit_reports_every_refusal_at_once(db, organiser):
    bad = replace(STOKE, slug="Bad Slug", timezone="Mars/Olympus", end_date=date(2027, 1, 1))

    with pytest.raises(ValidationError) as caught:
        visits.create_visit(organiser, bad)

    assert set(caught.value.errors) == {"slug", "timezone", "end_date"}
    assert count(db, Visit) == 0


def test_a_one_day_visit_is_allowed(db, organiser):
    visit = visits.create_visit(organiser, replace(STOKE, end_date=STOKE.start_date))
    assert visit.days == [date(2027, 6, 9)]


# --- update_visit ---------------------------------------------------------------------------


def test_update_visit_keeps_its_own_slug_and_refuses_another_visits(db, organiser):
    make_visit(organisers=[organiser], slug="cic-hull")
    visit = make_visit(organisers=[organiser], slug="cic-stoke")

    updated = visits.update_visit(organiser, "cic-stoke", replace(STOKE, title="New title"))
    assert updated.title == "New title"

    with pytest.raises(ValidationError) as caught:
        visits.update_visit(organiser, "cic-stoke", replace(STOKE, slug="cic-hull"))
    assert "already used" in caught.value.errors["slug"]
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).slug == "cic-stoke"


def test_changing_the_time_zone_keeps_local_wall_times_and_raises_sequences(db, organiser):
    visit = make_visit(organisers=[organiser], slug="cic-stoke",
                       start_date=STOKE.start_date, end_date=STOKE.end_date)
    morning = make_item(visit, "10:00", "11:00", title="Morning")
    evening = make_item(visit, "18:30", "20:00", day=1, title="Evening")
    assert morning.starts_at == datetime(2027, 6, 9, 9, 0, tzinfo=UTC)  # BST

    visits.update_visit(organiser, "cic-stoke", replace(STOKE, timezone="Europe/Paris"))

    db.session.expire_all()
    morning = db.session.get(AgendaItem, morning.id)
    evening = db.session.get(AgendaItem, evening.id)
    assert morning.visit.timezone == "Europe/Paris"
    # 10:00 in Paris (CEST, UTC+2) is 08:00Z: the wall time stayed, the instant moved.
    assert morning.starts_at == datetime(2027, 6, 9, 8, 0, tzinfo=UTC)
    assert morning.ends_at == datetime(2027, 6, 9, 9, 0, tzinfo=UTC)
    assert evening.starts_at == datetime(2027, 6, 10, 16, 30, tzinfo=UTC)
    assert local(morning.visit, 0, "10:00") == morning.starts_at
    assert (morning.sequence, evening.sequence) == (1, 1)


def test_keeping_the_time_zone_leaves_item_sequences_alone(db, organiser):
    visit = make_visit(organisers=[organiser], slug="cic-stoke",
                       start_date=STOKE.start_date, end_date=STOKE.end_date)
    item = make_item(visit, "10:00", "11:00")

    visits.update_visit(organiser, "cic-stoke", replace(STOKE, title="Renamed"))

    db.session.expire_all()
    item = db.session.get(AgendaItem, item.id)
    assert item.sequence == 0
    assert item.starts_at == datetime(2027, 6, 9, 9, 0, tzinfo=UTC)


def test_a_time_zone_change_that_lands_an_item_in_a_skipped_hour_is_refused(db, organiser):
    # 02:30 on Sunday 14 March 2027 exists in London but not in New York, whose clocks
    # jump from 02:00 to 03:00 that night.
    visit = make_visit(organisers=[organiser], slug="cic-stoke",
                       start_date=date(2027, 3, 13), end_date=date(2027, 3, 14))
    item = make_item(visit, "02:30", "03:30", day=1)

    with pytest.raises(ValidationError) as caught:
        visits.update_visit(organiser, "cic-stoke", replace(
            STOKE, timezone="America/New_York",
            start_date=date(2027, 3, 13), end_date=date(2027, 3, 14)))

    assert "does not exist in America/New_York" in caught.value.errors["timezone"]
    db.session.expire_all()
    item = db.session.get(AgendaItem, item.id)
    assert item.visit.timezone == "Europe/London"
    assert item.starts_at == datetime(2027, 3, 14, 2, 30, tzinfo=UTC)
    assert item.sequence == 0


# --- set_visit_status -----------------------------------------------------------------------


def test_publishing_sets_first_published_at_once(db, organiser):
    make_visit(organisers=[organiser], slug="cic-stoke")
    before = datetime.now(UTC)

    visit = visits.set_visit_status(organiser, "cic-stoke", VisitStatus.PUBLISHED)

    assert visit.status is VisitStatus.PUBLISHED
    first = visit.first_published_at
    assert first is not None and before <= first <= datetime.now(UTC)

    visits.set_visit_status(organiser, "cic-stoke", VisitStatus.DRAFT)
    visit = visits.set_visit_status(organiser, "cic-stoke", VisitStatus.PUBLISHED)
    assert visit.first_published_at == first


def test_cancelling_a_visit_raises_the_sequence_of_its_live_confirmed_items(db, organiser):
    visit = make_visit(organisers=[organiser], slug="cic-stoke", status=VisitStatus.PUBLISHED)
    live = make_item(visit, "09:00", "10:00", title="Live")
    cancelled = make_item(visit, "10:00", "11:00", title="Called off",
                          status=ItemStatus.CANCELLED, sequence=1)
    tombstone = make_item(visit, "11:00", "12:00", title="Gone", status=ItemStatus.CANCELLED,
                          sequence=1, deleted_at=datetime.now(UTC))

    visits.set_visit_status(organiser, "cic-stoke", VisitStatus.CANCELLED)

    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status is VisitStatus.CANCELLED
    sequences = {i.title: i.sequence for i in db.session.scalars(select(AgendaItem))}
    assert sequences == {"Live": 1, "Called off": 1, "Gone": 1}

    # Reinstating the visit changes the items' status in calendars again.
    visits.set_visit_status(organiser, "cic-stoke", VisitStatus.PUBLISHED)
    db.session.expire_all()
    assert db.session.get(AgendaItem, live.id).sequence == 2
    assert db.session.get(AgendaItem, cancelled.id).sequence == 1
    assert db.session.get(AgendaItem, tombstone.id).sequence == 1


def test_setting_the_same_status_changes_nothing(db, organiser):
    visit = make_visit(organisers=[organiser], slug="cic-stoke", status=VisitStatus.CANCELLED)
    item = make_item(visit)

    visits.set_visit_status(organiser, "cic-stoke", VisitStatus.CANCELLED)

    db.session.expire_all()
    assert db.session.get(AgendaItem, item.id).sequence == 0


# --- public reading -------------------------------------------------------------------------


def test_public_visit_hides_drafts_and_shows_published_and_cancelled(db, organiser):
    make_visit(slug="draft")
    make_visit(slug="live", status=VisitStatus.PUBLISHED)
    make_visit(slug="off", status=VisitStatus.CANCELLED)

    with pytest.raises(NotFound):
        visits.public_visit("draft")
    with pytest.raises(NotFound):
        visits.public_visit("nowhere")
    assert visits.public_visit("live").slug == "live"
    assert visits.public_visit("off").slug == "off"


def test_published_upcoming_visits_leaves_out_drafts_past_and_cancelled(db):
    today = date(2027, 6, 1)
    make_visit(slug="later", status=VisitStatus.PUBLISHED, start_date=date(2027, 7, 1))
    make_visit(slug="ends-today", status=VisitStatus.PUBLISHED, start_date=date(2027, 5, 31))
    make_visit(slug="past", status=VisitStatus.PUBLISHED, start_date=date(2027, 5, 1))
    make_visit(slug="draft", start_date=date(2027, 7, 1))
    make_visit(slug="off", status=VisitStatus.CANCELLED, start_date=date(2027, 7, 1))

    upcoming = visits.published_upcoming_visits(today)

    assert [v.slug for v in upcoming] == ["ends-today", "later"]


# --- venues ---------------------------------------------------------------------------------


def test_create_venue_stores_the_values(db, organiser):
    visit = make_visit(organisers=[organiser], slug="cic-stoke")

    venue = visits.create_venue(organiser, "cic-stoke", VenueInput(
        name=" Spode Works ", address=" Elenora Street ", latitude=53.0, longitude=-2.18,
        access_notes=" Step-free entrance on Elenora Street. "))

    db.session.expire_all()
    venue = db.session.get(Venue, venue.id)
    assert (venue.visit_id, venue.name, venue.address) == (visit.id, "Spode Works",
                                                           "Elenora Street")
    assert (venue.latitude, venue.longitude) == (53.0, -2.18)
    assert venue.access_notes == "Step-free entrance on Elenora Street."


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [(53.0, None, "longitude"), (None, -2.0, "latitude"), (91.0, 0.0, "latitude"),
     (0.0, -181.0, "longitude")],
)
def test_create_venue_refuses_half_or_impossible_coordinates(db, organiser, latitude,
                                                             longitude, field):
    make_visit(organisers=[organiser], slug="cic-stoke")

    with pytest.raises(ValidationError) as caught:
        visits.create_venue(organiser, "cic-stoke", VenueInput(
            name="Spode Works", latitude=latitude, longitude=longitude))

    assert field in caught.value.errors
    assert count(db, Venue) == 0


def test_delete_venue_in_use_is_a_conflict_that_names_the_items(db, organiser):
    visit = make_visit(organisers=[organiser], slug="cic-stoke")
    venue = make_venue(visit, name="Spode Works")
    make_item(visit, venue_id=venue.id, title="Factory tour")

    with pytest.raises(Conflict) as caught:
        visits.delete_venue(organiser, "cic-stoke", venue.id)

    assert "Spode Works" in caught.value.message
    assert "Factory tour" in caught.value.message
    assert count(db, Venue) == 1


def test_delete_venue_used_only_by_a_tombstone_is_allowed(db, organiser):
    visit = make_visit(organisers=[organiser], slug="cic-stoke", status=VisitStatus.PUBLISHED)
    venue = make_venue(visit)
    gone = make_item(visit, venue_id=venue.id, status=ItemStatus.CANCELLED,
                     deleted_at=datetime.now(UTC))

    visits.delete_venue(organiser, "cic-stoke", venue.id)

    assert count(db, Venue) == 0
    assert db.session.get(AgendaItem, gone.id).venue_id is None


def test_a_venue_of_another_visit_is_not_found(db, organiser):
    make_visit(organisers=[organiser], slug="cic-stoke")
    elsewhere = make_venue(make_visit(organisers=[organiser], slug="cic-hull"))

    with pytest.raises(NotFound):
        visits.update_venue(organiser, "cic-stoke", elsewhere.id, VenueInput(name="Moved"))
    with pytest.raises(NotFound):
        visits.delete_venue(organiser, "cic-stoke", elsewhere.id)


# --- who may organise -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [
        lambda actor, venue_id: visits.update_visit(actor, "cic-stoke", STOKE),
        lambda actor, venue_id: visits.set_visit_status(actor, "cic-stoke",
                                                        VisitStatus.PUBLISHED),
        lambda actor, venue_id: visits.create_venue(actor, "cic-stoke", VenueInput(name="X")),
        lambda actor, venue_id: visits.update_venue(actor, "cic-stoke", venue_id,
                                                    VenueInput(name="X")),
        lambda actor, venue_id: visits.delete_venue(actor, "cic-stoke", venue_id),
        lambda actor, venue_id: visits.organiser_visit(actor, "cic-stoke"),
    ],
    ids=["update_visit", "set_visit_status", "create_venue", "update_venue", "delete_venue",
         "organiser_visit"],
)
@pytest.mark.parametrize("who", ["other_organiser", "member"])
def test_someone_not_organising_the_visit_gets_not_found(db, organiser, request, who, action):
    actor = request.getfixturevalue(who)
    visit = make_visit(organisers=[organiser], slug="cic-stoke", title="Untouched")
    venue = make_venue(visit, name="Spode Works")

    with pytest.raises(NotFound):
        action(actor, venue.id)

    db.session.expire_all()
    visit = db.session.get(Visit, visit.id)
    assert (visit.title, visit.status) == ("Untouched", VisitStatus.DRAFT)
    assert [v.name for v in visit.venues] == ["Spode Works"]
    assert visits.visits_for_organiser(actor) == []
