"""flask commands: the demo visit and organiser accounts."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from eventsapp.models import (
    AgendaItem,
    ItemKind,
    Role,
    User,
    Venue,
    Visit,
    VisitStatus,
)
from eventsapp.services.agenda import agenda_warnings
from eventsapp.timezones import to_local
from tests.factories import make_user


def _counts(db) -> dict[str, int]:
    return {
        "users": db.session.scalar(select(func.count(User.id))),
        "visits": db.session.scalar(select(func.count(Visit.id))),
        "venues": db.session.scalar(select(func.count(Venue.id))),
        "items": db.session.scalar(select(func.count(AgendaItem.id))),
    }


def _london_today():
    return datetime.now(ZoneInfo("Europe/London")).date()


def _demo_visit(db) -> Visit:
    db.session.expire_all()
    return db.session.scalar(select(Visit).where(Visit.slug == "cic-stoke"))


# --- demo ------------------------------------------------------------------------------


def test_demo_creates_the_visit_venues_agenda_and_organiser(app, db):
    before = _london_today()
    result = app.test_cli_runner().invoke(args=["demo"])
    after = _london_today()

    assert result.exit_code == 0, result.output
    visit = _demo_visit(db)
    assert visit is not None
    assert visit.status is VisitStatus.PUBLISHED
    assert visit.first_published_at is not None
    assert visit.city == "Stoke-on-Trent"
    assert visit.timezone == "Europe/London"
    assert visit.start_date in {before + timedelta(days=21), after + timedelta(days=21)}
    assert visit.end_date == visit.start_date + timedelta(days=1)

    assert len(visit.venues) == 4
    assert all(v.has_coordinates and v.address and v.access_notes for v in visit.venues)
    for venue in visit.venues:  # all in Stoke-on-Trent
        assert 52.95 < venue.latitude < 53.10 and -2.30 < venue.longitude < -2.10

    items = visit.live_items
    assert 13 <= len(items) <= 17
    kinds = {item.kind for item in items}
    assert {ItemKind.TALK, ItemKind.PANEL, ItemKind.TOUR, ItemKind.SHOWCASE, ItemKind.MEAL,
            ItemKind.TRAVEL, ItemKind.NETWORKING} <= kinds
    showcase = [item for item in items if item.kind is ItemKind.SHOWCASE]
    assert len(showcase) == 1 and showcase[0].capacity is None
    assert len({item.uid for item in items}) == len(items)
    days = {to_local(item.starts_at, visit.zone).date() for item in items}
    assert days == {visit.start_date, visit.end_date}
    assert any(item.host_names for item in items)

    organiser = db.session.scalar(
        select(User).where(User.email == "organiser@demo.eventsapp.test")
    )
    assert organiser.role is Role.ORGANISER
    assert organiser.check_password("demo-organiser-pass")
    assert [u.id for u in visit.organisers] == [organiser.id]

    assert "organiser@demo.eventsapp.test" in result.output
    assert "demo-organiser-pass" in result.output
    assert "http://127.0.0.1:5000/visits/cic-stoke/" in result.output
    assert "4 venues, 15 agenda items" in result.output


def test_demo_agenda_has_no_warnings(app, db):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert agenda_warnings(_demo_visit(db)) == []


def test_demo_is_idempotent(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    counts = _counts(db)
    uids = sorted(item.uid for item in _demo_visit(db).items)

    second = runner.invoke(args=["demo"])

    assert second.exit_code == 0, second.output
    assert "Nothing to do" in second.output
    assert "Created" not in second.output
    assert _counts(db) == counts == {"users": 1, "visits": 1, "venues": 4, "items": 15}
    assert sorted(item.uid for item in _demo_visit(db).items) == uids


def test_demo_keeps_an_existing_organiser_and_links_it_to_the_new_visit(app, db):
    existing = make_user(email="organiser@demo.eventsapp.test", name="Renamed",
                         password="a different password")

    result = app.test_cli_runner().invoke(args=["demo"])

    assert result.exit_code == 0, result.output
    assert "Created the demo visit cic-stoke" in result.output
    assert "Created the demo organiser" not in result.output
    organiser = db.session.get(User, existing.id)
    db.session.refresh(organiser)
    assert organiser.name == "Renamed"
    assert organiser.check_password("a different password")
    assert [u.id for u in _demo_visit(db).organisers] == [existing.id]


def test_demo_refuses_when_the_demo_email_belongs_to_a_member(app, db):
    make_user(email="organiser@demo.eventsapp.test", role="member")

    result = app.test_cli_runner().invoke(args=["demo"])

    assert result.exit_code == 1
    assert "is not an organiser account" in result.output
    assert _counts(db) == {"users": 1, "visits": 0, "venues": 0, "items": 0}


class TestDemoWithABaseUrl:
    @pytest.fixture
    def app_config(self):
        return {"BASE_URL": "https://visits.example.org/"}

    def test_demo_prints_links_on_the_configured_site(self, app):
        result = app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        assert "Visit:    https://visits.example.org/visits/cic-stoke/" in result.output
        assert "Log in:   https://visits.example.org/login" in result.output


# --- users create-organiser --------------------------------------------------------------


def test_create_organiser_stores_a_hashed_password(app, db):
    password = "long enough secret"
    result = app.test_cli_runner().invoke(
        args=["users", "create-organiser", "New.Person@Example.org", "--name", "New Person"],
        input=f"{password}\n{password}\n",
    )

    assert result.exit_code == 0, result.output
    assert "Created organiser new.person@example.org." in result.output
    user = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert user.role is Role.ORGANISER
    assert user.name == "New Person"
    assert user.password_hash != password
    assert password not in user.password_hash
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password(password)
    assert not user.check_password("long enough secreT")


def test_create_organiser_refuses_a_short_password(app, db):
    result = app.test_cli_runner().invoke(
        args=["users", "create-organiser", "short@example.org"], input="pw\npw\n"
    )

    assert result.exit_code == 1
    assert "Error: Use at least 10 characters." in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_create_organiser_refuses_a_duplicate_email(app, db):
    make_user(email="taken@example.org", name="First")
    password = "another long secret"

    result = app.test_cli_runner().invoke(
        args=["users", "create-organiser", "Taken@Example.org"],
        input=f"{password}\n{password}\n",
    )

    assert result.exit_code == 1
    assert "Error: An account for taken@example.org already exists." in result.output
    users = db.session.scalars(select(User)).all()
    assert [(u.email, u.name) for u in users] == [("taken@example.org", "First")]


def test_create_organiser_asks_twice_and_refuses_a_mismatch(app, db):
    result = app.test_cli_runner().invoke(
        args=["users", "create-organiser", "typo@example.org"],
        input="long enough secret\nlong enough secreT\n",
    )

    assert result.exit_code != 0
    assert "do not match" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0
