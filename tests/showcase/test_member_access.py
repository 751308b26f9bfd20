"""Who may reach each /member route: walked from the app's url_map, so a new member route
without a case here fails the suite.

- anonymous visitors are sent to /login;
- organisers get 403;
- a member of business B who puts business A's booking id in a URL gets 404, for GET
  and POST alike, and A's booking is unchanged; on routes without a booking id, B never
  sees A's booking and cannot change it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventsapp.agenda.models import ItemKind
from eventsapp.mail.models import OutboxMessage
from eventsapp.showcase.models import ShowcaseBooking
from eventsapp.visits.models import VisitStatus
from tests.conftest import login
from tests.support import (
    SUMMER,
    make_booking,
    make_business,
    make_item,
    make_member,
    make_showcase,
    make_user,
    make_visit,
)

SECRET = "Clayworks secret prototype"
FORM = {"title": "Taken over", "description": "", "format": "pitch", "people": ""}


@pytest.fixture
def world(app):
    """Business A (Clayworks) and business B (Pixel Mill), each with a booking in the
    same showcase, and an organiser."""
    organiser = make_user(email="organiser@example.org", name="Olu Organiser")
    visit = make_visit(organisers=[organiser], slug="cic-stoke", start_date=SUMMER,
                       end_date=SUMMER + timedelta(days=1), status=VisitStatus.PUBLISHED)
    showcase = make_showcase(make_item(visit, "13:30", "14:30", kind=ItemKind.SHOWCASE,
                                       title="Member showcase"))
    clayworks, pixel = make_business(name="Clayworks Studio"), make_business(name="Pixel Mill")
    make_member(clayworks, email="mina@clayworks.example")
    piotr = make_member(pixel, email="piotr@pixelmill.example", name="Piotr Pixel")
    theirs = make_booking(showcase.slots[0], clayworks, title=SECRET,
                          description="Not for other members' eyes.")
    own = make_booking(showcase.slots[1], pixel, title="Pixel art wall")
    return dict(organiser=organiser, showcase=showcase, a_booking=theirs, b_booking=own,
                b_member=piotr)


def member_rules(app):
    return sorted((rule for rule in app.url_map.iter_rules()
                   if rule.rule.startswith("/member")), key=lambda rule: rule.rule)


def methods(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def url_for_rule(rule, world) -> str:
    """The rule's URL aimed at business A: A's booking, A's slot, their showcase."""
    values = {
        "booking_id": world["a_booking"].id,
        "slot_id": world["a_booking"].slot_id,
        "showcase_id": world["showcase"].id,
    }
    unknown = set(rule.arguments) - set(values)
    assert not unknown, f"{rule.rule}: add a value for {unknown} to url_for_rule"
    url = rule.rule
    for name, value in values.items():
        url = url.replace(f"<id:{name}>", str(value))
        url = url.replace(f"<int:{name}>", str(value))
    assert "<" not in url, f"{rule.rule}: unexpected converter"
    return url


def snapshot(db):
    db.session.rollback()
    db.session.expire_all()
    rows = db.session.scalars(select(ShowcaseBooking).order_by(ShowcaseBooking.id)).all()
    mails = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    return [(b.id, b.slot_id, b.business_id, b.status, b.title, b.description, b.sequence)
            for b in rows], mails


def send(client, method: str, url: str, data: dict | None = None):
    if method == "GET":
        return client.get(url)
    return client.post(url, data=data or FORM)


# What business B's member gets on each route when aimed at business A. Routes with a
# booking id in the URL: 404 for every method. Others: the page works for B but shows
# nothing of A's booking, and a POST cannot take A's slot.
EXPECTED = {
    "member.index": {"GET": 200},
    "member.showcase": {"GET": 200},
    "member.book": {"GET": 200, "POST": 409},
    "member.booking": {"GET": 404, "POST": 404},
    "member.move": {"GET": 404, "POST": 404},
    "member.cancel": {"POST": 404},
    "member.reset_calendar": {"POST": 303},  # only ever the caller's own feed
}


def test_every_member_route_has_a_case(app):
    rules = member_rules(app)
    assert rules, "no /member routes registered"
    missing = {rule.endpoint for rule in rules} - set(EXPECTED)
    assert not missing, f"member routes without an access case: {missing}"
    for rule in rules:
        assert sorted(EXPECTED[rule.endpoint]) == methods(rule), rule.rule
        if "booking_id" in rule.arguments:
            assert set(EXPECTED[rule.endpoint].values()) == {404}, rule.rule


def test_anonymous_visitors_are_sent_to_login(app, client, world, db):
    before = snapshot(db)
    for rule in member_rules(app):
        url = url_for_rule(rule, world)
        for method in methods(rule):
            response = send(client, method, url)
            assert response.status_code == 302, (method, url)
            assert response.headers["Location"].startswith("/login?next="), (method, url)
    assert snapshot(db) == before


def test_organisers_get_403(app, client, world, db):
    login(client, world["organiser"])
    before = snapshot(db)
    for rule in member_rules(app):
        url = url_for_rule(rule, world)
        for method in methods(rule):
            assert send(client, method, url).status_code == 403, (method, url)
    assert snapshot(db) == before


def test_a_member_of_another_business_never_reaches_the_booking(app, client, world, db):
    login(client, world["b_member"])
    before = snapshot(db)
    for rule in member_rules(app):
        url = url_for_rule(rule, world)
        for method in methods(rule):
            response = send(client, method, url, data={**FORM, "slot_id": "3"})
            assert response.status_code == EXPECTED[rule.endpoint][method], (method, url)
            body = response.get_data(as_text=True)
            assert SECRET not in body and "Not for other members" not in body, (method, url)
            assert "Clayworks" not in body, (method, url)
            assert snapshot(db) == before, (method, url)


def test_a_made_up_booking_id_is_404_like_another_business(client, world, db):
    login(client, world["b_member"])
    for url in ("/member/bookings/999999", "/member/bookings/999999/move"):
        assert client.get(url).status_code == 404
    for url in ("/member/bookings/999999", "/member/bookings/999999/move",
                "/member/bookings/999999/cancel", "/member/bookings/99999999999/cancel"):
        assert client.post(url, data=FORM).status_code == 404


def test_a_slot_id_edited_in_the_move_form_cannot_take_another_business_slot(client, world,
                                                                            db):
    login(client, world["b_member"])
    before = snapshot(db)
    own, theirs = world["b_booking"], world["a_booking"]

    response = client.post(f"/member/bookings/{own.id}/move", data={"slot_id": theirs.slot_id})

    assert response.status_code == 409
    assert "Sorry, that slot has just been taken" in response.get_data(as_text=True)
    assert SECRET not in response.get_data(as_text=True)
    assert snapshot(db) == before


def test_a_slot_of_another_visit_cannot_be_moved_into(client, world, db):
    other_visit = make_visit(organisers=[world["organiser"]], slug="autumn", start_date=SUMMER,
                             end_date=SUMMER, status=VisitStatus.PUBLISHED)
    elsewhere = make_showcase(make_item(other_visit, "10:00", "11:00", kind=ItemKind.SHOWCASE))
    login(client, world["b_member"])
    before = snapshot(db)

    response = client.post(f"/member/bookings/{world['b_booking'].id}/move",
                           data={"slot_id": elsewhere.slots[0].id})

    assert response.status_code == 404
    assert snapshot(db) == before
