"""Calendars, the agenda JSON and personal feeds are built once per change of the
visit and served from the cache (eventsapp.cache); they are never stale."""

from __future__ import annotations

import json

import pytest

from eventsapp.extensions import db
from eventsapp.registration.models import ItemSignup, SignupStatus
from eventsapp.registration.rules import notices
from eventsapp.visits.models import VisitStatus
from tests.calendar.readers import parse_both
from tests.support import (
    make_booking,
    make_business,
    make_item,
    make_items,
    make_registration,
    make_showcase,
    make_venue,
    make_visit,
)


def published(organiser, **overrides):
    return make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED, **overrides)


def agenda_with(organiser, slug: str, count: int):
    visit = published(organiser, slug=slug)
    venue = make_venue(visit, name=f"Venue of {slug}")
    items = make_items(visit, count, venue=venue)
    limited = make_item(visit, "19:00", "20:00", title="Studio tour", capacity=5, venue=venue)
    workshop = make_item(visit, "20:00", "21:00", title="Workshop", capacity=5, venue=venue)
    make_item(visit, "21:00", "22:00", title="Not mine", capacity=5, venue=venue)
    registration = make_registration(visit, email=f"delegate@{slug}.example")
    db.session.add_all([
        ItemSignup(item=limited, registration=registration, status=SignupStatus.CONFIRMED),
        ItemSignup(item=workshop, registration=registration, status=SignupStatus.WAITLISTED),
    ])
    db.session.commit()
    return visit, items, registration


def urls(visit, items, registration) -> dict[str, str]:
    return {
        "agenda.ics": f"/visits/{visit.slug}/agenda.ics",
        "agenda.json": f"/visits/{visit.slug}/agenda.json",
        "item.ics": f"/visits/{visit.slug}/items/{items[0].id}.ics",
        "personal feed": f"/feeds/{notices.feed_token(registration)}.ics",
        "visit page": f"/visits/{visit.slug}/",
    }


# Queries when the cache holds the visit: the stamp (one row of visits); a personal
# feed first reads the registration with its sign-ups; the page reads the visit (and
# would count places if the visit had a capacity) and, as this visit has a limited
# item, the places left on its limited items.
WARM_QUERIES = {"agenda.ics": 1, "agenda.json": 1, "item.ics": 1, "personal feed": 2,
                "visit page": 2}


def test_every_public_feed_costs_a_fixed_number_of_queries(client, organiser, count_queries):
    small = urls(*agenda_with(organiser, "small", 10))
    large = urls(*agenda_with(organiser, "large", 300))
    for name in WARM_QUERIES:
        counts = []
        for url in (small[name], large[name]):
            with count_queries() as cold:
                first = client.get(url)
            with count_queries() as warm:
                second = client.get(url)
            assert first.status_code == second.status_code == 200
            assert first.data == second.data, name
            counts.append((cold.count, warm.count))
            assert warm.count == WARM_QUERIES[name], (name, warm.statements)
        assert counts[0] == counts[1], (name, counts)
    assert len(parse_both(client.get(large["agenda.ics"]).data)) == 303
    mine = parse_both(client.get(large["personal feed"]).data)
    assert len(mine) == 302  # not "Not mine"
    assert sorted(e["status"] for e in mine.values()).count("TENTATIVE") == 1


def test_a_conditional_get_answered_304_costs_one_query(client, organiser, count_queries):
    visit, items, registration = agenda_with(organiser, "cond", 50)
    for name in ("agenda.ics", "agenda.json", "personal feed"):
        url = urls(visit, items, registration)[name]
        etag = client.get(url).headers["ETag"]
        with count_queries() as counted:
            answer = client.get(url, headers={"If-None-Match": etag})
        assert answer.status_code == 304
        assert answer.data == b""
        assert counted.count == WARM_QUERIES[name], counted.statements


def test_nothing_is_rebuilt_while_nothing_changes(client, organiser, count_queries):
    """Kept copies are used again and again: each repeat costs only the warm reads,
    never a build's."""
    visit, items, registration = agenda_with(organiser, "steady", 20)
    links = urls(visit, items, registration)
    for url in links.values():
        client.get(url)
    for _ in range(3):
        for name, url in links.items():
            with count_queries() as counted:
                assert client.get(url).status_code == 200
            assert counted.count == WARM_QUERIES[name], (name, counted.statements)


def _titles(client, url) -> set[str]:
    return {event["summary"] for event in parse_both(client.get(url).data).values()}


@pytest.mark.parametrize("change", ["item", "venue", "visit", "booking", "business"])
def test_a_change_is_served_at_once(client, organiser, change):
    visit, items, registration = agenda_with(organiser, "fresh", 5)
    showcase_item = make_item(visit, "16:00", "17:00", title="Showcase", kind="showcase")
    business = make_business(name="Clayworks Studio")
    slot = make_showcase(showcase_item).slots[0]
    booking = make_booking(slot, business, status="pending", title="Clay printing")
    links = urls(visit, items, registration)
    before = {name: client.get(url) for name, url in links.items()}

    if change == "item":
        items[0].title = "Welcome back"
    elif change == "venue":
        items[0].venue.name = "The Potteries Museum"
    elif change == "visit":
        visit.title = "Regions and Clusters: Stoke"
    elif change == "booking":
        booking.status = booking.status.__class__("approved")
    else:
        business.name = "Clayworks & Co"
        booking.status = booking.status.__class__("approved")
        db.session.commit()
        before = {name: client.get(url) for name, url in links.items()}
        business.name = "Clayworks and Partners"
    db.session.commit()

    after = {name: client.get(url, headers={"If-None-Match": before[name].headers.get("ETag",
                                                                                     "-")})
             for name, url in links.items()}
    expected = {
        "item": "Welcome back", "venue": "The Potteries Museum",
        "visit": "Regions and Clusters: Stoke", "booking": "Clay printing",
        "business": "Clayworks and Partners",
    }[change]
    for name in ("agenda.ics", "agenda.json", "visit page"):
        assert after[name].status_code == 200, (change, name)
        assert expected in after[name].get_data(as_text=True), (change, name)
        assert expected not in before[name].get_data(as_text=True), (change, name)
    if change in ("item", "venue"):
        assert after["item.ics"].status_code == 200
        assert expected in after["item.ics"].get_data(as_text=True)
        assert after["personal feed"].status_code == 200
        assert expected in after["personal feed"].get_data(as_text=True)


def test_a_personal_feed_follows_its_own_sign_ups_at_once(client, organiser):
    visit, items, registration = agenda_with(organiser, "mine", 5)
    other = make_item(visit, "17:00", "18:00", title="Masterclass", capacity=3)
    url = urls(visit, items, registration)["personal feed"]
    assert "Masterclass" not in _titles(client, url)

    db.session.add(ItemSignup(item=other, registration=registration,
                              status=SignupStatus.WAITLISTED))
    db.session.commit()
    events = parse_both(client.get(url).data)
    assert events[other.uid]["status"] == "TENTATIVE"

    registration.status = registration.status.__class__("cancelled")
    db.session.commit()
    assert {e["status"] for e in parse_both(client.get(url).data).values()} == {"CANCELLED"}


def test_agenda_json_is_served_whole_and_parses(client, organiser):
    visit, items, registration = agenda_with(organiser, "json", 12)
    body = client.get(f"/visits/{visit.slug}/agenda.json")
    document = json.loads(body.data)
    assert sum(len(day["items"]) for day in document["days"]) == 15


def test_feeds_neither_vary_on_nor_set_the_login_cookie(organiser_client, organiser):
    """The same bytes for everyone: a shared cache may keep one copy (no Vary: Cookie),
    even when the one asking is logged in. The visit page, whose header shows who is
    logged in, does vary."""
    visit, items, registration = agenda_with(organiser, "shared", 3)
    links = urls(visit, items, registration)
    for name in ("agenda.ics", "agenda.json", "item.ics", "personal feed"):
        answer = organiser_client.get(links[name])
        assert answer.status_code == 200
        assert "Cookie" not in answer.headers.get("Vary", ""), name
        assert "Set-Cookie" not in answer.headers, name
    page = organiser_client.get(links["visit page"])
    assert "Cookie" in page.headers.get("Vary", "")


def test_a_personal_feed_holds_exactly_the_itinerarys_items(client, organiser):
    """The feed puts itself together from cached runs of events; the itinerary chooses
    with services.itinerary.attended_items. Both must agree, item for item."""
    from eventsapp.registration.rules.itinerary import attended_items

    visit, items, registration = agenda_with(organiser, "agree", 12)
    extra = [make_item(visit, f"{h}:00", f"{h}:30", title=f"Limited {h}", capacity=2)
             for h in (10, 12, 14)]
    db.session.add(ItemSignup(item=extra[1], registration=registration,
                              status=SignupStatus.WAITLISTED))
    db.session.commit()
    db.session.expire_all()
    visit_items = [i for i in visit.items if i.deleted_at is None]
    expected = {item.uid for item, _ in attended_items(visit_items, registration.signups)}
    url = urls(visit, items, registration)["personal feed"]
    assert set(parse_both(client.get(url).data)) == expected
