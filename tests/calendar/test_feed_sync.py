"""Calendars stay in sync (issue 13): every event whose status changes raises SEQUENCE
and moves DTSTAMP/LAST-MODIFIED in every feed that holds it; a booking that was
public stays as CANCELLED; Last-Modified is the newest change in the body; every
event names its ORGANIZER. Each test reads the served bytes before and after."""

from __future__ import annotations

from datetime import timedelta

import icalendar
from sqlalchemy import update

from eventsapp.accounts import rules as users
from eventsapp.agenda.models import AgendaItem, ItemKind
from eventsapp.calendar import feeds as calendar
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.registration.models import ItemSignup, Registration, SignupStatus
from eventsapp.registration.rules import limited_items, notices, own_page
from eventsapp.showcase.models import ShowcaseBooking
from eventsapp.showcase.rules import booking as showcase_booking
from eventsapp.showcase.rules import decisions
from eventsapp.visits import rules as visits
from eventsapp.visits.models import Venue, Visit, VisitStatus
from eventsapp.visits.rules import VenueInput
from tests.support import (
    make_booking,
    make_business,
    make_item,
    make_member,
    make_registration,
    make_showcase,
    make_venue,
    make_visit,
)


def events_of(body: bytes) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def stamps(event: icalendar.Event) -> tuple:
    return (int(event["SEQUENCE"]), event.decoded("DTSTAMP"), event.decoded("LAST-MODIFIED"))


def backdate() -> None:
    """Every stored change an hour ago, so that a change now moves the stamps (which
    have a resolution of one second) whatever the speed of the test."""
    hour_ago = utcnow() - timedelta(hours=1)
    for model in (Visit, Venue, AgendaItem, ShowcaseBooking, Registration):
        db.session.execute(update(model).values(created_at=hour_ago, updated_at=hour_ago))
    db.session.execute(update(Registration).where(Registration.feed_changed_at.is_not(None))
                       .values(feed_changed_at=hour_ago))
    db.session.commit()
    calendar.clear_cache()


def showcase_visit(organiser, **overrides):
    """A published visit: an open item, a limited item, a showcase item with an
    approved booking (Clayworks) and a pending one (Pixel), all at Spode Works."""
    visit = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED, **overrides)
    venue = make_venue(visit)
    welcome = make_item(visit, "09:00", "10:00", title="Welcome", venue=venue)
    tour = make_item(visit, "10:30", "11:30", title="Studio tour", venue=venue, capacity=5)
    item = make_item(visit, "13:00", "14:00", kind=ItemKind.SHOWCASE, title="Showcase",
                     venue=venue)
    slots = make_showcase(item).slots
    clayworks, pixel = make_business(), make_business(name="Pixel Foundry")
    approved = make_booking(slots[0], clayworks, title="Clay robots")
    pending = make_booking(slots[1], pixel, status="pending", title="Pixel wall")
    return visit, venue, welcome, tour, item, approved, pending


def test_cancelling_a_registration_cancels_every_event_of_the_feed_and_moves_its_stamps(
        client, organiser):
    visit, _, welcome, tour, item, approved, _ = showcase_visit(organiser)
    attendee = make_registration(visit)
    db.session.add(ItemSignup(item=tour, registration=attendee, status=SignupStatus.CONFIRMED))
    db.session.commit()
    backdate()
    url = f"/feeds/{notices.feed_token(attendee)}.ics"
    before_response = client.get(url)
    before = events_of(before_response.data)
    assert set(before) == {welcome.uid, tour.uid, item.uid, approved.uid}
    assert {str(e["STATUS"]) for e in before.values()} == {"CONFIRMED"}

    own_page.cancel(notices.manage_token(attendee))

    after_response = client.get(url)
    after = events_of(after_response.data)
    assert set(after) == set(before)  # nothing vanishes: every event says CANCELLED
    for uid, event in after.items():
        assert str(event["STATUS"]) == "CANCELLED", uid
        sequence, dtstamp, modified = stamps(event)
        old_sequence, old_dtstamp, old_modified = stamps(before[uid])
        assert sequence > old_sequence, uid
        assert dtstamp > old_dtstamp and modified > old_modified, uid
    # The feed's validators move with it: the old ones no longer answer 304.
    assert after_response.headers["ETag"] != before_response.headers["ETag"]
    assert after_response.last_modified > before_response.last_modified
    since = client.get(url, headers={"If-Modified-Since": before_response.headers["Last-Modified"]})
    assert since.status_code == 200


def test_a_waitlisted_attendee_promoted_sees_a_higher_sequence(client, organiser):
    visit = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED)
    welcome = make_item(visit, title="Welcome")
    from eventsapp.registration.models import RegistrationStatus

    attendee = make_registration(visit, status=RegistrationStatus.WAITLISTED)
    backdate()
    url = f"/feeds/{notices.feed_token(attendee)}.ics"
    before = events_of(client.get(url).data)[welcome.uid]
    assert str(before["STATUS"]) == "TENTATIVE"

    attendee = db.session.get(Registration, attendee.id)
    attendee.status = RegistrationStatus.CONFIRMED
    db.session.commit()

    after = events_of(client.get(url).data)[welcome.uid]
    assert str(after["STATUS"]) == "CONFIRMED"
    assert stamps(after)[0] == stamps(before)[0] + 1
    assert stamps(after)[1] > stamps(before)[1]


def test_a_place_on_a_session_from_its_waiting_list_and_leaving_it_move_the_stamps(
        client, organiser):
    visit = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED)
    tour = make_item(visit, "11:00", "12:00", title="Studio tour", capacity=1)
    first, second = make_registration(visit), make_registration(visit)
    limited_items.sign_up(notices.manage_token(first), tour.id)
    limited_items.sign_up(notices.manage_token(second), tour.id)  # waiting for the place
    backdate()
    url = f"/feeds/{notices.feed_token(second)}.ics"
    waiting = events_of(client.get(url).data)[tour.uid]
    assert str(waiting["STATUS"]) == "TENTATIVE"

    limited_items.leave(notices.manage_token(first), tour.id)  # the place goes to second

    placed = events_of(client.get(url).data)[tour.uid]
    assert str(placed["STATUS"]) == "CONFIRMED"
    assert stamps(placed)[0] > stamps(waiting)[0]
    assert stamps(placed)[1] > stamps(waiting)[1]
    backdate()
    placed = events_of(client.get(url).data)[tour.uid]

    limited_items.leave(notices.manage_token(second), tour.id)

    left = events_of(client.get(url).data)[tour.uid]  # still there, as cancelled
    assert str(left["STATUS"]) == "CANCELLED"
    assert stamps(left)[0] > stamps(placed)[0]
    assert stamps(left)[1] > stamps(placed)[1]

    limited_items.sign_up(notices.manage_token(second), tour.id)  # and back again

    again = events_of(client.get(url).data)[tour.uid]
    assert str(again["STATUS"]) == "CONFIRMED"
    assert stamps(again)[0] > stamps(left)[0]


def test_a_venue_address_change_moves_the_stamps_of_its_showcase_bookings(client, organiser):
    visit, venue, welcome, _, item, approved, _ = showcase_visit(organiser)
    backdate()
    url = f"/visits/{visit.slug}/agenda.ics"
    before = events_of(client.get(url).data)

    visits.update_venue(organiser, visit.slug, venue.id, VenueInput(
        name=venue.name, address="Elenora Street, Stoke-on-Trent ST4 1QR"))

    after = events_of(client.get(url).data)
    for uid in (welcome.uid, item.uid, approved.uid):
        assert "ST4 1QR" in str(after[uid]["LOCATION"]), uid
        assert stamps(after[uid])[1] > stamps(before[uid])[1], uid  # DTSTAMP
        assert stamps(after[uid])[2] > stamps(before[uid])[2], uid  # LAST-MODIFIED


def test_declining_an_approved_booking_keeps_it_as_cancelled_in_public_feeds(
        client, organiser):
    visit, _, _, _, item, approved, _ = showcase_visit(organiser)
    backdate()
    urls = (f"/visits/{visit.slug}/agenda.ics", f"/visits/{visit.slug}/items/{item.id}.ics")
    before = {url: client.get(url) for url in urls}
    for response in before.values():
        assert str(events_of(response.data)[approved.uid]["STATUS"]) == "CONFIRMED"

    decisions.decide(organiser, visit.slug, approved.id, approve=False, message="Sorry.")

    for url in urls:
        response = client.get(url)
        event = events_of(response.data)[approved.uid]
        old = events_of(before[url].data)[approved.uid]
        assert str(event["STATUS"]) == "CANCELLED", url
        assert stamps(event)[0] > stamps(old)[0], url
        assert stamps(event)[1] > stamps(old)[1], url
        # Last-Modified moved, so If-Modified-Since with the old one gets the new body.
        assert response.last_modified > before[url].last_modified, url
        since = client.get(url, headers={
            "If-Modified-Since": before[url].headers["Last-Modified"]})
        assert since.status_code == 200, url


def test_a_member_cancelling_an_approved_booking_keeps_it_as_cancelled(client, organiser):
    visit, _, _, _, _, approved, _ = showcase_visit(organiser)
    member = make_member(approved.business, email="mina@clayworks.example")
    backdate()
    url = f"/visits/{visit.slug}/agenda.ics"
    old = events_of(client.get(url).data)[approved.uid]

    showcase_booking.cancel(member, approved.id)

    event = events_of(client.get(url).data)[approved.uid]
    assert str(event["STATUS"]) == "CANCELLED"
    assert stamps(event)[0] > stamps(old)[0]


def test_a_pending_booking_declined_never_appears_publicly(client, organiser):
    visit, _, _, _, item, _, pending = showcase_visit(organiser)
    assert pending.uid not in events_of(client.get(f"/visits/{visit.slug}/agenda.ics").data)

    decisions.decide(organiser, visit.slug, pending.id, approve=False)

    for url in (f"/visits/{visit.slug}/agenda.ics", f"/visits/{visit.slug}/items/{item.id}.ics"):
        assert pending.uid not in events_of(client.get(url).data), url


def test_unpublishing_a_visit_raises_the_sequence_in_attendee_and_organiser_feeds(
        client, organiser):
    visit = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED)
    welcome = make_item(visit, title="Welcome")
    attendee = make_registration(visit)
    organiser = users.ensure_user_feed(organiser)
    backdate()
    urls = (f"/feeds/{notices.feed_token(attendee)}.ics",
            f"/feeds/{users.feed_token(organiser)}.ics")
    before = {url: events_of(client.get(url).data)[welcome.uid] for url in urls}

    visits.set_visit_status(organiser, visit.slug, VisitStatus.DRAFT)

    for url, wanted in zip(urls, ("CANCELLED", "TENTATIVE"), strict=True):
        event = events_of(client.get(url).data)[welcome.uid]
        assert str(event["STATUS"]) == wanted
        assert stamps(event)[0] > stamps(before[url])[0]
        assert stamps(event)[1] > stamps(before[url])[1]


def organizer_of(event: icalendar.Event) -> tuple[str, str]:
    organizer = event["ORGANIZER"]
    return str(organizer.params.get("CN")), str(organizer)


def test_every_event_names_the_visits_contact_as_organizer(client, organiser):
    visit, _, welcome, _, _, approved, _ = showcase_visit(
        organiser, host="Platform", contact_email="visits@platform.example")

    body = client.get(f"/visits/{visit.slug}/agenda.ics").data

    assert b"METHOD:PUBLISH" in body
    events = events_of(body)
    for uid in (welcome.uid, approved.uid):
        assert organizer_of(events[uid]) == ("Platform", "mailto:visits@platform.example")


def test_without_a_contact_email_the_organizer_is_the_sites_sender(client, app, organiser):
    visit = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED,
                       host="Stoke: Clusters, Ltd", contact_email="")
    welcome = make_item(visit)

    events = events_of(client.get(f"/visits/{visit.slug}/agenda.ics").data)

    assert organizer_of(events[welcome.uid]) == (
        "Stoke: Clusters, Ltd", f"mailto:{app.config['MAIL_FROM']}")


def test_a_feed_of_several_visits_gives_each_event_its_own_visits_organizer(
        client, organiser):
    first = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED, slug="first",
                       host="Platform", contact_email="a@platform.example")
    second = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED, slug="second",
                        host="Makers Guild", contact_email="b@guild.example")
    a, b = make_item(first), make_item(second)
    organiser = users.ensure_user_feed(organiser)

    events = events_of(client.get(f"/feeds/{users.feed_token(organiser)}.ics").data)

    assert organizer_of(events[a.uid]) == ("Platform", "mailto:a@platform.example")
    assert organizer_of(events[b.uid]) == ("Makers Guild", "mailto:b@guild.example")
