"""Registering once for several visits of a tour, through the form."""

from __future__ import annotations

import re

from sqlalchemy import select

from eventsapp.extensions import db
from eventsapp.mail.models import OutboxMessage
from eventsapp.registration.models import Registration, RegistrationStatus
from eventsapp.tours.models import TourRegistration
from eventsapp.visits.models import RegistrationAccess
from tests.support import make_question, make_registration
from tests.tours.world import make_tour

TOKEN_RE = re.compile(r"/tours/r/([^\"?\s]+)")


def form(client, slug, **data):
    page = client.get(f"/tours/{slug}/register")
    assert page.status_code == 200
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    fields = {"csrf_token": token, "full_name": "Ada Lovelace", "email": "ada@example.org",
              "organisation": "DCMS", "privacy_accepted": "y"}
    fields.update(data)
    return client.post(f"/tours/{slug}/register", data=fields)


def statuses(email="ada@example.org"):
    db.session.rollback()
    rows = db.session.scalars(select(Registration).where(Registration.email_key == email)
                              .order_by(Registration.visit_id))
    return {r.visit.slug: r.status for r in rows}


def test_register_for_two_visits_one_link_and_one_email(client, app):
    world = make_tour()
    a, _, c = world.visits
    response = form(client, world.tour.slug, visits=[str(a.id), str(c.id)],
                    legs=[str(world.legs[0].id)], dietary="Vegetarian")
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert "Your registration for Revitalising smaller cities" in page.text
    assert "Delegation: Coventry" in page.text and "Delegation: Hull" in page.text
    assert statuses() == {"tour-coventry": RegistrationStatus.CONFIRMED,
                          "tour-hull": RegistrationStatus.CONFIRMED}
    delegate = db.session.scalar(select(TourRegistration))
    assert [leg.id for leg in delegate.legs] == [world.legs[0].id]
    assert all(r.dietary == "Vegetarian" for r in delegate.registrations)
    mail = db.session.scalars(select(OutboxMessage)).all()
    assert len(mail) == 1 and mail[0].to == "ada@example.org"
    assert "Delegation: Coventry" in mail[0].body_text and "/tours/r/" in mail[0].body_text
    assert "/tours/feeds/" in mail[0].body_text


def test_one_full_visit_is_waitlisted_and_the_others_confirmed(client, app):
    world = make_tour(capacity=1)
    a, b, c = world.visits
    make_registration(b, email="first@example.org")
    response = form(client, world.tour.slug, visits=[str(a.id), str(b.id), str(c.id)])
    assert response.status_code == 303
    assert statuses() == {"tour-coventry": RegistrationStatus.CONFIRMED,
                          "tour-stoke": RegistrationStatus.WAITLISTED,
                          "tour-hull": RegistrationStatus.CONFIRMED}
    page = client.get(response.headers["Location"])
    assert "Waiting list, position 1" in page.text


def test_all_or_nothing_refuses_and_keeps_nothing(client, app):
    world = make_tour(capacity=1, all_or_nothing=True)
    a, b, c = world.visits
    make_registration(b, email="first@example.org")
    response = form(client, world.tour.slug, visits=[str(a.id), str(b.id), str(c.id)],
                    full_name="Kept Answer")
    assert response.status_code == 422
    assert "No place left on Delegation: Stoke-on-Trent" in response.text
    assert "nothing was kept" in response.text
    assert 'value="Kept Answer"' in response.text
    assert statuses() == {}
    assert db.session.scalar(select(TourRegistration)) is None
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_each_visit_keeps_its_code_approval_and_questions(client, app):
    world = make_tour()
    a, b, c = world.visits
    a.registration_access = RegistrationAccess.INVITATION
    a.invitation_code = "KILN"
    b.registration_access = RegistrationAccess.APPROVAL
    db.session.commit()
    question = make_question(c, label="Which studio?", required=True)
    ticks = [str(a.id), str(b.id), str(c.id)]
    response = form(client, world.tour.slug, visits=ticks, code_1="x")
    assert response.status_code == 422
    assert f"The invitation code for {a.title} is not right." in response.text
    assert "Please answer this question." in response.text
    assert statuses() == {}
    response = form(client, world.tour.slug, visits=ticks, **{
        f"code_{a.id}": "kiln", f"q_{question.id}": "Kiln Yard"})
    assert response.status_code == 303, response.text
    assert statuses() == {"tour-coventry": RegistrationStatus.CONFIRMED,
                          "tour-stoke": RegistrationStatus.PENDING_APPROVAL,
                          "tour-hull": RegistrationStatus.CONFIRMED}
    hull = db.session.scalar(select(Registration).where(Registration.visit_id == c.id))
    assert hull.answers == {question.key: "Kiln Yard"}


def test_bad_input_gets_messages_not_errors(client, app):
    world = make_tour()
    response = form(client, world.tour.slug, full_name="", email="nope",
                    visits=["x", "99999999999"])
    assert response.status_code == 422
    assert "Enter your full name" in response.text
    response = form(client, world.tour.slug, visits=[])
    assert response.status_code == 422 and "Tick at least one visit." in response.text
    response = form(client, world.tour.slug, visits=["2147483647"])
    assert response.status_code == 422 and "Choose among this tour" in response.text
    assert statuses() == {}


def test_already_registered_for_the_tour_or_a_visit(client, app):
    world = make_tour()
    a, b, _ = world.visits
    make_registration(b, email="ada@example.org")
    response = form(client, world.tour.slug, visits=[str(b.id)])
    assert response.status_code == 422
    assert "already registered for Delegation: Stoke-on-Trent" in response.text
    assert form(client, world.tour.slug, visits=[str(a.id)]).status_code == 303
    again = form(client, world.tour.slug, visits=[str(a.id)])
    assert again.status_code == 422 and "already registered for this tour" in again.text


def manage_token(response) -> str:
    return response.headers["Location"].split("/tours/r/")[1].split("?")[0]


def test_private_link_adds_drops_and_cancels(client, app):
    world = make_tour(capacity=1)
    a, b, c = world.visits
    response = form(client, world.tour.slug, visits=[str(a.id), str(b.id)])
    token = manage_token(response)
    make_registration(c, email="zed@example.org")  # Hull is now full
    # Drop Coventry, add Hull (full: waiting list), change the dietary need.
    page = client.get(f"/tours/r/{token}")
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    changed = client.post(f"/tours/r/{token}", data={
        "csrf_token": csrf, "full_name": "Ada Lovelace", "email": "ada@example.org",
        "privacy_accepted": "y", "visits": [str(b.id), str(c.id)], "dietary": "Vegan"})
    assert changed.status_code == 303
    assert statuses() == {"tour-coventry": RegistrationStatus.CANCELLED,
                          "tour-stoke": RegistrationStatus.CONFIRMED,
                          "tour-hull": RegistrationStatus.WAITLISTED}
    stoke = db.session.scalar(select(Registration).where(Registration.visit_id == b.id))
    assert stoke.dietary == "Vegan"
    cancelled = client.post(f"/tours/r/{token}/cancel", data={"csrf_token": csrf})
    assert cancelled.status_code == 303
    assert set(statuses().values()) == {RegistrationStatus.CANCELLED}
    assert db.session.get(TourRegistration, stoke.tour_registration_id
                          ).is_live is False
    assert "This registration is cancelled" in client.get(f"/tours/r/{token}").text


def test_a_dropped_place_goes_to_the_next_waiting(client, app):
    world = make_tour(capacity=1)
    a = world.visits[0]
    response = form(client, world.tour.slug, visits=[str(a.id)])
    token = manage_token(response)
    next_one = make_registration(a, email="next@example.org",
                                 status=RegistrationStatus.WAITLISTED)
    b = world.visits[1]
    page = client.get(f"/tours/r/{token}")
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    client.post(f"/tours/r/{token}", data={
        "csrf_token": csrf, "full_name": "Ada Lovelace", "email": "ada@example.org",
        "privacy_accepted": "y", "visits": [str(b.id)]})
    db.session.rollback()
    assert db.session.get(Registration, next_one.id).status is RegistrationStatus.CONFIRMED
    assert statuses()["tour-coventry"] is RegistrationStatus.CANCELLED
