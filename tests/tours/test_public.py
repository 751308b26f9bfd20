"""The tour's page and calendars: every published visit and the travel legs, under
a visit's feed rules (stable UIDs, SEQUENCE, tombstones, 304s, shared caching)."""

from __future__ import annotations

import json

from eventsapp.extensions import db
from eventsapp.tours.rules import building
from eventsapp.visits.models import VisitStatus
from tests.support import make_item
from tests.tours.world import make_tour


def events(body: str) -> dict[str, dict[str, str]]:
    """VEVENTs by UID: their unfolded properties (name without parameters -> value)."""
    found = {}
    text = body.replace("\r\n ", "")
    for chunk in text.split("BEGIN:VEVENT")[1:]:
        props = {}
        for line in chunk.split("END:VEVENT")[0].strip().split("\r\n"):
            name, _, value = line.partition(":")
            props[name.split(";")[0]] = value
        found[props["UID"]] = props
    return found


def test_page_shows_legs_and_visits_in_order(client, app):
    world = make_tour()
    world.visits[2].status = VisitStatus.DRAFT
    db.session.commit()
    page = client.get("/tours/smaller-cities/")
    assert page.status_code == 200
    text = page.text
    assert text.index("Delegation: Coventry") < text.index("Coventry station → Stoke-on-Trent")
    assert text.index("Coventry station → Stoke-on-Trent") < text.index("Delegation: Stoke")
    assert "Delegation: Hull" not in text  # a draft is not shown
    assert 'href="/visits/tour-coventry/"' in text
    assert "public" in page.headers["Cache-Control"]
    assert client.get("/tours/nope/").status_code == 404


def test_feed_combines_published_visits_and_legs(client, app):
    world = make_tour()
    coventry, stoke, hull = world.visits
    hull.status = VisitStatus.DRAFT
    db.session.commit()
    never = make_tour_visit_never_published(world)
    talk = make_item(coventry, title="Launch")
    studio = make_item(stoke, title="Studio tour")
    draft_item = make_item(hull, title="Not yet")
    response = client.get("/tours/smaller-cities/agenda.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "public" in response.headers["Cache-Control"]
    found = events(response.text)
    assert {talk.uid, studio.uid, draft_item.uid, *(leg.uid for leg in world.legs)} == set(found)
    # Hull was published once and went back to draft: its events leave calendars.
    assert found[draft_item.uid]["STATUS"] == "CANCELLED"
    assert found[talk.uid]["STATUS"] == "CONFIRMED"
    assert never.uid not in found  # never published: never in any calendar
    leg = found[world.legs[0].uid]
    assert leg["SUMMARY"] == "Rail: Coventry station to Stoke-on-Trent station"
    assert leg["STATUS"] == "CONFIRMED" and leg["SEQUENCE"] == "0"
    # Unchanged: the same bytes, and a 304 for the ETag or the date.
    again = client.get("/tours/smaller-cities/agenda.ics",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    since = client.get("/tours/smaller-cities/agenda.ics",
                       headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert since.status_code == 304


def make_tour_visit_never_published(world):
    from eventsapp.tours.models import TourStop
    from tests.support import make_visit

    visit = make_visit(slug="tour-derby", title="Delegation: Derby", city="Derby")
    db.session.add(TourStop(tour=world.tour, visit=visit, position=3))
    db.session.commit()
    return make_item(visit, title="Secret")


def test_removed_leg_and_visit_stay_as_cancelled(client, app):
    world = make_tour()
    coventry, stoke, _ = world.visits
    talk = make_item(coventry, title="Launch")
    before = client.get("/tours/smaller-cities/agenda.ics")
    building.delete_leg(world.convenor, "smaller-cities", world.legs[1].id)
    stop = next(s for s in world.tour.stops if s.visit_id == coventry.id)
    building.remove_visit(world.convenor, "smaller-cities", stop.id)
    after = client.get("/tours/smaller-cities/agenda.ics",
                       headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    found = events(after.text)
    assert found[world.legs[1].uid]["STATUS"] == "CANCELLED"
    assert found[world.legs[1].uid]["SEQUENCE"] == "1"
    assert found[talk.uid]["STATUS"] == "CANCELLED"
    assert int(found[talk.uid]["SEQUENCE"]) == talk.sequence + 1
    assert "Delegation: Coventry" not in client.get("/tours/smaller-cities/").text


def test_moved_leg_raises_sequence(client, app):
    world = make_tour()
    leg = world.legs[0]
    fields = building.LegFields(
        mode="rail", departs_from=leg.departs_from,
        departs_at=leg.departs_at.astimezone(leg.zone).replace(tzinfo=None, hour=18),
        arrives_at_place=leg.arrives_at_place,
        arrives_at=leg.arrives_at.astimezone(leg.zone).replace(tzinfo=None, hour=21),
        from_visit_id=leg.from_visit_id, to_visit_id=leg.to_visit_id)
    building.update_leg(world.convenor, "smaller-cities", leg.id, fields)
    found = events(client.get("/tours/smaller-cities/agenda.ics").text)
    assert found[leg.uid]["SEQUENCE"] == "1"
    assert found[leg.uid]["DTSTART"].endswith("T180000")


def test_json(client, app):
    world = make_tour()
    make_item(world.visits[0], title="Launch")
    response = client.get("/tours/smaller-cities/agenda.json")
    document = json.loads(response.data)
    assert [v["visit"]["slug"] for v in document["visits"]] == [
        "tour-coventry", "tour-stoke", "tour-hull"]
    assert document["legs"][0]["uid"] == world.legs[0].uid
    assert document["legs"][0]["departs_at"].endswith(("+00:00", "+01:00"))
    assert client.get("/tours/smaller-cities/agenda.json", headers={
        "If-None-Match": response.headers["ETag"]}).status_code == 304
