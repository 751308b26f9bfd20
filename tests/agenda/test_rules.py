"""The rules of services.agenda, called directly with a real organiser."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from eventsapp.agenda import rules as agenda
from eventsapp.agenda.models import AgendaItem, ItemKind, ItemStatus
from eventsapp.agenda.rules import ItemInput
from eventsapp.errors import NotFound, ValidationError
from eventsapp.visits.models import VisitStatus
from tests.support import local, make_item, make_user, make_venue, make_visit

SUMMER = date(2027, 7, 14)  # a Wednesday: London is on BST (UTC+1)
WINTER = date(2027, 1, 20)  # London is on GMT (UTC+0)


def at(day: date, hhmm: str) -> datetime:
    """A naive wall time, as an organiser types it."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, hour, minute)  # noqa: DTZ001 - wall time


def talk(day: date = SUMMER, start: str = "10:00", end: str = "11:00", **overrides) -> ItemInput:
    fields = dict(kind=ItemKind.TALK, title="Welcome and introductions",
                  starts_local=at(day, start), ends_local=at(day, end))
    fields.update(overrides)
    return ItemInput(**fields)


def count_items(db) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(AgendaItem))


def reload(db, item: AgendaItem) -> AgendaItem:
    db.session.expire_all()
    return db.session.get(AgendaItem, item.id)


@pytest.fixture
def visit(organiser):
    return make_visit(organisers=[organiser], slug="cic-stoke", start_date=SUMMER,
                      end_date=date(2027, 7, 15))


@pytest.fixture
def published(organiser):
    return make_visit(organisers=[organiser], slug="cic-stoke", start_date=SUMMER,
                      end_date=date(2027, 7, 15), status=VisitStatus.PUBLISHED)


@pytest.fixture
def other_organiser(app):
    return make_user(email="other@example.org", name="Oona Other")


# --- add_item: wall time to UTC --------------------------------------------------------------


def test_add_item_stores_london_summer_time_as_utc_plus_one(db, organiser, visit):
    venue = make_venue(visit)

    item = agenda.add_item(organiser, "cic-stoke", talk(
        venue_id=venue.id, hosts=" Ada Lovelace \r\n\r\nBob Baker ", description=" Hello. ",
        capacity=20, title="  Welcome  "))

    item = reload(db, item)
    assert item.starts_at == datetime(2027, 7, 14, 9, 0, tzinfo=UTC)
    assert item.ends_at == datetime(2027, 7, 14, 10, 0, tzinfo=UTC)
    assert (item.title, item.description, item.capacity) == ("Welcome", "Hello.", 20)
    assert item.host_names == ["Ada Lovelace", "Bob Baker"]
    assert (item.venue_id, item.kind, item.status) == (venue.id, ItemKind.TALK,
                                                       ItemStatus.CONFIRMED)
    assert item.sequence == 0
    assert item.uid.endswith("@eventsapp")


def test_add_item_stores_london_winter_time_as_utc(db, organiser):
    make_visit(organisers=[organiser], slug="cic-winter", start_date=WINTER)

    item = agenda.add_item(organiser, "cic-winter", talk(WINTER, "10:00", "11:30"))

    item = reload(db, item)
    assert item.starts_at == datetime(2027, 1, 20, 10, 0, tzinfo=UTC)
    assert item.ends_at == datetime(2027, 1, 20, 11, 30, tzinfo=UTC)


@pytest.mark.parametrize("end", ["10:00", "09:59"])
def test_add_item_refuses_an_end_not_after_the_start(db, organiser, visit, end):
    with pytest.raises(ValidationError) as caught:
        agenda.add_item(organiser, "cic-stoke", talk(start="10:00", end=end))

    assert caught.value.errors == {"ends_at": "The end must be after the start."}
    assert count_items(db) == 0


def test_add_item_refuses_a_time_skipped_when_the_clocks_go_forward(db, organiser):
    spring = date(2027, 3, 28)  # the last Sunday of March: 01:00 GMT becomes 02:00 BST
    assert spring.weekday() == 6 and spring.month == 3 and (spring.day + 7) > 31
    make_visit(organisers=[organiser], slug="cic-spring", start_date=spring)

    with pytest.raises(ValidationError) as caught:
        agenda.add_item(organiser, "cic-spring", talk(spring, "01:30", "03:00"))

    assert "does not exist in Europe/London" in caught.value.errors["starts_at"]
    assert "ends_at" not in caught.value.errors
    assert count_items(db) == 0


def test_add_item_takes_an_ambiguous_time_as_the_first_occurrence(db, organiser):
    autumn = date(2026, 10, 25)  # 02:00 BST becomes 01:00 GMT: 01:30 happens twice
    make_visit(organisers=[organiser], slug="cic-autumn", start_date=autumn)

    item = agenda.add_item(organiser, "cic-autumn", talk(autumn, "01:30", "03:00"))

    item = reload(db, item)
    assert item.starts_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST
    assert item.ends_at == datetime(2026, 10, 25, 3, 0, tzinfo=UTC)  # 03:00 GMT


def test_add_item_refuses_a_venue_of_another_visit(db, organiser, visit):
    elsewhere = make_venue(make_visit(organisers=[organiser], slug="cic-hull"), name="Hull")

    with pytest.raises(ValidationError) as caught:
        agenda.add_item(organiser, "cic-stoke", talk(venue_id=elsewhere.id))

    assert caught.value.errors == {"venue_id": "Choose one of this visit's venues."}
    assert count_items(db) == 0


@pytest.mark.parametrize("capacity", [0, -5])
def test_add_item_refuses_a_capacity_below_one(db, organiser, visit, capacity):
    with pytest.raises(ValidationError) as caught:
        agenda.add_item(organiser, "cic-stoke", talk(capacity=capacity))

    assert "at least 1" in caught.value.errors["capacity"]
    assert count_items(db) == 0


# --- update_item and the calendar SEQUENCE ---------------------------------------------------


def _as_input(item: AgendaItem, **overrides) -> ItemInput:
    zone = item.visit.zone
    fields = dict(
        kind=item.kind, title=item.title, description=item.description, hosts=item.hosts,
        capacity=item.capacity, venue_id=item.venue_id,
        starts_local=item.starts_at.astimezone(zone).replace(tzinfo=None),
        ends_local=item.ends_at.astimezone(zone).replace(tzinfo=None),
    )
    fields.update(overrides)
    return ItemInput(**fields)


@pytest.mark.parametrize(
    "change",
    [
        {"starts_local": at(SUMMER, "10:15")},
        {"ends_local": at(SUMMER, "11:30")},
        {"venue": "other"},
        {"venue": None},
    ],
    ids=["start", "end", "other venue", "no venue"],
)
def test_update_item_raises_the_sequence_when_time_or_venue_changes(db, organiser, visit,
                                                                     change):
    first, second = make_venue(visit, name="Spode Works"), make_venue(visit, name="Fire Station")
    item = make_item(visit, "10:00", "11:00", venue_id=first.id, sequence=2)
    change = dict(change)
    if "venue" in change:
        change["venue_id"] = second.id if change.pop("venue") == "other" else None

    agenda.update_item(organiser, "cic-stoke", item.id, _as_input(item, **change))

    assert reload(db, item).sequence == 3


def test_update_item_keeps_the_sequence_when_only_words_change(db, organiser, visit):
    venue = make_venue(visit)
    item = make_item(visit, "10:00", "11:00", venue_id=venue.id, hosts="Ada", sequence=2)

    agenda.update_item(organiser, "cic-stoke", item.id, _as_input(
        item, title="A new title", description="Now with a description.",
        hosts="Ada Lovelace\nBob Baker"))

    item = reload(db, item)
    assert (item.title, item.description) == ("A new title", "Now with a description.")
    assert item.host_names == ["Ada Lovelace", "Bob Baker"]
    assert item.sequence == 2
    assert item.starts_at == local(visit, 0, "10:00")


def test_update_item_refusal_saves_nothing(db, organiser, visit):
    item = make_item(visit, "10:00", "11:00", title="Before")

    with pytest.raises(ValidationError):
        agenda.update_item(organiser, "cic-stoke", item.id, _as_input(
            item, title="After", ends_local=at(SUMMER, "09:00")))

    item = reload(db, item)
    assert (item.title, item.sequence) == ("Before", 0)
    assert item.ends_at == local(visit, 0, "11:00")


def test_set_item_status_raises_the_sequence_on_each_change(db, organiser, visit):
    item = make_item(visit)

    agenda.set_item_status(organiser, "cic-stoke", item.id, ItemStatus.CANCELLED)
    assert (reload(db, item).status, reload(db, item).sequence) == (ItemStatus.CANCELLED, 1)

    agenda.set_item_status(organiser, "cic-stoke", item.id, ItemStatus.CANCELLED)
    assert reload(db, item).sequence == 1  # no change, no new sequence

    agenda.set_item_status(organiser, "cic-stoke", item.id, ItemStatus.CONFIRMED)
    assert (reload(db, item).status, reload(db, item).sequence) == (ItemStatus.CONFIRMED, 2)


def test_duplicate_item_gets_a_new_uid(db, organiser, visit):
    venue = make_venue(visit)
    source = make_item(visit, "10:00", "11:00", title="Studio tour", venue_id=venue.id,
                       capacity=12, hosts="Ada", sequence=4)

    copy = agenda.duplicate_item(organiser, "cic-stoke", source.id)

    source, copy = reload(db, source), db.session.get(AgendaItem, copy.id)
    assert copy.id != source.id
    assert copy.uid != source.uid and copy.uid.endswith("@eventsapp")
    assert copy.title == "Studio tour (copy)"
    assert (copy.starts_at, copy.ends_at) == (source.starts_at, source.ends_at)
    assert (copy.venue_id, copy.capacity, copy.hosts) == (venue.id, 12, "Ada")
    assert (copy.sequence, copy.status) == (0, ItemStatus.CONFIRMED)


# --- delete_item ------------------------------------------------------------------------------


def test_delete_item_of_a_never_published_visit_removes_the_row(db, organiser, visit):
    item = make_item(visit)

    agenda.delete_item(organiser, "cic-stoke", item.id)

    assert count_items(db) == 0


def test_delete_item_of_a_published_visit_leaves_a_cancelled_tombstone(db, organiser, published):
    kept = make_item(published, "09:00", "10:00", title="Kept")
    gone = make_item(published, "10:00", "11:00", title="Gone", sequence=1)

    agenda.delete_item(organiser, "cic-stoke", gone.id)

    gone = reload(db, gone)
    assert gone.deleted_at is not None
    assert (gone.status, gone.sequence) == (ItemStatus.CANCELLED, 2)
    visit = gone.visit
    assert [i.id for i in visit.live_items] == [kept.id]
    by_day = agenda.agenda_by_day(visit)
    assert [[i.id for i in items] for _day, items in by_day] == [[kept.id], []]
    # The tombstone can no longer be edited.
    with pytest.raises(NotFound):
        agenda.organiser_item(organiser, "cic-stoke", gone.id)
    with pytest.raises(NotFound):
        agenda.delete_item(organiser, "cic-stoke", gone.id)


def test_a_visit_unpublished_after_publication_still_keeps_tombstones(db, organiser, published):
    item = make_item(published)
    published.status = VisitStatus.DRAFT
    db.session.commit()

    agenda.delete_item(organiser, "cic-stoke", item.id)

    assert count_items(db) == 1
    assert reload(db, item).deleted_at is not None


# --- who may change the agenda -----------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [
        lambda actor, item: agenda.add_item(actor, "cic-stoke", talk()),
        lambda actor, item: agenda.update_item(actor, "cic-stoke", item.id, talk(title="X")),
        lambda actor, item: agenda.set_item_status(actor, "cic-stoke", item.id,
                                                   ItemStatus.CANCELLED),
        lambda actor, item: agenda.duplicate_item(actor, "cic-stoke", item.id),
        lambda actor, item: agenda.delete_item(actor, "cic-stoke", item.id),
    ],
    ids=["add_item", "update_item", "set_item_status", "duplicate_item", "delete_item"],
)
@pytest.mark.parametrize("who", ["other_organiser", "member"])
def test_someone_not_organising_the_visit_gets_not_found(db, organiser, visit, request, who,
                                                         action):
    actor = request.getfixturevalue(who)
    item = make_item(visit, title="Untouched")

    with pytest.raises(NotFound):
        action(actor, item)

    assert count_items(db) == 1
    item = reload(db, item)
    assert (item.title, item.status, item.sequence) == ("Untouched", ItemStatus.CONFIRMED, 0)


def test_an_item_of_another_visit_is_not_found(db, organiser, visit):
    elsewhere = make_item(make_visit(organisers=[organiser], slug="cic-hull"))

    with pytest.raises(NotFound):
        agenda.update_item(organiser, "cic-stoke", elsewhere.id, talk())
    with pytest.raises(NotFound):
        agenda.delete_item(organiser, "cic-stoke", elsewhere.id)
    assert count_items(db) == 1


# --- warnings ------------------------------------------------------------------------------------


def codes(warnings) -> list[str]:
    return [w.code for w in warnings]


def test_items_overlapping_at_one_venue_warn(db, visit):
    works = make_venue(visit, name="Spode Works")
    a = make_item(visit, "10:00", "11:00", title="Factory tour", venue_id=works.id)
    b = make_item(visit, "10:30", "11:30", title="Glaze workshop", venue_id=works.id)

    warnings = agenda.agenda_warnings(visit)

    assert codes(warnings) == ["overlap"]
    assert warnings[0].item_ids == (a.id, b.id)
    assert "“Factory tour”" in warnings[0].message
    assert "“Glaze workshop”" in warnings[0].message
    assert "Spode Works" in warnings[0].message


def test_items_overlapping_at_different_venues_do_not_warn(db, visit):
    works, station = make_venue(visit, name="Spode Works"), make_venue(visit, name="Station")
    make_item(visit, "10:00", "11:00", title="Factory tour", venue_id=works.id)
    make_item(visit, "10:30", "11:30", title="Parallel session", venue_id=station.id)

    assert agenda.agenda_warnings(visit) == []


def test_an_overlap_with_a_cancelled_item_does_not_warn(db, visit):
    works = make_venue(visit, name="Spode Works")
    make_item(visit, "10:00", "11:00", title="Factory tour", venue_id=works.id)
    make_item(visit, "10:30", "11:30", title="Called off", venue_id=works.id,
              status=ItemStatus.CANCELLED)

    assert agenda.agenda_warnings(visit) == []


def test_back_to_back_items_at_different_venues_without_travel_warn(db, visit):
    works, station = make_venue(visit, name="Spode Works"), make_venue(visit, name="Fire Station")
    a = make_item(visit, "10:00", "11:00", title="Factory tour", venue_id=works.id)
    b = make_item(visit, "11:00", "12:00", title="Games showcase", venue_id=station.id)

    warnings = agenda.agenda_warnings(visit)

    assert codes(warnings) == ["no_travel"]
    assert warnings[0].item_ids == (a.id, b.id)
    for words in ("“Factory tour”", "“Games showcase”", "Spode Works", "Fire Station"):
        assert words in warnings[0].message


def test_a_travel_item_between_two_venues_does_not_warn(db, visit):
    works, station = make_venue(visit, name="Spode Works"), make_venue(visit, name="Fire Station")
    make_item(visit, "10:00", "11:00", title="Factory tour", venue_id=works.id)
    make_item(visit, "11:00", "11:15", title="Walk to the station", kind=ItemKind.TRAVEL)
    make_item(visit, "11:15", "12:00", title="Games showcase", venue_id=station.id)

    assert agenda.agenda_warnings(visit) == []


def test_a_gap_between_two_venues_does_not_warn(db, visit):
    works, station = make_venue(visit, name="Spode Works"), make_venue(visit, name="Fire Station")
    make_item(visit, "10:00", "11:00", title="Factory tour", venue_id=works.id)
    make_item(visit, "11:15", "12:00", title="Games showcase", venue_id=station.id)

    assert agenda.agenda_warnings(visit) == []


def test_back_to_back_at_the_same_venue_does_not_warn(db, visit):
    works = make_venue(visit, name="Spode Works")
    make_item(visit, "10:00", "11:00", title="Factory tour", venue_id=works.id)
    make_item(visit, "11:00", "12:00", title="Lunch", venue_id=works.id, kind=ItemKind.MEAL)

    assert agenda.agenda_warnings(visit) == []


def test_a_host_in_two_places_at_once_warns_whatever_the_case(db, visit):
    works, station = make_venue(visit, name="Spode Works"), make_venue(visit, name="Fire Station")
    a = make_item(visit, "10:00", "11:00", title="Factory tour", venue_id=works.id,
                  hosts="Ada Lovelace\nBob Baker")
    b = make_item(visit, "10:30", "11:30", title="Panel", venue_id=station.id,
                  hosts="Cy Clay\nADA LOVELACE")

    warnings = agenda.agenda_warnings(visit)

    assert codes(warnings) == ["host_clash"]
    assert warnings[0].item_ids == (a.id, b.id)
    assert "Ada Lovelace" in warnings[0].message
    assert "“Factory tour”" in warnings[0].message and "“Panel”" in warnings[0].message


def test_a_host_of_consecutive_items_does_not_warn(db, visit):
    works = make_venue(visit, name="Spode Works")
    make_item(visit, "10:00", "11:00", title="Factory tour", venue_id=works.id, hosts="Ada")
    make_item(visit, "11:00", "12:00", title="Panel", venue_id=works.id, hosts="ada")

    assert agenda.agenda_warnings(visit) == []


@pytest.mark.parametrize(
    ("start", "end"),
    [((-1, "10:00"), (-1, "11:00")), ((2, "09:00"), (2, "10:00")), ((1, "23:00"), (2, "00:30"))],
    ids=["day before", "day after", "past midnight on the last day"],
)
def test_an_item_outside_the_visits_dates_warns(db, visit, start, end):
    inside = make_item(visit, "10:00", "11:00", title="Inside")
    outside = make_item(visit, title="Stray dinner", starts_at=local(visit, *start),
                        ends_at=local(visit, *end))

    warnings = agenda.agenda_warnings(visit)

    assert codes(warnings) == ["outside_dates"]
    assert warnings[0].item_ids == (outside.id,)
    assert "“Stray dinner”" in warnings[0].message
    assert inside.id not in warnings[0].item_ids


def test_an_evening_item_ending_at_midnight_on_the_last_day_is_inside(db, visit):
    make_item(visit, "19:00", "20:00", day=1, title="Reception",
              ends_at=local(visit, 2, "00:00"))

    assert agenda.agenda_warnings(visit) == []


def test_a_deleted_items_tombstone_does_not_warn(db, published):
    works = make_venue(published, name="Spode Works")
    make_item(published, "10:00", "11:00", title="Factory tour", venue_id=works.id)
    make_item(published, "10:00", "11:00", title="Gone", venue_id=works.id,
              status=ItemStatus.CANCELLED, deleted_at=datetime.now(UTC))

    assert agenda.agenda_warnings(published) == []


def test_agenda_by_day_adds_days_outside_the_visit_in_order(db, visit):
    early = make_item(visit, "10:00", "11:00", day=-1, title="Early")
    second = make_item(visit, "14:00", "15:00", day=1, title="Afternoon")
    first = make_item(visit, "09:00", "10:00", day=1, title="Morning")

    by_day = agenda.agenda_by_day(visit)

    assert [day for day, _items in by_day] == [date(2027, 7, 13), SUMMER, date(2027, 7, 15)]
    assert [[i.id for i in items] for _day, items in by_day] == [
        [early.id], [], [first.id, second.id]
    ]

