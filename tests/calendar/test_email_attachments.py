"""Registration and booking emails carry the matching calendar as a text/calendar
attachment (method=PUBLISH), with the same UIDs, instants and SEQUENCEs as the
person's feed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from eventsapp.accounts import rules as users
from eventsapp.agenda.models import ItemKind
from eventsapp.extensions import db
from eventsapp.mail.attachments import rendered
from eventsapp.mail.delivery import build_email
from eventsapp.mail.models import OutboxMessage
from eventsapp.registration.models import RegistrationStatus
from eventsapp.registration.rules import attendees, notices, own_page, registering
from eventsapp.registration.rules.common import AttendeeDetails
from eventsapp.showcase.models import BookingFormat
from eventsapp.showcase.rules import booking as showcase_booking
from eventsapp.showcase.rules import decisions
from eventsapp.showcase.rules.common import BookingInput
from eventsapp.visits.models import RegistrationAccess, VisitStatus
from tests.calendar.readers import parse_both
from tests.support import (
    make_business,
    make_item,
    make_member,
    make_registration,
    make_showcase,
    make_venue,
    make_visit,
)


def last_sunday_of_october(year: int) -> date:
    day = date(year, 10, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


# British Summer Time ends on the visit's first day: 02:00 BST becomes 01:00 GMT.
CLOCKS_GO_BACK = last_sunday_of_october(datetime.now(UTC).year + 1)


@pytest.fixture
def visit(organiser):
    visit = make_visit(organisers=[organiser], slug="cic-stoke", start_date=CLOCKS_GO_BACK,
                       end_date=CLOCKS_GO_BACK + timedelta(days=1),
                       status=VisitStatus.PUBLISHED)
    venue = make_venue(visit, name="Spode Works, Stoke", latitude=53.009, longitude=-2.178)
    make_item(visit, "00:30", "02:30", title="Night screening", venue=venue)
    make_item(visit, "09:30", "10:15", day=1, title="Welcome; coffee, and café",
              venue=venue)
    make_item(visit, "11:00", "12:00", day=1, title="Studio tour", capacity=8)
    return visit


def details(email: str = "grace@example.org") -> AttendeeDetails:
    return AttendeeDetails(full_name="Grace Hopper", email=email, privacy_accepted=True)


def messages(topic: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.topic == topic).order_by(OutboxMessage.id)))


def last_message(registration, subject_start: str = "") -> OutboxMessage:
    found = messages(f"registration:{registration.id}")
    assert found, "no email queued"
    assert found[-1].subject.startswith(subject_start), found[-1].subject
    return found[-1]


def calendar_attachments(message: OutboxMessage) -> list[dict]:
    """The .ics attachments as the outbox worker makes them when it sends the email
    (a confirmation also carries the check-in code, an .svg)."""
    return [a for a in rendered(message) if a["filename"].endswith(".ics")]


def attached_events(message: OutboxMessage) -> dict[str, dict]:
    calendars = calendar_attachments(message)
    assert len(calendars) == 1
    attachment = calendars[0]
    assert attachment["content_type"] == "text/calendar; method=PUBLISH; charset=utf-8"
    assert attachment["filename"].endswith(".ics")
    assert "METHOD:PUBLISH" in attachment["content"]
    return parse_both(attachment["content"].encode("utf-8"))


def calendar_part(message: OutboxMessage):
    """The attachment as a mail client receives it: through build_email and bytes."""
    sent = message_from_bytes(bytes(build_email(message, "visits@example.org")),
                              policy=policy.default)
    assert sent.get_body(("plain",)).get_content().strip()  # the text is still there
    parts = [p for p in sent.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0]


def feed(client, token: str) -> dict[str, dict]:
    response = client.get(f"/feeds/{token}.ics")
    assert response.status_code == 200
    return parse_both(response.data)


# --- registrations ---------------------------------------------------------------------------


def test_confirmation_carries_the_attendees_agenda_with_the_right_instants(client, visit):
    night, welcome, tour = visit.items

    outcome = registering.register(visit.slug, details())

    events = attached_events(last_message(outcome.registration, "You're registered"))
    assert set(events) == {night.uid, welcome.uid}  # not the session they have no place on
    # 00:30 BST is 23:30 UTC the day before; 02:30 GMT (after the clocks go back) is
    # 02:30 UTC: three hours, not two.
    day_before = CLOCKS_GO_BACK - timedelta(days=1)
    assert events[night.uid]["start"] == datetime(*day_before.timetuple()[:3], 23, 30,
                                                  tzinfo=UTC)
    assert events[night.uid]["end"] == datetime(*CLOCKS_GO_BACK.timetuple()[:3], 2, 30,
                                                tzinfo=UTC)
    assert events[welcome.uid]["start"] == welcome.starts_at
    assert events[welcome.uid]["end"] == welcome.ends_at
    assert events[welcome.uid]["summary"] == "Welcome; coffee, and café"
    assert events[welcome.uid]["location"].startswith("Spode Works, Stoke")
    assert {e["status"] for e in events.values()} == {"CONFIRMED"}
    # The same events, SEQUENCEs included, as the attendee's personal feed.
    assert events == feed(client, notices.feed_token(outcome.registration))


def test_the_attachment_is_a_text_calendar_part_with_method_publish(visit):
    outcome = registering.register(visit.slug, details())
    message = last_message(outcome.registration)

    part = calendar_part(message)

    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "PUBLISH"
    assert part.get_content_charset() == "utf-8"
    assert part.get_filename() == "cic-stoke-my-agenda.ics"
    assert part.get_content_disposition() == "attachment"
    body = part.get_payload(decode=True)
    assert body.decode("utf-8") == calendar_attachments(message)[0]["content"]
    assert {e["summary"] for e in parse_both(body).values()} == {
        "Night screening", "Welcome; coffee, and café"}


def test_waitlisted_then_promoted_attendees_get_tentative_then_confirmed_events(client, visit):
    visit.capacity = 1
    db.session.commit()
    first = make_registration(visit)

    waiting = registering.register(visit.slug, details()).registration
    assert waiting.status is RegistrationStatus.WAITLISTED
    events = attached_events(last_message(waiting, "You're on the waiting list"))
    assert len(events) == 2
    assert {e["status"] for e in events.values()} == {"TENTATIVE"}

    own_page.cancel(notices.manage_token(first))

    events = attached_events(last_message(waiting, "A place is yours"))
    assert len(events) == 2
    assert {e["status"] for e in events.values()} == {"CONFIRMED"}


def test_an_approved_registration_gets_the_calendar_and_awaiting_approval_does_not(
        organiser, visit):
    visit.registration_access = RegistrationAccess.APPROVAL
    db.session.commit()
    pending = registering.register(visit.slug, details()).registration
    assert last_message(pending).attachments == []

    attendees.approve(organiser, visit.slug, pending.id)

    events = attached_events(last_message(pending, "Approved"))
    assert {e["status"] for e in events.values()} == {"CONFIRMED"}


def test_a_cancellation_email_has_no_calendar(visit):
    registration = registering.register(visit.slug, details()).registration
    own_page.cancel(notices.manage_token(registration))

    assert last_message(registration).attachments == []


# --- showcase bookings -----------------------------------------------------------------------


@pytest.fixture
def showcase(visit):
    item = make_item(visit, "13:30", "14:30", day=1, kind=ItemKind.SHOWCASE,
                     title="Member showcase", venue=visit.venues[0])
    return make_showcase(item, requires_approval=True)


@pytest.fixture
def business():
    business = make_business(name="Clayworks Studio")
    make_member(business, email="mina@clayworks.example")
    make_member(business, email="max@clayworks.example", name="Max Maker")
    return business


def booking_messages(booking, template_subject: str) -> list[OutboxMessage]:
    found = [m for m in messages(f"booking:{booking.id}")
             if m.subject.startswith(template_subject)]
    assert {m.to for m in found} == {"mina@clayworks.example", "max@clayworks.example"}
    return found


def member_feed(client, member) -> dict[str, dict]:
    return feed(client, users.feed_token(users.ensure_user_feed(member)))


def test_booking_emails_carry_the_slot_and_its_showcase(client, organiser, showcase, business):
    mina = business.people[0]
    item = showcase.item
    first, later = showcase.slots[0], showcase.slots[3]
    booking = showcase_booking.book(mina, first.id, BookingInput(
        title="Clay robots, live", description="", format=BookingFormat.DEMO))

    for message in booking_messages(booking, "Showcase booking received"):
        events = attached_events(message)
        assert set(events) == {item.uid, booking.uid}
        assert events[booking.uid]["status"] == "TENTATIVE"  # awaiting approval
        assert events[booking.uid]["start"] == first.starts_at
        assert events[booking.uid]["end"] == first.ends_at
        assert events[item.uid]["start"] == item.starts_at
        part = calendar_part(message)
        assert part.get_content_type() == "text/calendar"
        assert part.get_param("method") == "PUBLISH"
        assert part.get_filename() == f"cic-stoke-showcase-{booking.id}.ics"

    decisions.decide(organiser, "cic-stoke", booking.id, approve=True)

    for message in booking_messages(booking, "Showcase booking approved"):
        approved = attached_events(message)
        assert approved[booking.uid]["status"] == "CONFIRMED"
        assert approved[booking.uid] == member_feed(client, mina)[booking.uid]

    showcase_booking.move(mina, booking.id, later.id)

    for message in booking_messages(booking, "Showcase slot moved"):
        events = attached_events(message)
        assert events[booking.uid]["start"] == later.starts_at
        assert events[booking.uid]["end"] == later.ends_at
        assert events[booking.uid]["sequence"] == approved[booking.uid]["sequence"] + 1
        assert events[booking.uid] == member_feed(client, mina)[booking.uid]


def test_cancelling_a_booking_sends_no_calendar(showcase, business):
    mina = business.people[0]
    booking = showcase_booking.book(mina, showcase.slots[0].id, BookingInput(
        title="Clay robots", description="", format=BookingFormat.DEMO))
    showcase_booking.cancel(mina, booking.id)

    assert all(m.attachments for m in booking_messages(booking, "Showcase booking received"))
    assert all(m.attachments == []
               for m in booking_messages(booking, "Showcase booking cancelled"))
