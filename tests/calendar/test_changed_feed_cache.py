"""A feed whose registration changed status (every event with the registration's own
SEQUENCE and stamps added, e.g. a cancelled one) is built once per version like every
other feed, and never served stale: a new agenda or a raised counter rebuilds it."""

from __future__ import annotations

from eventsapp.cache import key_for
from eventsapp.calendar import feeds as calendar
from eventsapp.extensions import cache, db
from eventsapp.registration.models import ItemSignup, SignupStatus
from eventsapp.registration.rules import notices, own_page
from eventsapp.visits.stamps import stamp_by_id
from tests.calendar.test_feed_cache import WARM_QUERIES
from tests.calendar.test_feed_sync import backdate, events_of, showcase_visit, stamps
from tests.support import make_registration

BASE_URL = "http://localhost"  # what the test client's requests are served under


def cancelled_feed(organiser):
    """A published visit, an attendee with a place on its limited item who cancelled;
    every change an hour old (so that a change now moves the stamps)."""
    visit, _, welcome, tour, *_ = showcase_visit(organiser)
    attendee = make_registration(visit)
    db.session.add(ItemSignup(item=tour, registration=attendee, status=SignupStatus.CONFIRMED))
    db.session.commit()
    own_page.cancel(notices.manage_token(attendee))
    backdate()
    db.session.refresh(attendee)
    assert attendee.feed_sequence > 0
    return visit, welcome, attendee, f"/feeds/{notices.feed_token(attendee)}.ics"


def kept_pieces(visit, attendee):
    """What the cache keeps for this feed at the visit's current version."""
    what = ("attendee feed", visit.id, BASE_URL, "CANCELLED", attendee.feed_sequence,
            attendee.feed_changed_at)
    return cache.get(key_for(what, stamp_by_id(visit.id).key))


def test_a_cancelled_registrations_feed_is_built_once(client, organiser, count_queries):
    visit, _, attendee, url = cancelled_feed(organiser)
    with count_queries() as cold:
        first = client.get(url)
    assert kept_pieces(visit, attendee) is not None
    with count_queries() as warm:
        second = client.get(url)
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]
    assert {str(e["STATUS"]) for e in events_of(second.data).values()} == {"CANCELLED"}
    assert warm.count < cold.count, (cold.statements, warm.statements)
    assert warm.count == WARM_QUERIES["personal feed"], warm.statements

    repeat = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert repeat.status_code == 304
    assert repeat.data == b""


def test_an_edited_agenda_item_is_in_the_cancelled_feed_at_once(client, organiser):
    visit, welcome, attendee, url = cancelled_feed(organiser)
    before = client.get(url)
    client.get(url)

    welcome.title = "Welcome back"
    db.session.commit()
    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    old, new = events_of(before.data)[welcome.uid], events_of(after.data)[welcome.uid]
    assert (str(old["SUMMARY"]), str(new["SUMMARY"])) == ("Welcome", "Welcome back")
    assert str(new["STATUS"]) == "CANCELLED"
    assert stamps(new)[1:] > stamps(old)[1:]  # DTSTAMP and LAST-MODIFIED moved
    assert after.headers["ETag"] != before.headers["ETag"]


def test_a_raised_feed_counter_is_in_the_feed_at_once(client, organiser):
    """The registration's counter is not the visit's content: the cache is keyed by it."""
    visit, _, attendee, url = cancelled_feed(organiser)
    before = client.get(url)
    version = stamp_by_id(visit.id).key

    attendee.touch_feed()
    db.session.commit()
    assert stamp_by_id(visit.id).key == version
    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    old, new = events_of(before.data), events_of(after.data)
    assert set(old) == set(new)
    for uid, event in new.items():
        assert str(event["STATUS"]) == "CANCELLED", uid
        assert stamps(event)[0] == stamps(old[uid])[0] + 1, uid  # SEQUENCE
        assert stamps(event)[1] > stamps(old[uid])[1], uid  # DTSTAMP
    assert client.get(url).data == after.data


def test_attendees_with_different_counters_get_their_own_feed(client, organiser):
    visit, _, attendee, url = cancelled_feed(organiser)
    other = make_registration(visit, email="other@example.org")
    other.status = other.status.__class__("cancelled")
    db.session.commit()
    other_url = f"/feeds/{notices.feed_token(other)}.ics"
    mine, theirs = client.get(url), client.get(other_url)
    assert mine.data != theirs.data
    assert client.get(url).data == mine.data
    assert client.get(other_url).data == theirs.data
    assert calendar.attendee_feed(notices.feed_token(other), BASE_URL).body == theirs.data
