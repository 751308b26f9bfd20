"""The tour's calendars are rebuilt only when what they show changes, whoever changed it:
an unchanged feed answers 304; an edit to a stop visit's item, the order of the visits
or a leg is in the next fetch, with a raised SEQUENCE where an event changed."""

from __future__ import annotations

import json

from eventsapp.agenda.models import ItemStatus
from eventsapp.agenda.rules import set_item_status
from eventsapp.tours.rules import building, registering
from tests.support import add_to_organisation, make_item, make_user
from tests.tours.test_personal_feed import feed_path
from tests.tours.test_public import events
from tests.tours.world import make_tour

ICS = "/tours/smaller-cities/agenda.ics"
JSON = "/tours/smaller-cities/agenda.json"


def host_organiser(visit):
    user = make_user(f"organiser@{visit.slug}.example", organisation=None)
    add_to_organisation(visit.organisation, user, "organiser")
    return user


def test_an_unchanged_feed_is_a_304_and_an_item_edit_is_seen(client, app):
    world = make_tour()
    stoke = world.visits[1]
    studio = make_item(stoke, title="Studio tour")
    first = client.get(ICS)
    assert first.status_code == 200
    assert first.headers["Cache-Control"].startswith("public")
    again = client.get(ICS, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["ETag"] == first.headers["ETag"]

    # The host cancels the item on its own visit: the tour's feed shows it at once.
    set_item_status(host_organiser(stoke), stoke.slug, studio.id, ItemStatus.CANCELLED)
    changed = client.get(ICS, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    before = events(first.text)[studio.uid]
    after = events(changed.text)[studio.uid]
    assert after["STATUS"] == "CANCELLED"
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert client.get(ICS, headers={"If-None-Match": changed.headers["ETag"]}
                      ).status_code == 304


def test_the_json_follows_the_tours_own_changes(client, app):
    world = make_tour()
    first = client.get(JSON)
    assert first.headers["Cache-Control"].startswith("public")
    assert client.get(JSON, headers={"If-None-Match": first.headers["ETag"]}
                      ).status_code == 304
    # Moving a visit changes no visit, only the tour: still seen at the next fetch.
    stop = next(s for s in world.tour.stops if s.visit_id == world.visits[2].id)
    building.move_visit(world.convenor, "smaller-cities", stop.id, -1)
    moved = client.get(JSON, headers={"If-None-Match": first.headers["ETag"]})
    assert moved.status_code == 200
    assert [v["visit"]["slug"] for v in json.loads(moved.data)["visits"]] == [
        "tour-coventry", "tour-hull", "tour-stoke"]


def test_the_personal_feed_is_private_and_follows_item_edits(client, app):
    world = make_tour()
    coventry = world.visits[0]
    launch = make_item(coventry, title="Launch")
    outcome = registering.register("smaller-cities", registering.Delegate(
        "Ada", "ada@example.org", privacy_accepted=True),
        registering.Choices(frozenset({coventry.id})))
    first = client.get(feed_path(outcome))
    assert first.headers["Cache-Control"].startswith("private")
    assert client.get(feed_path(outcome), headers={"If-None-Match": first.headers["ETag"]}
                      ).status_code == 304
    set_item_status(host_organiser(coventry), coventry.slug, launch.id, ItemStatus.CANCELLED)
    changed = client.get(feed_path(outcome), headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    before, after = events(first.text)[launch.uid], events(changed.text)[launch.uid]
    assert after["STATUS"] == "CANCELLED"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
