"""The delegate's own feed: every visit and leg they joined; what they leave stays,
cancelled, so their calendar drops it."""

from __future__ import annotations

from eventsapp.accounts import tokens
from eventsapp.extensions import db
from eventsapp.tours.models import TourRegistration
from eventsapp.tours.rules import registering
from tests.support import make_item
from tests.tours.test_public import events
from tests.tours.world import make_tour


def feed_path(outcome) -> str:
    delegate = db.session.get(TourRegistration, outcome.tour_registration_id)
    return f"/tours/feeds/{tokens.make(tokens.FEED, delegate.token_nonce)}.ics"


def test_feed_holds_joined_visits_and_legs(client, app):
    world = make_tour(capacity=1)
    coventry, stoke, hull = world.visits
    launch, studio, docks = (make_item(v, title=t) for v, t in
                             ((coventry, "Launch"), (stoke, "Studio"), (hull, "Docks")))
    registering.register("smaller-cities", registering.Delegate(
        "First", "first@example.org", privacy_accepted=True),
        registering.Choices(frozenset({stoke.id})))
    outcome = registering.register("smaller-cities", registering.Delegate(
        "Ada", "ada@example.org", privacy_accepted=True),
        registering.Choices(frozenset({coventry.id, stoke.id})))
    response = client.get(feed_path(outcome))
    assert response.status_code == 200
    assert "private" in response.headers["Cache-Control"]
    found = events(response.text)
    assert found[launch.uid]["STATUS"] == "CONFIRMED"
    assert found[studio.uid]["STATUS"] == "TENTATIVE"  # waiting for Stoke
    assert docks.uid not in found
    # Not confirmed at both ends and not ticked: the Coventry-Stoke leg is not hers.
    assert world.legs[0].uid not in found
    assert client.get(feed_path(outcome), headers={
        "If-None-Match": response.headers["ETag"]}).status_code == 304

    registering.change(outcome.manage_token, registering.Delegate(
        "Ada", "ada@example.org", privacy_accepted=True),
        registering.Choices(frozenset({coventry.id}), leg_ids=frozenset({world.legs[0].id})))
    found = events(client.get(feed_path(outcome)).text)
    assert found[studio.uid]["STATUS"] == "CANCELLED"  # left Stoke: dropped by calendars
    assert int(found[studio.uid]["SEQUENCE"]) > studio.sequence
    assert found[launch.uid]["STATUS"] == "CONFIRMED"
    assert found[world.legs[0].uid]["STATUS"] == "CONFIRMED"  # ticked

    registering.cancel(outcome.manage_token)
    found = events(client.get(feed_path(outcome)).text)
    assert {e["STATUS"] for e in found.values()} == {"CANCELLED"}
    assert client.get("/tours/feeds/not-a-token.ics").status_code == 404
