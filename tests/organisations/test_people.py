"""An organisation's page and people: every role reads it; the owner invites a
colleague (emailed a set-password link, as members are), changes roles and removes
people, never the last owner; organisers and viewers are refused (403)."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from eventsapp.accounts.models import Role, User
from eventsapp.mail.models import OutboxMessage
from eventsapp.organisations.models import OrganisationMember, OrganisationRole
from tests.conftest import login
from tests.support import add_to_organisation, make_organisation, make_user

LINK = re.compile(r"https?://[^/\s]+(/set-password/\S+)")


def text(response) -> str:
    markup = response.get_data(as_text=True)
    if "<main" in markup:
        markup = markup.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


@pytest.fixture
def owner(app):
    return make_user(email="owner@platform.example", name="Oona Owner", organisation=None)


@pytest.fixture
def platform(owner):
    return make_organisation("Platform", owners=(owner,), default_city="Stoke-on-Trent")


def roles(db, organisation) -> dict[str, str]:
    db.session.rollback()
    return {m.user.email: m.role.value for m in db.session.scalars(
        select(OrganisationMember).where(OrganisationMember.organisation_id == organisation.id))}


def membership_of(db, organisation, email: str) -> OrganisationMember:
    db.session.rollback()
    return db.session.scalar(select(OrganisationMember).join(OrganisationMember.user).where(
        OrganisationMember.organisation_id == organisation.id, User.email == email))


def test_the_owner_invites_a_colleague_who_sets_a_password_and_works_there(
        db, client, owner, platform):
    login(client, owner)
    response = client.post("/organiser/organisation/people", data={
        "colleague-name": "Cai Colleague", "colleague-email": "Cai@Platform.example",
        "colleague-role": "organiser"},
        follow_redirects=True)

    assert "Invited Cai Colleague as organiser: they have been emailed a link" in text(response)
    assert roles(db, platform) == {"owner@platform.example": "owner",
                                   "cai@platform.example": "organiser"}
    cai = db.session.scalar(select(User).where(User.email == "cai@platform.example"))
    assert cai.role is Role.ORGANISER and cai.password_hash is None
    [mail] = db.session.scalars(select(OutboxMessage)).all()
    assert mail.to == "cai@platform.example"
    assert mail.subject == "Your eventsapp login for Platform"
    assert "You have been added to Platform on eventsapp as an organiser" in " ".join(
        mail.body_text.split())
    link = LINK.search(mail.body_text).group(1)

    colleague = client.application.test_client()
    done = colleague.post(link, data={"password": "purple kilns at dawn",
                                      "confirm": "purple kilns at dawn"})
    assert done.status_code == 303 and done.headers["Location"] == "/organiser/"
    page = colleague.get("/organiser/organisation/")
    assert page.status_code == 200
    assert "You are an organiser here." in text(page)
    assert "Cai Colleague cai@platform.example Organiser Password set" in text(page)


def test_an_organiser_of_another_organisation_is_added_with_their_login(db, client, owner,
                                                                        platform):
    elsewhere = make_user(email="cic@convenor.example", organisation=None)
    make_organisation("CIC Regions and Clusters", owners=(elsewhere,), kind="convenor")
    login(client, owner)

    response = client.post("/organiser/organisation/people", data={
        "colleague-email": "cic@convenor.example", "colleague-role": "viewer"},
        follow_redirects=True)

    assert "Added cic@convenor.example as viewer: they already have a login." in text(response)
    assert roles(db, platform)["cic@convenor.example"] == "viewer"
    assert db.session.scalars(select(OutboxMessage)).all() == []


@pytest.mark.parametrize(("email", "message"), [
    ("owner@platform.example", "owner@platform.example is already in Platform."),
    ("not an email", "Enter a valid email address"),
    ("mina@clayworks.example", "is a member business's login"),
])
def test_an_invitation_that_cannot_be_made_says_why_and_keeps_nothing(
        db, client, owner, platform, email, message):
    make_user(email="mina@clayworks.example", role="member")
    login(client, owner)

    response = client.post("/organiser/organisation/people", data={
        "colleague-name": "Someone", "colleague-email": email, "colleague-role": "organiser"})

    assert response.status_code == 422
    assert message in text(response)
    assert 'value="Someone"' in response.get_data(as_text=True)  # the answers are kept
    assert roles(db, platform) == {"owner@platform.example": "owner"}
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_the_owner_changes_a_role_and_removes_a_person_but_never_the_last_owner(
        db, client, owner, platform):
    cai = make_user(email="cai@platform.example", organisation=None)
    add_to_organisation(platform, cai, "organiser")
    login(client, owner)
    cai_membership = membership_of(db, platform, "cai@platform.example")
    mine = membership_of(db, platform, "owner@platform.example")

    page = client.post(f"/organiser/organisation/people/{cai_membership.id}/role",
                       data={"role": "viewer"}, follow_redirects=True)
    assert "cai@platform.example is now viewer." in text(page)
    page = client.post(f"/organiser/organisation/people/{mine.id}/role",
                       data={"role": "organiser"}, follow_redirects=True)
    assert ("owner@platform.example is the only owner: make someone else an owner first."
            in text(page))
    page = client.post(f"/organiser/organisation/people/{mine.id}/remove",
                       follow_redirects=True)
    assert "is the only owner" in text(page)
    assert roles(db, platform) == {"owner@platform.example": "owner",
                                   "cai@platform.example": "viewer"}

    page = client.post(f"/organiser/organisation/people/{cai_membership.id}/remove",
                       follow_redirects=True)
    assert "Removed cai@platform.example from the organisation." in text(page)
    assert roles(db, platform) == {"owner@platform.example": "owner"}
    assert db.session.get(User, cai.id).active  # the login stays; only the membership goes


def test_with_two_owners_one_may_step_down(db, client, owner, platform):
    second = make_user(email="second@platform.example", organisation=None)
    add_to_organisation(platform, second, "owner")
    login(client, owner)
    mine = membership_of(db, platform, "owner@platform.example")

    client.post(f"/organiser/organisation/people/{mine.id}/role", data={"role": "organiser"})

    assert roles(db, platform) == {"owner@platform.example": "organiser",
                                   "second@platform.example": "owner"}


@pytest.mark.parametrize("role", ["organiser", "viewer"])
def test_only_owners_manage_people_and_details(db, client, owner, platform, role):
    someone = make_user(email="someone@platform.example", organisation=None)
    add_to_organisation(platform, someone, role)
    login(client, someone)
    owner_membership = membership_of(db, platform, "owner@platform.example")

    page = client.get("/organiser/organisation/")
    assert page.status_code == 200
    assert "Oona Owner owner@platform.example Owner" in text(page)
    assert "Invite a colleague" not in text(page)
    for url, data in [
        ("/organiser/organisation/", {"name": "Renamed"}),
        ("/organiser/organisation/people", {"colleague-email": "x@platform.example",
                                             "colleague-role": "owner"}),
        (f"/organiser/organisation/people/{owner_membership.id}/role", {"role": "viewer"}),
        (f"/organiser/organisation/people/{owner_membership.id}/remove", {}),
    ]:
        assert client.post(url, data=data).status_code == 403, url
    assert roles(db, platform) == {"owner@platform.example": "owner",
                                   "someone@platform.example": role}
    assert db.session.get(type(platform), platform.id).name == "Platform"


def test_another_organisation_s_people_are_404_to_an_owner(db, client, owner, platform):
    other_owner = make_user(email="boss@coventry.example", organisation=None)
    coventry = make_organisation("Coventry Creative", owners=(other_owner,))
    theirs = membership_of(db, coventry, "boss@coventry.example")
    login(client, owner)

    assert client.post(f"/organiser/organisation/people/{theirs.id}/remove").status_code == 404
    assert client.post(f"/organiser/organisation/people/{theirs.id}/role",
                       data={"role": "viewer"}).status_code == 404
    assert roles(db, coventry) == {"boss@coventry.example": "owner"}


def test_the_owner_edits_the_details_and_new_visits_start_with_them(db, client, owner,
                                                                    platform):
    login(client, owner)
    response = client.post("/organiser/organisation/", data={
        "name": "Platform Cluster", "default_host": "Platform, Stoke",
        "default_city": "Stoke-on-Trent", "contact_email": "hello@platform.example"},
        follow_redirects=True)
    assert "Saved the organisation's details." in text(response)

    form = client.get("/organiser/visits/new").get_data(as_text=True)
    assert re.search(r'name="host"[^>]*value="Platform, Stoke"', form)
    assert re.search(r'name="city"[^>]*value="Stoke-on-Trent"', form)
    db.session.rollback()
    assert db.session.get(type(platform), platform.id).contact_email == "hello@platform.example"


def test_a_new_visit_belongs_to_the_organisation(db, client, owner, platform):
    login(client, owner)
    client.post("/organiser/visits/new", data={
        "title": "Spring visit", "slug": "spring-visit", "city": "Stoke-on-Trent",
        "host": "Platform", "timezone": "Europe/London", "start_date": "2031-03-04",
        "end_date": "2031-03-05"})
    from eventsapp.visits.models import Visit

    db.session.rollback()
    visit = db.session.scalar(select(Visit).where(Visit.slug == "spring-visit"))
    assert visit.organisation_id == platform.id


def test_the_role_names_read_right(db, client, owner, platform):
    login(client, owner)
    assert "You are an owner here." in text(client.get("/organiser/organisation/"))
    assert OrganisationRole.VIEWER.can_organise is False
