"""Change notices: who is told, what they read (net of edits), and when."""

from __future__ import annotations

from datetime import timedelta

import pytest

from eventsapp.agenda import rules as agenda
from eventsapp.agenda.models import ItemKind, ItemStatus
from eventsapp.changes.rules import notices as change_notices
from eventsapp.dbtypes import utcnow
from eventsapp.registration.models import RegistrationStatus, SignupStatus
from eventsapp.registration.rules import notices
from eventsapp.visits import rules as visits
from eventsapp.visits.models import NoticeState, VisitStatus
from tests.changes.support import (
    changes,
    day_label,
    edit,
    mail_to,
    move,
    outbox,
    pending,
    published_world,
    sign_up,
)
from tests.support import (
    make_booking,
    make_business,
    make_item,
    make_member,
    make_registration,
    make_showcase,
)

D = day_label()


@pytest.fixture
def world(organiser):
    return published_world(organiser)


def newest(visit):
    return max(c.created_at for c in pending(visit))


def send(visit):
    """Send as the worker does once the quiet period is over."""
    return change_notices.send_due(newest(visit) + timedelta(minutes=10))


def test_three_edits_of_one_item_make_one_net_line_per_field(organiser, world):
    ada = make_registration(world.visit, email="ada@example.org", full_name="Ada Lovelace")
    sign_up(ada, world.tour)
    move(organiser, world.tour, "10:30", "11:30")
    edit(organiser, world.tour, venue_id=world.middleport.id)
    move(organiser, world.tour, "11:30", "12:30")

    result = send(world.visit)

    assert (result.visits, result.emails, result.changes) == (1, 1, 3)
    [message] = mail_to("ada@example.org")
    assert message.subject == "Changes to Regions and Clusters delegation"
    body = message.body_text
    assert "Dear Ada Lovelace," in body
    assert f"- Studio tour: moved from {D} 10:00–11:00 BST to 11:30–12:30 BST\n" in body
    assert (f"- Studio tour ({D} 11:30–12:30 BST): venue changed from Spode Works to "
            "Middleport Pottery\n") in body
    assert body.count("\n- ") == 2
    assert notices.manage_url(ada) in body
    assert "hello@example.org" in body
    sent = changes(world.visit)
    assert {c.notice for c in sent} == {NoticeState.SENT}
    assert all(c.notified_at is not None for c in sent)


def test_changed_and_changed_back_leaves_nothing_and_sends_nothing(organiser, world):
    make_registration(world.visit, email="ada@example.org")
    move(organiser, world.tour, "10:30", "11:30")
    move(organiser, world.tour, "10:00", "11:00")
    agenda.set_item_status(organiser, "cic-stoke", world.welcome.id, ItemStatus.CANCELLED)
    agenda.set_item_status(organiser, "cic-stoke", world.welcome.id, ItemStatus.CONFIRMED)

    result = send(world.visit)

    assert (result.emails, result.changes) == (0, 4)
    assert outbox() == []
    assert {c.notice for c in changes(world.visit)} == {NoticeState.NOT_NEEDED}
    assert {c.notified_at for c in changes(world.visit)} == {None}


def test_the_quiet_period_waits_for_the_newest_change(organiser, world):
    make_registration(world.visit, email="ada@example.org")
    move(organiser, world.welcome, "09:15", "10:00")
    first = newest(world.visit)
    move(organiser, world.welcome, "09:30", "10:00")
    last = newest(world.visit)
    assert last >= first

    assert change_notices.send_due(last + timedelta(minutes=9)).emails == 0
    assert outbox() == []
    assert len(pending(world.visit)) == 2

    assert change_notices.send_due(last + timedelta(minutes=10)).emails == 1
    assert len(mail_to("ada@example.org")) == 1
    assert pending(world.visit) == []
    # Nothing is left to send a second time.
    assert change_notices.send_due(last + timedelta(hours=1)).emails == 0
    assert len(outbox()) == 1


def test_the_quiet_period_comes_from_the_configuration(app, organiser, world):
    app.config["NOTICE_QUIET_MINUTES"] = 30
    make_registration(world.visit, email="ada@example.org")
    move(organiser, world.welcome, "09:15", "10:00")
    assert change_notices.send_due(newest(world.visit) + timedelta(minutes=29)).emails == 0
    assert change_notices.send_due(newest(world.visit) + timedelta(minutes=30)).emails == 1


def test_notify_now_sends_at_once(organiser, world):
    make_registration(world.visit, email="ada@example.org")
    move(organiser, world.welcome, "09:15", "10:00")
    result = change_notices.notify_now(organiser, "cic-stoke")
    assert (result.emails, result.changes) == (1, 1)
    assert len(mail_to("ada@example.org")) == 1
    assert change_notices.notify_now(organiser, "cic-stoke").emails == 0


def test_preview_shows_each_email_and_sends_nothing(organiser, world):
    make_registration(world.visit, email="ada@example.org", full_name="Ada Lovelace")
    make_registration(world.visit, email="bob@example.org", full_name="Bob Babbage")
    move(organiser, world.welcome, "09:15", "10:00")

    shown = change_notices.preview(organiser, "cic-stoke")

    assert [d.to for d in shown.digests] == ["ada@example.org", "bob@example.org"]
    assert shown.digests[0].subject == "Changes to Regions and Clusters delegation"
    assert f"Welcome: moved from {D} 09:00–09:45 BST to 09:15–10:00 BST" in shown.digests[0].body
    assert shown.pending.count == 1
    assert outbox() == []
    assert [c.notice for c in changes(world.visit)] == [NoticeState.PENDING]


def test_who_is_told_of_a_change_to_an_item_with_places(organiser, world):
    signed = make_registration(world.visit, email="signed@example.org")
    sign_up(signed, world.tour)
    waiting_for_item = make_registration(world.visit, email="item-queue@example.org")
    sign_up(waiting_for_item, world.tour, SignupStatus.WAITLISTED)
    waiting_for_visit = make_registration(world.visit, email="visit-queue@example.org",
                                          status=RegistrationStatus.WAITLISTED)
    sign_up(waiting_for_visit, world.tour)
    awaiting = make_registration(world.visit, email="awaiting@example.org",
                                 status=RegistrationStatus.PENDING_APPROVAL)
    sign_up(awaiting, world.tour)
    other_item = make_registration(world.visit, email="panel@example.org")
    sign_up(other_item, world.panel)
    left = make_registration(world.visit, email="left@example.org")
    sign_up(left, world.tour, SignupStatus.CANCELLED)
    cancelled = make_registration(world.visit, email="cancelled@example.org",
                                  status=RegistrationStatus.CANCELLED)
    sign_up(cancelled, world.tour)

    move(organiser, world.tour, "10:30", "11:30")
    send(world.visit)

    assert [m.to for m in outbox()] == ["awaiting@example.org", "item-queue@example.org",
                                        "signed@example.org", "visit-queue@example.org"]


def test_a_change_to_an_item_without_places_tells_every_live_registration(organiser, world):
    make_registration(world.visit, email="ada@example.org")
    make_registration(world.visit, email="queue@example.org",
                      status=RegistrationStatus.WAITLISTED)
    make_registration(world.visit, email="gone@example.org",
                      status=RegistrationStatus.CANCELLED)
    make_registration(world.visit, email=None, full_name="")  # personal data erased
    edit(organiser, world.welcome, venue_id=world.middleport.id)
    send(world.visit)
    assert [m.to for m in outbox()] == ["ada@example.org", "queue@example.org"]


def test_members_with_a_booking_in_the_item_are_told(organiser, world):
    item = make_item(world.visit, "13:00", "14:00", title="Makers' showcase",
                     kind=ItemKind.SHOWCASE, venue=world.spode, capacity=20)
    show = make_showcase(item)
    clay = make_business(name="Clayworks Studio")
    mina = make_member(clay, email="mina@clayworks.example")
    make_member(clay, email="former@clayworks.example", active=False)
    make_booking(show.slots[0], clay)
    pixel = make_business(name="Pixel Mill")
    make_member(pixel, email="piotr@pixelmill.example")
    make_booking(show.slots[1], pixel, status="cancelled")
    sign_up(make_registration(world.visit, email="tour@example.org"), world.tour)

    edit(organiser, item, venue_id=world.middleport.id)
    send(world.visit)

    [message] = outbox()
    assert message.to == mina.email
    assert "Dear Mina Maker," in message.body_text
    assert "Makers' showcase" in message.body_text and "Middleport Pottery" in message.body_text
    assert "/member/" in message.body_text
    assert "/r/" not in message.body_text


def test_one_email_per_address_for_an_attendee_who_is_also_a_member(organiser, world):
    item = make_item(world.visit, "13:00", "14:00", title="Makers' showcase",
                     kind=ItemKind.SHOWCASE)
    show = make_showcase(item)
    clay = make_business(name="Clayworks Studio")
    make_member(clay, email="mina@clayworks.example")
    make_booking(show.slots[0], clay)
    both = make_registration(world.visit, email="Mina@Clayworks.example")

    move(organiser, item, "13:30", "14:30")
    move(organiser, world.welcome, "09:15", "10:00")
    send(world.visit)

    [message] = outbox()
    body = message.body_text
    assert "Makers' showcase: moved" in body and "Welcome: moved" in body
    assert notices.manage_url(both) in body and "/member/" in body
    # In agenda order: the welcome comes first.
    assert body.index("Welcome: moved") < body.index("Makers' showcase: moved")


def test_nobody_is_told_of_a_change_made_before_they_registered(organiser, world):
    move(organiser, world.welcome, "09:15", "10:00")
    make_registration(world.visit, email="late@example.org")
    result = send(world.visit)
    assert (result.emails, outbox()) == (0, [])
    assert [c.notice for c in changes(world.visit)] == [NoticeState.NOT_NEEDED]


def test_a_cancelled_item_says_only_that_it_is_cancelled(organiser, world):
    make_registration(world.visit, email="ada@example.org")
    move(organiser, world.welcome, "09:15", "10:00")
    agenda.set_item_status(organiser, "cic-stoke", world.welcome.id, ItemStatus.CANCELLED)
    agenda.delete_item(organiser, "cic-stoke", world.welcome.id)
    send(world.visit)
    [message] = outbox()
    assert f"- Welcome ({D} 09:15–10:00 BST): cancelled (taken off the agenda)\n" in (
        message.body_text)
    assert "moved" not in message.body_text
    assert {c.notice for c in changes(world.visit)} == {NoticeState.SENT}


def test_cancelling_the_visit_tells_everyone(organiser, world):
    item = make_item(world.visit, "13:00", "14:00", title="Makers' showcase",
                     kind=ItemKind.SHOWCASE)
    show = make_showcase(item)
    clay = make_business(name="Clayworks Studio")
    make_member(clay, email="mina@clayworks.example")
    make_booking(show.slots[0], clay, status="pending")
    sign_up(make_registration(world.visit, email="ada@example.org"), world.tour)
    make_registration(world.visit, email="queue@example.org",
                      status=RegistrationStatus.WAITLISTED)
    make_registration(world.visit, email="gone@example.org",
                      status=RegistrationStatus.CANCELLED)
    move(organiser, world.tour, "10:30", "11:30")

    visits.set_visit_status(organiser, "cic-stoke", VisitStatus.CANCELLED)
    send(world.visit)

    assert [m.to for m in outbox()] == ["ada@example.org", "mina@clayworks.example",
                                        "queue@example.org"]
    message = mail_to("ada@example.org")[0]
    assert message.subject == "Cancelled: Regions and Clusters delegation"
    assert "has been cancelled" in message.body_text
    assert "moved" not in message.body_text
    assert {c.notice for c in changes(world.visit)
            if c.action in ("item_edited", "visit_cancelled")} == {NoticeState.SENT}


def test_a_visit_published_again_before_the_notice_went_tells_nobody(organiser, world):
    make_registration(world.visit, email="ada@example.org")
    visits.set_visit_status(organiser, "cic-stoke", VisitStatus.CANCELLED)
    visits.set_visit_status(organiser, "cic-stoke", VisitStatus.PUBLISHED)
    assert change_notices.notify_now(organiser, "cic-stoke").emails == 0
    assert outbox() == []
    assert changes(world.visit, action="visit_cancelled")[0].notice is NoticeState.NOT_NEEDED


def test_a_draft_visit_never_sends_notices(organiser):
    world = published_world(organiser, status=VisitStatus.DRAFT)
    make_registration(world.visit, email="ada@example.org")
    move(organiser, world.welcome, "09:15", "10:00")
    visits.set_visit_status(organiser, "cic-stoke", VisitStatus.CANCELLED)
    assert pending(world.visit) == []
    assert change_notices.send_due(utcnow() + timedelta(days=1)).emails == 0
    assert change_notices.notify_now(organiser, "cic-stoke").emails == 0
    assert outbox() == []


def test_the_calendar_shows_the_raised_sequence_at_once(client, organiser, world):
    move(organiser, world.welcome, "09:15", "10:00")
    assert len(pending(world.visit)) == 1  # the email waits for the quiet period ...
    feed = client.get("/visits/cic-stoke/agenda.ics").get_data(as_text=True)
    event = next(e for e in feed.split("BEGIN:VEVENT")[1:] if "SUMMARY:Welcome" in e)
    assert "SEQUENCE:1\r\n" in event  # ... the calendar does not
    assert "T091500" in event


def test_other_organisers_cannot_preview_or_notify(organiser, world):
    from eventsapp.errors import NotFound
    from tests.support import make_user

    other = make_user(email="other@example.org")
    with pytest.raises(NotFound):
        change_notices.preview(other, "cic-stoke")
    with pytest.raises(NotFound):
        change_notices.notify_now(other, "cic-stoke")
