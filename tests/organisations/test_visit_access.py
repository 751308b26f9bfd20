"""Who works on which visit: the host organisation's owners and organisers change it,
its viewers read it, co-organisers from another organisation work on that one visit,
everyone else gets 404; members see only their own host's showcases."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from eventsapp.agenda.models import ItemKind
from eventsapp.visits.models import Visit, VisitStatus
from tests.conftest import login
from tests.support import (
    add_to_organisation,
    make_business,
    make_item,
    make_member,
    make_organisation,
    make_showcase,
    make_user,
    make_visit,
)


def text(response) -> str:
    markup = response.get_data(as_text=True)
    if "<main" in markup:
        markup = markup.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


@pytest.fixture
def world(app):
    """Platform hosts Stoke; Coventry Creative hosts Coventry; the CIC convenes."""
    stoke_owner = make_user(email="owner@platform.example", organisation=None)
    platform = make_organisation("Platform", owners=(stoke_owner,))
    viewer = make_user(email="viewer@platform.example", organisation=None)
    add_to_organisation(platform, viewer, "viewer")
    coventry_owner = make_user(email="owner@coventry.example", organisation=None)
    coventry = make_organisation("Coventry Creative", owners=(coventry_owner,))
    convenor = make_user(email="staff@cic.example", organisation=None)
    make_organisation("CIC Regions and Clusters", owners=(convenor,), kind="convenor")
    stoke = make_visit(organisation=platform, slug="cic-stoke", title="Stoke",
                       status=VisitStatus.PUBLISHED)
    make_visit(organisation=coventry, slug="cic-coventry", title="Coventry",
               status=VisitStatus.PUBLISHED)
    return dict(platform=platform, coventry=coventry, stoke=stoke, owner=stoke_owner,
                viewer=viewer, coventry_owner=coventry_owner, convenor=convenor)


def title_of(db, slug: str) -> str:
    db.session.rollback()
    return db.session.scalar(select(Visit.title).where(Visit.slug == slug))


EDIT = {"title": "Renamed", "slug": "cic-stoke", "city": "Stoke-on-Trent", "host": "Platform",
        "timezone": "Europe/London", "start_date": "2031-05-06", "end_date": "2031-05-07"}


def test_an_organiser_of_another_organisation_gets_404(db, client, world):
    login(client, world["coventry_owner"])

    assert client.get("/organiser/visits/cic-stoke/").status_code == 404
    assert client.post("/organiser/visits/cic-stoke/edit", data=EDIT).status_code == 404
    assert client.post("/organiser/visits/cic-stoke/cancel").status_code == 404
    assert title_of(db, "cic-stoke") == "Stoke"
    home = client.get("/organiser/").get_data(as_text=True)
    assert 'href="/organiser/visits/cic-coventry/"' in home
    assert "cic-stoke" not in home


def test_a_viewer_reads_every_page_and_changes_nothing(db, client, world):
    login(client, world["viewer"])

    for url in ("/organiser/", "/organiser/visits/cic-stoke/",
                "/organiser/visits/cic-stoke/registrations",
                "/organiser/visits/cic-stoke/dashboard", "/organiser/visits/cic-stoke/run-sheet",
                "/organiser/members/", "/organiser/organisation/"):
        assert client.get(url).status_code == 200, url
    assert client.post("/organiser/visits/cic-stoke/edit", data=EDIT).status_code == 403
    assert client.post("/organiser/visits/cic-stoke/cancel").status_code == 403
    assert client.post("/organiser/members/new", data={"name": "Kiln"}).status_code == 403
    assert client.post("/organiser/visits/new", data={**EDIT, "slug": "new"}).status_code == 403
    assert title_of(db, "cic-stoke") == "Stoke"
    # Coventry's visit is not theirs at all: 404, as for any other organisation's.
    assert client.post("/organiser/visits/cic-coventry/cancel").status_code == 404


def test_a_co_organiser_works_on_that_visit_only(db, client, world):
    host = client.application.test_client()
    login(host, world["owner"])
    added = host.post("/organiser/visits/cic-stoke/co-organisers",
                      data={"co-email": "Staff@CIC.example"}, follow_redirects=True)
    assert "staff@cic.example is now a co-organiser of this visit." in text(added)
    assert "staff@cic.example, co-organiser Remove" in text(added)

    login(client, world["convenor"])
    assert client.get("/organiser/visits/cic-stoke/").status_code == 200
    assert 'href="/organiser/visits/cic-stoke/"' in client.get("/organiser/").text
    assert client.post("/organiser/visits/cic-stoke/edit", data=EDIT).status_code == 302
    assert title_of(db, "cic-stoke") == "Renamed"
    # Not the host's other business: its members, its people, other visits.
    assert client.get("/organiser/visits/cic-coventry/").status_code == 404
    assert "Platform" not in text(client.get("/organiser/organisation/"))
    # Nor choosing who else co-organises.
    assert client.post("/organiser/visits/cic-stoke/co-organisers",
                       data={"co-email": "owner@coventry.example"}).status_code == 403

    removed = host.post(f"/organiser/visits/cic-stoke/co-organisers/{world['convenor'].id}"
                        "/remove", follow_redirects=True)
    assert "staff@cic.example no longer co-organises this visit." in text(removed)
    assert client.get("/organiser/visits/cic-stoke/").status_code == 404


@pytest.mark.parametrize(("email", "message"), [
    ("nobody@example.org", "Nobody organises with the login nobody@example.org"),
    ("viewer@platform.example", "viewer@platform.example is already in Platform"),
])
def test_a_co_organiser_must_be_an_organiser_of_another_organisation(db, client, world, email,
                                                                    message):
    login(client, world["owner"])
    response = client.post("/organiser/visits/cic-stoke/co-organisers",
                           data={"co-email": email}, follow_redirects=True)
    assert message in text(response)
    db.session.rollback()
    assert db.session.get(Visit, world["stoke"].id).co_organisers == []


def test_a_member_sees_only_its_own_organisation_s_showcases(db, client, world):
    stoke_showcase = make_showcase(make_item(world["stoke"], "13:00", "14:00",
                                             kind=ItemKind.SHOWCASE, title="Stoke showcase"))
    coventry = db.session.scalar(select(Visit).where(Visit.slug == "cic-coventry"))
    coventry_showcase = make_showcase(make_item(coventry, "13:00", "14:00",
                                                kind=ItemKind.SHOWCASE,
                                                title="Coventry showcase"))
    business = make_business(name="Clayworks", organisation=world["platform"])
    login(client, make_member(business))

    home = text(client.get("/member/"))
    assert "Stoke showcase" in home and "Coventry showcase" not in home
    assert client.get(f"/member/showcases/{stoke_showcase.id}").status_code == 200
    assert client.get(f"/member/showcases/{coventry_showcase.id}").status_code == 404
    slot = coventry_showcase.slots[0]
    assert client.get(f"/member/slots/{slot.id}/book").status_code == 404
    assert client.post(f"/member/slots/{slot.id}/book", data={
        "title": "Clay", "format": "demo", "people": "Mina"}).status_code == 404


def test_members_pages_list_only_the_organisation_s_businesses(db, client, world):
    make_business(name="Clayworks", organisation=world["platform"])
    theirs = make_business(name="Coventry Pixels", organisation=world["coventry"])
    login(client, world["owner"])

    page = text(client.get("/organiser/members/"))
    assert "Clayworks" in page and "Coventry Pixels" not in page
    assert client.get(f"/organiser/members/{theirs.id}/edit").status_code == 404
    assert client.post(f"/organiser/members/{theirs.id}/edit",
                       data={"name": "Taken over"}).status_code == 404
