"""A new visit: its address made from the title, its host and city from its organisation."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from eventsapp.visits.models import Visit
from eventsapp.visits.rules.suggestions import slug_from_title
from tests.support import make_user, make_visit
from tests.visits.test_organiser_visits import page, visit_form

NEW = "/organiser/visits/new"


@pytest.mark.parametrize(("title", "slug"), [
    ("Regions and Clusters: Stoke-on-Trent", "regions-and-clusters-stoke-on-trent"),
    ("Créative Zoë’s  Week 2030!", "creative-zoes-week-2030"),
    ("!!!", "visit"),
    ("word " * 30, ("word-" * 16)[:-1]),
])
def test_slug_from_title(title, slug):
    assert slug_from_title(title) == slug
    assert len(slug_from_title(title)) <= 80


def test_an_empty_address_is_made_from_the_title_unique(organiser_client, db):
    make_visit(slug="clay-week", title="Someone else's")
    response = organiser_client.post(NEW, data=visit_form(title="Clay Week", slug=""))
    assert response.status_code == 302
    assert response.headers["Location"] == "/organiser/visits/clay-week-2/"
    assert db.session.scalar(select(Visit.title).where(Visit.slug == "clay-week-2")) == (
        "Clay Week")


def test_a_failed_form_shows_the_suggested_address(organiser_client):
    response = organiser_client.post(NEW, data=visit_form(title="Clay Week", slug="",
                                                          city=""))
    assert response.status_code == 422
    assert 'value="clay-week"' in page(response)
    assert 'data-slug-from="title"' in page(response)


def _input(text: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', text).group(0)


def test_host_and_city_come_from_the_organisation_and_the_zone_from_its_last_visit(
        organiser_client, organiser, db):
    from eventsapp.organisations.rules import working_organisation

    platform = working_organisation(organiser)
    platform.default_host = platform.default_city = ""
    db.session.commit()
    text = page(organiser_client.get(NEW))
    assert 'value=""' in _input(text, "host")  # a first visit: nothing to offer

    make_visit(organisers=[organiser], slug="old", host="Old host", city="Hull")
    make_visit(organisers=[organiser], slug="latest", host="Staffordshire Creative Cluster",
               city="Stoke-on-Trent", timezone="Europe/Dublin")
    make_visit(organisers=[make_user(email="x@example.org")], slug="not-mine", host="Theirs")
    text = page(organiser_client.get(NEW))
    assert 'value="Staffordshire Creative Cluster"' in _input(text, "host")
    assert 'value="Stoke-on-Trent"' in _input(text, "city")
    assert 'value="Europe/Dublin"' in _input(text, "timezone")
    assert "Theirs" not in text

    # What the organisation's page sets comes first.
    platform.default_host, platform.default_city = "Platform", "Burslem"
    db.session.commit()
    text = page(organiser_client.get(NEW))
    assert 'value="Platform"' in _input(text, "host")
    assert 'value="Burslem"' in _input(text, "city")


def test_the_rule_makes_an_empty_slug_from_the_title(db, organiser):
    from dataclasses import replace

    from eventsapp.visits import rules as visits
    from tests.visits.test_rules import STOKE

    visit = visits.create_visit(organiser, replace(STOKE, slug="", title="Zoë’s Stoke"))
    assert visit.slug == "zoes-stoke"
