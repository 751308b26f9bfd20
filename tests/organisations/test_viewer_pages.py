"""A viewer reads every organiser page of a visit and sees no control that would change
it (each would answer 403); the visit's organiser sees them all on the same pages."""

from __future__ import annotations

import re

import pytest
from flask import url_for

from eventsapp.agenda.models import ItemKind
from eventsapp.visits.models import VisitStatus
from tests.conftest import login
from tests.support import (
    add_to_organisation,
    make_booking,
    make_business,
    make_item,
    make_organisation,
    make_question,
    make_registration,
    make_showcase,
    make_user,
    make_venue,
    make_visit,
)
from tests.tours.world import make_tour, viewer_of

READ_ONLY_LINE = "You can read this visit; only its organisers change it."
FORM = re.compile(r'<form\b[^>]*\bmethod="post"[^>]*>', re.IGNORECASE)
ACTION = re.compile(r'\baction="([^"]*)"')


def post_actions(markup: str) -> list[str]:
    """Where each POST form of the page sends (a form with no action posts to the page)."""
    return [m.group(1) if (m := ACTION.search(tag)) else "(this page)"
            for tag in FORM.findall(markup)]


@pytest.fixture
def pages(app):
    owner = make_user(email="owner@platform.example", organisation=None)
    platform = make_organisation("Platform", owners=(owner,))
    viewer = make_user(email="viewer@platform.example", organisation=None)
    add_to_organisation(platform, viewer, "viewer")
    visit = make_visit(organisation=platform, slug="cic-stoke", title="Stoke",
                       status=VisitStatus.PUBLISHED)
    venue = make_venue(visit)
    item = make_item(visit, "09:00", "10:00", venue=venue)
    showcase_item = make_item(visit, "11:00", "12:00", kind=ItemKind.SHOWCASE, venue=venue)
    showcase = make_showcase(showcase_item)
    make_booking(showcase.slots[0], make_business(), status="pending")
    question = make_question(visit)
    registration = make_registration(visit)
    slug = visit.slug
    with app.test_request_context():
        urls = [
            url_for("visits.organiser_visit", slug=slug),
            url_for("visits.edit_visit", slug=slug),
            url_for("visits.duplicate_visit", slug=slug),
            url_for("visits.edit_venue", slug=slug, venue_id=venue.id),
            url_for("agenda.edit_item", slug=slug, item_id=item.id),
            url_for("agenda.new_item", slug=slug),
            url_for("agenda.import_agenda", slug=slug),
            url_for("registration.registrations", slug=slug),
            url_for("registration.registration", slug=slug, registration_id=registration.id),
            url_for("registration.new_registration", slug=slug),
            url_for("registration.registration_settings", slug=slug),
            url_for("registration.edit_question", slug=slug, question_id=question.id),
            url_for("showcase.showcases", slug=slug),
            url_for("showcase.showcase", slug=slug, item_id=showcase_item.id),
            url_for("agenda.agenda_page", slug=slug),
            url_for("messages.new_message", slug=slug),
            url_for("messages.reminder_settings", slug=slug),
            url_for("checkin.check_in_desk", slug=slug, q=registration.full_name),
        ]
        logout = url_for("accounts.logout")
    return dict(owner=owner, viewer=viewer, urls=urls, logout=logout)


def test_a_viewer_sees_no_change_controls_and_is_told_why(client, pages):
    login(client, pages["viewer"])
    for url in pages["urls"]:
        response = client.get(url)
        assert response.status_code == 200, url
        markup = response.get_data(as_text=True)
        assert post_actions(markup) == [pages["logout"]], url
        assert READ_ONLY_LINE in markup, url


def test_the_organiser_still_sees_them(client, pages):
    login(client, pages["owner"])
    without_changes = []
    for url in pages["urls"]:
        response = client.get(url)
        assert response.status_code == 200, url
        markup = response.get_data(as_text=True)
        assert READ_ONLY_LINE not in markup, url
        if post_actions(markup) == [pages["logout"]]:
            without_changes.append(url)
    # Only the lists hold no change of their own (theirs are one click further).
    assert without_changes == [u for u in pages["urls"] if u.endswith(("/registrations",
                                                                        "/showcases"))]


def test_a_viewer_keeps_the_buttons_that_are_their_own(client, pages):
    """Their own calendar link's reset is theirs to press, on the organiser home."""
    login(client, pages["viewer"])
    markup = client.get("/organiser/").get_data(as_text=True)
    assert "/organiser/calendar/reset" in post_actions(markup)


def test_a_convenor_viewer_reads_the_tour_without_its_controls(client, app):
    world = make_tour()
    viewer = viewer_of(world.convenor_organisation)
    with app.test_request_context():
        tour_pages = [url_for("tours.organiser_tour", slug=world.tour.slug),
                      url_for("tours.dashboard", slug=world.tour.slug)]
        logout = url_for("accounts.logout")
    login(client, viewer)
    for url in tour_pages:
        markup = client.get(url).get_data(as_text=True)
        assert post_actions(markup) == [logout], url
    assert "only its convenor's organisers change it" in client.get(tour_pages[0]).get_data(
        as_text=True)
    client.post("/logout")
    login(client, world.convenor)
    markup = client.get(tour_pages[0]).get_data(as_text=True)
    assert len(post_actions(markup)) > 3
    assert "only its convenor's organisers change it" not in markup


def test_only_an_owner_sees_the_organisation_page_controls(client, pages):
    login(client, pages["viewer"])
    markup = client.get("/organiser/organisation/").get_data(as_text=True)
    assert post_actions(markup) == [pages["logout"]]
    client.post("/logout")
    login(client, pages["owner"])
    markup = client.get("/organiser/organisation/").get_data(as_text=True)
    assert len(post_actions(markup)) > 2  # details, invite, each person's role
