"""Every write path of the agenda, the visit, its venues, the registration settings and
showcases leaves one row in the change log: who, what, and old → new as people read
them. Only news for attendees (an item's time, venue or status, the visit's
cancellation) waits as a notice, and only in a published visit."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest

from eventsapp.agenda import rules as agenda
from eventsapp.agenda.models import ItemKind, ItemStatus
from eventsapp.agenda.rules import ItemInput
from eventsapp.extensions import db
from eventsapp.registration.models import QuestionKind
from eventsapp.registration.rules import settings as registration_settings
from eventsapp.registration.rules.settings import QuestionInput, SettingsInput
from eventsapp.showcase.models import BookingFormat
from eventsapp.showcase.rules import booking as showcase_booking
from eventsapp.showcase.rules import decisions, slots
from eventsapp.showcase.rules.common import BookingInput, ShowcaseSettings
from eventsapp.visits import changelog as changes_log
from eventsapp.visits import rules as visits
from eventsapp.visits.models import ChangeArea, NoticeState, RegistrationAccess, VisitStatus
from eventsapp.visits.rules import VenueInput, VisitInput
from tests.changes.support import (
    DAY,
    changes,
    day_label,
    edit,
    last_change,
    move,
    pending,
    published_world,
)
from tests.support import (
    make_booking,
    make_business,
    make_item,
    make_member,
    make_question,
    make_showcase,
)

D = day_label()


def wall_time(day: date, hour: int, minute: int) -> datetime:
    """A naive wall time in the visit's zone, as an organiser types it."""
    return datetime.combine(day, time(hour, minute))


@pytest.fixture
def world(organiser):
    return published_world(organiser)


def test_adding_an_item_logs_who_and_when_without_a_notice(organiser, world):
    data = ItemInput(kind=ItemKind.TALK, title="Keynote", starts_local=wall_time(DAY, 16, 0),
                     ends_local=wall_time(DAY, 16, 30), venue_id=world.middleport.id)
    agenda.add_item(organiser, "cic-stoke", data)
    change = last_change(world.visit)
    assert (change.area, change.action) == (ChangeArea.AGENDA, "item_added")
    assert change.actor_id == organiser.id and change.actor_label == "Olu Organiser"
    assert change.summary == "Added “Keynote”"
    assert change.details["time"] == {"old": "", "new": f"{D} 16:00–16:30 BST"}
    assert change.details["venue"]["new"] == "Middleport Pottery"
    assert change.notice is None


def test_moving_an_item_logs_old_and_new_time_and_waits_as_a_notice(organiser, world):
    move(organiser, world.tour, "11:30", "12:30")
    change = last_change(world.visit)
    assert change.action == "item_edited"
    assert change.item_id == world.tour.id
    assert change.details == {"time": {"old": f"{D} 10:00–11:00 BST",
                                       "new": f"{D} 11:30–12:30 BST"}}
    assert change.summary == "Changed “Studio tour”: time"
    assert change.notice is NoticeState.PENDING


def test_an_edit_records_exactly_the_fields_that_changed(organiser, world):
    edit(organiser, world.tour, title="Factory tour", venue_id=world.middleport.id,
         capacity=12, hosts="Ann Potter")
    change = last_change(world.visit)
    assert change.details == {
        "title": {"old": "Studio tour", "new": "Factory tour"},
        "venue": {"old": "Spode Works", "new": "Middleport Pottery"},
        "hosts": {"old": "(none)", "new": "Ann Potter"},
        "capacity": {"old": "10", "new": "12"},
    }
    assert change.notice is NoticeState.PENDING  # the venue changed


def test_a_title_change_alone_is_logged_but_tells_nobody(organiser, world):
    edit(organiser, world.tour, title="Factory tour", description="Behind the scenes.")
    change = last_change(world.visit)
    assert set(change.details) == {"title", "description"}
    assert change.notice is None


def test_a_long_description_changed_near_its_end_is_still_logged(organiser, world):
    words = "A walk through the bottle kilns and the throwing room. " * 8
    edit(organiser, world.tour, description=words + "Sturdy shoes.")
    edit(organiser, world.tour, description=words + "Bring a coat.")
    change = last_change(world.visit)
    assert change.details["description"]["new"] == "(changed further on)"
    assert change.details["description"]["old"].endswith("…")


def test_saving_an_unchanged_item_logs_nothing(organiser, world):
    before = len(changes(world.visit))
    edit(organiser, world.tour)
    assert len(changes(world.visit)) == before


def test_duplicate_cancel_reinstate_and_delete(organiser, world):
    copy = agenda.duplicate_item(organiser, "cic-stoke", world.tour.id)
    duplicated = last_change(world.visit)
    assert (duplicated.action, duplicated.item_id) == ("item_duplicated", copy.id)
    assert duplicated.summary == "Duplicated “Studio tour” as “Studio tour (copy)”"
    assert duplicated.notice is None

    agenda.set_item_status(organiser, "cic-stoke", world.tour.id, ItemStatus.CANCELLED)
    cancelled = last_change(world.visit)
    assert cancelled.action == "item_cancelled"
    assert cancelled.details == {"status": {"old": "Confirmed", "new": "Cancelled"}}
    assert cancelled.notice is NoticeState.PENDING

    agenda.set_item_status(organiser, "cic-stoke", world.tour.id, ItemStatus.CONFIRMED)
    reinstated = last_change(world.visit)
    assert reinstated.action == "item_reinstated"
    assert reinstated.details == {"status": {"old": "Cancelled", "new": "Confirmed"}}
    assert reinstated.notice is NoticeState.PENDING

    agenda.delete_item(organiser, "cic-stoke", world.panel.id)
    deleted = last_change(world.visit)
    assert deleted.action == "item_deleted" and deleted.item_id == world.panel.id
    assert deleted.summary == f"Deleted “Panel” ({D} 14:00–15:00 BST)"
    assert deleted.details == {"status": {"old": "Confirmed", "new": "Deleted"}}
    assert deleted.notice is NoticeState.PENDING


def test_cancelling_a_cancelled_item_again_logs_nothing(organiser, world):
    agenda.set_item_status(organiser, "cic-stoke", world.tour.id, ItemStatus.CANCELLED)
    agenda.set_item_status(organiser, "cic-stoke", world.tour.id, ItemStatus.CANCELLED)
    assert [c.action for c in changes(world.visit)] == ["item_cancelled"]


def test_a_draft_visits_edits_are_logged_but_never_notified(organiser):
    world = published_world(organiser, status=VisitStatus.DRAFT)
    move(organiser, world.tour, "11:30", "12:30")
    agenda.set_item_status(organiser, "cic-stoke", world.tour.id, ItemStatus.CANCELLED)
    agenda.delete_item(organiser, "cic-stoke", world.panel.id)  # really deleted
    visits.set_visit_status(organiser, "cic-stoke", VisitStatus.CANCELLED)
    logged = changes(world.visit)
    assert [c.action for c in logged] == ["item_edited", "item_cancelled", "item_deleted",
                                          "visit_cancelled"]
    assert [c.notice for c in logged] == [None, None, None, None]
    assert logged[2].item_id is None and "“Panel”" in logged[2].summary


def test_visit_details_and_status(organiser, world):
    data = VisitInput(title="Regions and Clusters: Stoke", slug="cic-stoke",
                      city="Stoke-on-Trent", host="Platform", timezone="Europe/London",
                      start_date=DAY, end_date=DAY + timedelta(days=2),
                      summary="A two-day visit.")
    visits.update_visit(organiser, "cic-stoke", data)
    edited = last_change(world.visit)
    assert (edited.area, edited.action) == (ChangeArea.VISIT, "visit_edited")
    assert edited.details == {
        "title": {"old": "Regions and Clusters delegation",
                  "new": "Regions and Clusters: Stoke"},
        "last day": {"old": f"{day_label(DAY + timedelta(days=1))} {DAY.year}",
                     "new": f"{day_label(DAY + timedelta(days=2))} {DAY.year}"},
    }
    assert edited.notice is None

    visits.set_visit_status(organiser, "cic-stoke", VisitStatus.DRAFT)
    visits.set_visit_status(organiser, "cic-stoke", VisitStatus.PUBLISHED)
    visits.set_visit_status(organiser, "cic-stoke", VisitStatus.CANCELLED)
    unpublished, published, cancelled = changes(world.visit)[-3:]
    assert unpublished.action == "visit_unpublished" and unpublished.notice is None
    assert unpublished.details == {"status": {"old": "Published", "new": "Draft"}}
    assert published.action == "visit_published" and published.notice is None
    assert cancelled.action == "visit_cancelled"
    assert cancelled.details == {"status": {"old": "Published", "new": "Cancelled"}}
    assert cancelled.notice is NoticeState.PENDING


def test_venues(organiser, world):
    venue = visits.create_venue(organiser, "cic-stoke", VenueInput(name="Gladstone Museum"))
    visits.update_venue(organiser, "cic-stoke", venue.id,
                        VenueInput(name="Gladstone Pottery Museum", address="Uttoxeter Road"))
    visits.delete_venue(organiser, "cic-stoke", venue.id)
    added, edited, deleted = changes(world.visit, area=ChangeArea.VENUES)
    assert added.summary == "Added the venue Gladstone Museum"
    assert edited.details == {
        "name": {"old": "Gladstone Museum", "new": "Gladstone Pottery Museum"},
        "address": {"old": "(none)", "new": "Uttoxeter Road"},
    }
    assert deleted.summary == "Deleted the venue Gladstone Pottery Museum"
    assert {added.notice, edited.notice, deleted.notice} == {None}


def test_registration_settings_and_questions(organiser, world):
    registration_settings.update_settings(organiser, "cic-stoke", SettingsInput(
        opens_local=None, closes_local=wall_time(date(DAY.year, 10, 1), 17, 0), capacity=40,
        waitlist_enabled=True, access=RegistrationAccess.INVITATION,
        invitation_code="STOKE", contact_email="hello@example.org"))
    settings = last_change(world.visit)
    assert (settings.area, settings.action) == (ChangeArea.REGISTRATION_SETTINGS,
                                                "settings_edited")
    closes = date(DAY.year, 10, 1)
    assert settings.details == {
        "registration closes": {"old": "(none)",
                                "new": f"{day_label(closes)} {DAY.year} 17:00 BST"},
        "capacity": {"old": "No limit", "new": "40"},
        "who may register": {"old": "Open", "new": "Invitation code"},
        "invitation code": {"old": "(none)", "new": "STOKE"},
    }

    question = registration_settings.add_question(organiser, "cic-stoke", QuestionInput(
        kind=QuestionKind.SHORT_TEXT, label="Your sector?"))
    registration_settings.update_question(organiser, "cic-stoke", question.id, QuestionInput(
        kind=QuestionKind.SINGLE_CHOICE, label="Your sector?", options="Games\nFilm",
        required=True))
    first = make_question(world.visit, label="Earlier question", position=0)
    registration_settings.move_question(organiser, "cic-stoke", question.id, -1)
    registration_settings.delete_question(organiser, "cic-stoke", first.id)
    added, edited, moved, deleted = changes(world.visit, area=ChangeArea.REGISTRATION_SETTINGS)[1:]
    assert added.summary == "Added the question “Your sector?”"
    assert edited.details == {"kind": {"old": "Short text", "new": "Single choice"},
                              "required": {"old": "No", "new": "Yes"},
                              "options": {"old": "(none)", "new": "Games / Film"}}
    assert moved.summary == "Moved the question “Your sector?” up"
    assert moved.details == {"place in the form": {"old": "2", "new": "1"}}
    assert deleted.summary == "Deleted the question “Earlier question”"


@pytest.fixture
def show(organiser, world):
    item = make_item(world.visit, "13:00", "14:00", title="Makers' showcase",
                     kind=ItemKind.SHOWCASE, venue=world.spode)
    return make_showcase(item, slot_minutes=10, buffer_minutes=2, requires_approval=True)


def booking_input(**overrides) -> BookingInput:
    fields = dict(title="Clay printing in 3D", description="A printer at work.",
                  format=BookingFormat.DEMO, equipment=["power"], people="Mina Maker")
    fields.update(overrides)
    return BookingInput(**fields)


def test_showcase_plan_and_slots(organiser, world, show):
    slots.configure(organiser, "cic-stoke", show.item_id,
                       ShowcaseSettings(slot_minutes=15, buffer_minutes=0,
                                        requires_approval=True, deadline_local=None))
    plan = last_change(world.visit)
    assert (plan.area, plan.action) == (ChangeArea.BOOKINGS, "showcase_configured")
    assert plan.details == {"slot length": {"old": "10 min", "new": "15 min"},
                            "buffer": {"old": "2 min", "new": "0 min"}}
    slot = show.slots[1]
    slots.set_slot_blocked(organiser, "cic-stoke", show.item_id, slot.id, True)
    slots.set_slot_blocked(organiser, "cic-stoke", show.item_id, slot.id, False)
    blocked, unblocked = changes(world.visit)[-2:]
    assert blocked.summary == f"Blocked the slot {D} 13:15–13:30 BST of “Makers' showcase”"
    assert unblocked.details == {"slot": {"old": "Blocked", "new": "Open"}}


def test_bookings_by_members_and_organisers(organiser, world, show):
    business = make_business(name="Clayworks Studio")
    mina = make_member(business)
    booking = showcase_booking.book(mina, show.slots[0].id, booking_input())
    made = last_change(world.visit)
    assert made.actor_id == mina.id and made.actor_label == "Mina Maker"
    assert made.action == "booking_made"
    assert made.summary == (f"Clayworks Studio's booking at {D} 13:00–13:10 BST in "
                            "“Makers' showcase”: Clay printing in 3D (awaiting approval)")

    showcase_booking.update_booking(mina, booking.id, booking_input(title="3D clay printing"))
    assert last_change(world.visit).details == {
        "title": {"old": "Clay printing in 3D", "new": "3D clay printing"}}

    showcase_booking.move(mina, booking.id, show.slots[2].id)
    moved = last_change(world.visit)
    assert moved.action == "booking_moved"
    assert moved.details == {"slot": {"old": f"{D} 13:00–13:10 BST",
                                      "new": f"{D} 13:24–13:34 BST"}}

    decisions.decide(organiser, "cic-stoke", booking.id, approve=True)
    approved = last_change(world.visit)
    assert (approved.action, approved.actor_id) == ("booking_approved", organiser.id)
    assert approved.details == {"status": {"old": "Awaiting approval", "new": "Approved"}}

    showcase_booking.cancel(mina, booking.id)
    cancelled = last_change(world.visit)
    assert cancelled.action == "booking_cancelled" and cancelled.actor_id == mina.id

    other = make_business(name="Pixel Mill")
    assigned = decisions.assign(organiser, "cic-stoke", show.item_id, show.slots[3].id,
                               other.id, booking_input(title="Pixel art"))
    assert last_change(world.visit).action == "booking_assigned"
    decisions.decide(organiser, "cic-stoke", assigned.id, approve=False)
    declined = last_change(world.visit)
    assert declined.details == {"status": {"old": "Approved", "new": "Declined"}}
    assert {c.notice for c in changes(world.visit, area=ChangeArea.BOOKINGS)} == {None}


def test_a_refused_write_leaves_no_log_row(organiser, world, show):
    business = make_business(name="Clayworks Studio")
    make_booking(show.slots[0], business)
    before = len(changes(world.visit))
    with pytest.raises(Exception):  # noqa: B017, PT011 - the service's own error
        slots.set_slot_blocked(organiser, "cic-stoke", show.item_id, show.slots[0].id, True)
    with pytest.raises(Exception):  # noqa: B017, PT011
        edit(organiser, world.tour, starts_local="12:00", ends_local="11:00")
    assert len(changes(world.visit)) == before
    assert pending(world.visit) == []


def test_the_actor_label_of_someone_without_a_user(organiser, world):

    changes_log.record(world.visit, "attendee", ChangeArea.VISIT, "test", "Something")
    changes_log.record(world.visit, None, ChangeArea.VISIT, "test", "Something else")
    db.session.commit()
    first, second = changes(world.visit)
    assert (first.actor_id, first.actor_label) == (None, "attendee")
    assert (second.actor_id, second.actor_label) == (None, "system")
    assert replace  # used by support helpers
