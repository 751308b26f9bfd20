"""The convenor's side: tours, visits in order, legs, the dashboard, and who may do what."""

from __future__ import annotations

import re

from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.registration.models import RegistrationStatus
from eventsapp.tours.models import Tour, TourStop, TravelLeg
from tests.conftest import login
from tests.support import make_organisation, make_registration, make_user, make_visit
from tests.tours.world import make_tour, viewer_of


def csrf(page) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)


def test_convenor_creates_a_tour_with_field_messages(client, app):
    world = make_tour()
    login(client, world.convenor)
    page = client.get("/organiser/tours/")
    assert "Revitalising smaller cities" in page.text
    token = csrf(page)
    bad = client.post("/organiser/tours/", data={
        "csrf_token": token, "organisation_id": str(world.convenor_organisation.id),
        "title": "Northern tour", "slug": "Not A Slug!"})
    assert bad.status_code == 422
    assert "Use lower-case letters, digits and single hyphens" in bad.text
    assert 'value="Northern tour"' in bad.text
    taken = client.post("/organiser/tours/", data={
        "csrf_token": token, "organisation_id": str(world.convenor_organisation.id),
        "title": "Again", "slug": "smaller-cities"})
    assert taken.status_code == 422 and "Another tour has this address" in taken.text
    made = client.post("/organiser/tours/", data={
        "csrf_token": token, "organisation_id": str(world.convenor_organisation.id),
        "title": "Northern tour", "slug": "northern-tour", "all_or_nothing": "y"})
    assert made.status_code == 303
    tour = db.session.scalar(select(Tour).where(Tour.slug == "northern-tour"))
    assert tour.all_or_nothing and tour.organisation_id == world.convenor_organisation.id


def test_add_order_and_remove_visits_and_legs(client, app):
    world = make_tour()
    extra = make_visit(slug="tour-derby", title="Delegation: Derby", city="Derby")
    login(client, world.convenor)
    page = client.get("/organiser/tours/smaller-cities/")
    token = csrf(page)
    url = "/organiser/tours/smaller-cities"
    assert client.post(f"{url}/visits", data={"csrf_token": token, "visit_slug": "nope"}
                       ).status_code == 422
    on_tour = client.post(f"{url}/visits", data={"csrf_token": token,
                                                 "visit_slug": "tour-hull"})
    assert "already on this tour" in on_tour.text
    assert client.post(f"{url}/visits", data={"csrf_token": token, "visit_slug": "tour-derby"}
                       ).status_code == 303
    derby = db.session.scalar(select(TourStop).where(TourStop.visit_id == extra.id))
    client.post(f"{url}/visits/{derby.id}/move", data={"csrf_token": token, "to": "up"})
    db.session.rollback()
    tour = db.session.get(Tour, world.tour.id)
    assert [s.visit.slug for s in tour.live_stops] == [
        "tour-coventry", "tour-stoke", "tour-derby", "tour-hull"]
    assert db.session.get(type(extra), extra.id).tour_id == tour.id
    # A leg with an arrival before its departure, and seats on a train.
    bad = client.post(f"{url}/legs", data={
        "csrf_token": token, "mode": "rail", "departs_from": "Stoke", "arrives_at_place": "Derby",
        "departs_at": "2030-05-01T17:00", "arrives_at": "2030-05-01T16:00",
        "timezone": "Europe/London", "seats": "40", "from_visit_id": "", "to_visit_id": ""})
    assert bad.status_code == 422
    assert "The arrival must be after the departure." in bad.text
    assert "Seats are for a booked coach" in bad.text
    good = client.post(f"{url}/legs", data={
        "csrf_token": token, "mode": "coach", "departs_from": "Stoke", "arrives_at_place": "Derby",
        "departs_at": "2030-05-01T17:00", "arrives_at": "2030-05-01T18:10",
        "timezone": "Europe/London", "seats": "40", "from_visit_id": "", "to_visit_id": ""})
    assert good.status_code == 303
    leg = db.session.scalar(select(TravelLeg).where(TravelLeg.arrives_at_place == "Derby"))
    assert leg.seats == 40 and leg.departs_at.hour == 16  # 17:00 BST is 16:00 UTC
    assert client.post(f"{url}/visits/{derby.id}/remove", data={"csrf_token": token}
                       ).status_code == 303
    db.session.rollback()
    assert db.session.get(TourStop, derby.id).removed_at is not None
    assert db.session.get(type(extra), extra.id).tour_id is None


def test_other_organisations_get_404_and_viewers_403(client, app):
    world = make_tour()
    host_organiser = make_user("host@example.org", organisation=world.visits[0].organisation)
    login(client, host_organiser)
    assert client.get("/organiser/tours/smaller-cities/").status_code == 404
    assert client.get("/organiser/tours/smaller-cities/dashboard").status_code == 404
    client.post("/logout", data={"csrf_token": csrf(client.get("/organiser/"))})
    viewer = viewer_of(world.convenor_organisation)
    login(client, viewer)
    page = client.get("/organiser/tours/smaller-cities/")
    assert page.status_code == 200 and "Save the tour" not in page.text
    assert client.get("/organiser/tours/smaller-cities/dashboard").status_code == 200
    token = csrf(client.get("/organiser/tours/"))
    for action in ("/", "/visits", f"/legs/{world.legs[0].id}/delete",
                   f"/legs/{world.legs[0].id}"):
        response = client.post(f"/organiser/tours/smaller-cities{action}",
                               data={"csrf_token": token, "title": "Mine", "slug": "mine",
                                     "visit_slug": "tour-hull"})
        assert response.status_code == 403, action
    db.session.rollback()
    assert db.session.get(Tour, world.tour.id).title == "Revitalising smaller cities"


def test_dashboard_counts_needs_and_passengers(client, app):
    world = make_tour(capacity=1)
    coventry, stoke, hull = world.visits
    from eventsapp.tours.rules import registering

    both = registering.register("smaller-cities", registering.Delegate(
        "Ada Both", "ada@example.org", dietary="Vegan", privacy_accepted=True),
        registering.Choices(frozenset({coventry.id, stoke.id})))
    registering.register("smaller-cities", registering.Delegate(
        "Bo Ticked", "bo@example.org", access_needs="Step-free", privacy_accepted=True),
        registering.Choices(frozenset({coventry.id}), leg_ids=frozenset({world.legs[0].id})))
    make_registration(hull, email="ada@example.org", full_name="Ada Both")
    assert both.statuses[stoke.id] is RegistrationStatus.CONFIRMED
    login(client, world.convenor)
    page = client.get("/organiser/tours/smaller-cities/dashboard")
    assert page.status_code == 200
    text = page.text
    coventry_row = re.search(r"Delegation: Coventry</th>(.*?)</tr>", text, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", coventry_row)[:4] == ["1", "1", "0", "0"]
    assert "Ada Both (ada@example.org): Coventry, Stoke-on-Trent, Hull" in text
    assert "Vegan" in text and "Step-free" in text
    leg = text.split(f'id="leg-{world.legs[0].id}"')[1].split("<h3")[0]
    # Ada is confirmed on Coventry and Stoke (both ends); Bo ticked the leg (waiting
    # for Coventry's one place, but the leg was ticked).
    assert "2 passengers" in leg
    assert "Ada Both" in leg and "on both visits" in leg
    assert "Bo Ticked" in leg and "ticked the leg" in leg
    assert "people registered for the tour who either ticked that leg" in text


def test_the_convenor_reads_every_visit_of_its_tours_and_changes_none(client, app):
    """Read, from the tour's page: the visit's organiser pages open (read-only); every
    change is a 403; a visit on no tour of theirs stays a 404; once co-organiser of one
    visit, they change that one."""
    world = make_tour()
    stop = world.visits[1]
    elsewhere = make_visit(slug="not-on-the-tour", title="Another visit",
                           organisation=make_organisation("Another cluster"))
    login(client, world.convenor)
    tour_page = client.get("/organiser/tours/smaller-cities/").text
    assert f'href="/organiser/visits/{stop.slug}/"' in tour_page
    for path in ("", "registrations", "agenda", "showcases", "dashboard"):
        page = client.get(f"/organiser/visits/{stop.slug}/{path}")
        assert page.status_code == 200, path
        assert "You can read this visit; only its organisers change it." in page.text, path
    assert client.get(f"/organiser/visits/{elsewhere.slug}/").status_code == 404
    token = csrf(client.get("/organiser/tours/"))
    edit = client.post(f"/organiser/visits/{stop.slug}/edit",
                       data={"csrf_token": token, "title": "Taken over"})
    assert edit.status_code == 403
    db.session.rollback()
    assert db.session.get(type(stop), stop.id).title == stop.title

    stop.co_organisers.append(world.convenor)
    db.session.commit()
    page = client.get(f"/organiser/visits/{stop.slug}/")
    assert "only its organisers change it" not in page.text
