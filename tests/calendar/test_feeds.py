"""Calendar feeds over HTTP: contents, personal feeds, changes and conditional GETs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from eventsapp.accounts import rules as users
from eventsapp.agenda import rules as agenda
from eventsapp.agenda.models import ItemStatus
from eventsapp.agenda.rules import ItemInput
from eventsapp.calendar import feeds as calendar
from eventsapp.extensions import db
from eventsapp.registration.models import ItemSignup, RegistrationStatus, SignupStatus
from eventsapp.registration.rules import notices, own_page
from eventsapp.timezones import to_local
from eventsapp.visits.models import VisitStatus
from tests.calendar.readers import parse_both
from tests.support import (
    make_item,
    make_items,
    make_registration,
    make_user,
    make_venue,
    make_visit,
)


def published(organiser, **overrides):
    return make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED, **overrides)


def feed_token(registration) -> str:
    return notices.feed_token(registration)


def test_visit_agenda_lists_every_item_with_venue_and_times(client, organiser):
    visit = published(organiser)
    venue = make_venue(visit, latitude=53.0090, longitude=-2.1779)
    welcome = make_item(visit, "09:30", "10:15", title="Welcome, and why we're here",
                        venue=venue)
    cancelled = make_item(visit, "11:00", "12:00", title="Studio tour",
                          status=ItemStatus.CANCELLED)

    response = client.get(f"/visits/{visit.slug}/agenda.ics")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="test-visit.ics"'
    assert "max-age" in response.headers["Cache-Control"]
    events = parse_both(response.data)
    assert events[welcome.uid]["summary"] == "Welcome, and why we're here"
    assert events[welcome.uid]["start"] == welcome.starts_at
    assert events[welcome.uid]["location"].startswith("Spode Works, ")
    assert events[welcome.uid]["status"] == "CONFIRMED"
    assert events[cancelled.uid]["status"] == "CANCELLED"
    assert b"GEO:53.009000;-2.177900" in response.data
    assert f"URL:http://localhost/visits/{visit.slug}/#item-{welcome.id}".encode() in response.data


def test_draft_visit_has_no_public_feed(client, organiser):
    visit = make_visit(organisers=[organiser])
    make_item(visit)
    assert client.get(f"/visits/{visit.slug}/agenda.ics").status_code == 404
    assert client.get("/visits/nope/agenda.ics").status_code == 404


def test_unchanged_feed_is_byte_identical_and_answers_304(client, organiser):
    visit = published(organiser)
    make_items(visit, 5)
    first = client.get(f"/visits/{visit.slug}/agenda.ics")
    second = client.get(f"/visits/{visit.slug}/agenda.ics")

    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith('W/')

    again = client.get(f"/visits/{visit.slug}/agenda.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    since = client.get(f"/visits/{visit.slug}/agenda.ics",
                       headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304


def test_changing_an_items_time_raises_sequence_by_one_and_changes_the_etag(
        client, organiser):
    visit = published(organiser)
    item = make_item(visit, "09:00", "10:00", title="Welcome")
    before = client.get(f"/visits/{visit.slug}/agenda.ics")
    old = parse_both(before.data)[item.uid]

    wall = to_local(item.starts_at, visit.zone).replace(tzinfo=None)
    agenda.update_item(organiser, visit.slug, item.id, ItemInput(
        kind=item.kind, title="Welcome", starts_local=wall + timedelta(minutes=30),
        ends_local=wall + timedelta(minutes=90)))

    after = client.get(f"/visits/{visit.slug}/agenda.ics",
                       headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    new = parse_both(after.data)[item.uid]  # same UID
    assert new["sequence"] == old["sequence"] + 1
    assert new["start"] == old["start"] + timedelta(minutes=30)


def test_a_deleted_item_of_a_published_visit_stays_as_cancelled(client, organiser):
    visit = published(organiser)
    item = make_item(visit, title="Round-table")
    agenda.delete_item(organiser, visit.slug, item.id)

    events = parse_both(client.get(f"/visits/{visit.slug}/agenda.ics").data)

    assert events[item.uid]["status"] == "CANCELLED"
    assert events[item.uid]["sequence"] == 1
    # Once the visit is over, the tombstone goes.
    later = datetime.combine(visit.end_date + timedelta(days=2), datetime.min.time(),
                             tzinfo=UTC)
    feed = calendar.visit_feed(visit.slug, "http://x", now=later)
    assert item.uid.encode() not in feed.body


def test_single_item_file(client, organiser):
    visit = published(organiser)
    item = make_item(visit, title="Studio tour")
    make_item(visit, "11:00", "12:00", title="Lunch")
    response = client.get(f"/visits/{visit.slug}/items/{item.id}.ics")
    events = parse_both(response.data)
    assert list(events) == [item.uid]
    assert client.get(f"/visits/{visit.slug}/items/999999.ics").status_code == 404


def test_attendee_feed_holds_open_items_and_their_sign_ups(client, organiser):
    visit = published(organiser)
    open_item = make_item(visit, "09:00", "10:00", title="Welcome")
    limited = make_item(visit, "11:00", "12:00", title="Studio tour", capacity=5)
    other_limited = make_item(visit, "14:00", "15:00", title="Workshop", capacity=5)
    registration = make_registration(visit)
    db.session.add(ItemSignup(item=limited, registration=registration,
                              status=SignupStatus.CONFIRMED))
    db.session.commit()

    response = client.get(f"/feeds/{feed_token(registration)}.ics")

    assert response.status_code == 200
    assert "private" in response.headers["Cache-Control"]
    events = parse_both(response.data)
    assert set(events) == {open_item.uid, limited.uid}
    assert other_limited.uid not in events
    assert {e["status"] for e in events.values()} == {"CONFIRMED"}


def test_waitlisted_attendee_sees_tentative_items(client, organiser):
    visit = published(organiser)
    item = make_item(visit)
    registration = make_registration(visit, status=RegistrationStatus.WAITLISTED)
    events = parse_both(client.get(f"/feeds/{feed_token(registration)}.ics").data)
    assert events[item.uid]["status"] == "TENTATIVE"


def test_manage_token_is_not_a_feed_token_and_reset_kills_the_old_link(client, organiser):
    visit = published(organiser)
    make_item(visit)
    registration = make_registration(visit)
    manage = notices.manage_token(registration)
    old_feed = feed_token(registration)
    assert manage != old_feed
    assert client.get(f"/feeds/{manage}.ics").status_code == 404

    own_page.reset_feed(manage)

    db.session.refresh(registration)
    assert client.get(f"/feeds/{old_feed}.ics").status_code == 404
    assert client.get(f"/feeds/{feed_token(registration)}.ics").status_code == 200
    assert client.get("/feeds/not-a-token.ics").status_code == 404


def test_organiser_feed_has_every_visit_they_run(client, organiser):
    first = published(organiser, slug="first")
    second = make_visit(organisers=[organiser], slug="second")  # a draft
    someone_else = make_user(email="other@example.org")
    third = published(someone_else, slug="third")
    a, b, c = make_item(first), make_item(second), make_item(third)

    organiser = users.ensure_user_feed(organiser)  # accounts made before feeds had none
    token = users.feed_token(organiser)
    events = parse_both(client.get(f"/feeds/{token}.ics").data)

    assert set(events) == {a.uid, b.uid}
    assert events[b.uid]["status"] == "TENTATIVE"
    assert c.uid not in events


def test_agenda_json(client, organiser):
    visit = published(organiser)
    venue = make_venue(visit)
    item = make_item(visit, "09:30", "10:15", venue=venue, title="Welcome")
    response = client.get(f"/visits/{visit.slug}/agenda.json")
    assert response.status_code == 200
    document = response.json
    assert document["visit"]["slug"] == visit.slug
    assert document["visit"]["timezone"] == "Europe/London"
    day = next(d for d in document["days"] if d["items"])
    entry = day["items"][0]
    assert entry["uid"] == item.uid
    assert entry["starts_at"] == to_local(item.starts_at, visit.zone).isoformat()
    assert entry["starts_at"].endswith(("+00:00", "+01:00"))
    assert entry["venue"]["name"] == venue.name
    assert entry["status"] == "confirmed"


def test_agenda_ics_query_count_does_not_grow_with_the_agenda(client, organiser,
                                                              count_queries):
    small = published(organiser, slug="small")
    large = published(organiser, slug="large")
    venue_small, venue_large = make_venue(small), make_venue(large)
    make_items(small, 10, venue=venue_small)
    make_items(large, 300, venue=venue_large)

    with count_queries() as few:
        assert client.get("/visits/small/agenda.ics").status_code == 200
    with count_queries() as many:
        assert client.get("/visits/large/agenda.ics").status_code == 200

    assert few.count == many.count
    assert len(parse_both(client.get("/visits/large/agenda.ics").data)) == 300
