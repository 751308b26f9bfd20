"""flask commands: the demo visit and organiser accounts."""

from __future__ import annotations

import html
import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select

from eventsapp.accounts.models import Role, User
from eventsapp.agenda.models import AgendaItem, ItemKind
from eventsapp.agenda.rules import agenda_warnings
from eventsapp.demo import loading as demo
from eventsapp.members.models import MemberBusiness
from eventsapp.registration.models import Registration, RegistrationStatus
from eventsapp.registration.rules import notices
from eventsapp.showcase.models import (
    EQUIPMENT,
    BookingStatus,
    Showcase,
    ShowcaseBooking,
    ShowcaseSlot,
)
from eventsapp.showcase.rules.common import DESCRIPTION_MAX
from eventsapp.showcase.rules.slots import plan_slots
from eventsapp.timezones import to_local, to_utc
from eventsapp.visits.models import Venue, Visit, VisitStatus
from tests.calendar.readers import parse_both
from tests.conftest import login
from tests.support import make_user

MEMBER_PASSWORD = "demo-member-pass"  # noqa: S105 - the documented demo password
MEMBER_EMAILS = ["animation@demo.eventsapp.test", "vfx@demo.eventsapp.test",
                 "games@demo.eventsapp.test"]


def _counts(db) -> dict[str, int]:
    models = {"users": User, "visits": Visit, "venues": Venue, "items": AgendaItem,
              "businesses": MemberBusiness, "showcases": Showcase, "slots": ShowcaseSlot,
              "bookings": ShowcaseBooking, "registrations": Registration}
    return {name: db.session.scalar(select(func.count(model.id)))
            for name, model in models.items()}


# The Stoke visit (4 venues, 15 items) and the tour's Coventry and Hull visits (one
# venue and three items each; their organisers and the convenor are 3 of the users).
FULL_DEMO = {"users": 7, "visits": 3, "venues": 6, "items": 21, "businesses": 3,
             "showcases": 1, "slots": 7, "bookings": 2, "registrations": 5}


def _london_today():
    return datetime.now(ZoneInfo("Europe/London")).date()


def _demo_visit(db) -> Visit:
    db.session.expire_all()
    return db.session.scalar(select(Visit).where(Visit.slug == "cic-stoke"))


def _run_demo(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result


def _showcase(db) -> Showcase:
    db.session.expire_all()
    return db.session.scalar(select(Showcase))


def _bookings(db) -> list[ShowcaseBooking]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(ShowcaseBooking).join(ShowcaseBooking.slot).order_by(ShowcaseSlot.starts_at)))


def _text(markup: str) -> str:
    """A page's visible text, tags dropped and whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


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
    assert visit.start_date in {demo.demo_start(before), demo.demo_start(after)}
    assert visit.start_date.strftime("%A") == "Tuesday"
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
    _run_demo(app)
    assert agenda_warnings(_demo_visit(db)) == []


def test_demo_host_is_an_organisation_owned_by_the_demo_organiser(app, db, client):
    from eventsapp.organisations.models import Organisation

    result = _run_demo(app)

    platform = "Platform, the Stoke and Staffordshire moving-image cluster"
    host = db.session.scalar(select(Organisation).where(Organisation.name == platform))
    assert host.kind.value == "host" and host.default_city == "Stoke-on-Trent"
    assert [(m.user.email, m.role.value) for m in host.memberships] == [
        ("organiser@demo.eventsapp.test", "owner")]
    assert _demo_visit(db).organisation_id == host.id
    # Platform's members: the demo's three businesses, and only Platform's.
    assert set(db.session.scalars(select(MemberBusiness.organisation_id))) == {host.id}
    assert db.session.scalar(select(func.count()).select_from(MemberBusiness)) == 3
    assert "Created the demo's host organisation, owned by the demo organiser." in result.output
    # The printed login works and reaches the organisation's page.
    assert client.post("/login", data={"email": "organiser@demo.eventsapp.test",
                                       "password": "demo-organiser-pass"}).status_code == 302
    page = client.get("/organiser/organisation/")
    assert page.status_code == 200 and "You are an" in page.text
    # Run again: nothing new.
    organisations = db.session.scalar(select(func.count()).select_from(Organisation))
    again = _run_demo(app)
    assert "host organisation" not in again.output
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == organisations


def test_demo_creates_three_member_businesses_with_one_login_each(app, db):
    result = _run_demo(app)

    businesses = db.session.scalars(select(MemberBusiness).order_by(MemberBusiness.id)).all()
    assert len(businesses) == 3
    tags = set()
    for business in businesses:
        assert re.fullmatch(r"https://[a-z-]+\.example", business.website)
        assert len(business.sector_tags) >= 2
        assert 40 < len(business.description) < 400
        tags |= {tag.lower() for tag in business.sector_tags}
        [person] = business.people
        assert person.role is Role.MEMBER and person.active and person.name
        assert person.email.endswith("@demo.eventsapp.test")
        assert person.password_hash.startswith("scrypt:")
        assert MEMBER_PASSWORD not in person.password_hash
        assert person.check_password(MEMBER_PASSWORD)
        assert person.token_nonce and person.feed_token_hash  # a calendar feed of their own
    assert {"animation", "vfx", "games", "post-production", "documentary"} <= tags
    assert sorted(p.email for b in businesses for p in b.people) == sorted(MEMBER_EMAILS)

    assert "Created 3 member businesses." in result.output
    assert "Created 3 member logins." in result.output
    for business in businesses:  # every login printed, with its business
        [person] = business.people
        assert re.search(rf"member +{re.escape(person.email)} +{MEMBER_PASSWORD} +"
                         rf"\({re.escape(business.name)}: ", result.output)
    assert re.search(r"organiser +organiser@demo\.eventsapp\.test +demo-organiser-pass",
                     result.output)
    assert "Log in:   http://127.0.0.1:5000/login" in result.output
    assert "Organise: http://127.0.0.1:5000/organiser/visits/cic-stoke/" in result.output
    assert "Members:  http://127.0.0.1:5000/member/" in result.output


def test_demo_splits_the_showcase_into_ten_minute_slots_with_approval_and_a_deadline(app, db):
    result = _run_demo(app)

    visit = _demo_visit(db)
    [item] = [i for i in visit.live_items if i.kind is ItemKind.SHOWCASE]
    showcase = _showcase(db)
    assert showcase.item_id == item.id
    assert (showcase.slot_minutes, showcase.buffer_minutes) == (10, 2)
    assert showcase.requires_approval is True
    two_days_before = datetime.combine(visit.start_date - timedelta(days=2), time(17, 0))
    assert showcase.booking_deadline == to_utc(two_days_before, visit.zone)
    assert [(s.starts_at, s.ends_at) for s in showcase.slots] == plan_slots(
        item.starts_at, item.ends_at, 10, 2)
    starts = [to_local(s.starts_at, visit.zone).strftime("%H:%M") for s in showcase.slots]
    assert starts == ["13:30", "13:42", "13:54", "14:06", "14:18", "14:30", "14:42"]
    assert not any(s.blocked for s in showcase.slots)
    assert "Split the member showcase into 7 slots." in result.output


def test_demo_has_two_approved_bookings_and_leaves_one_business_free(app, db):
    result = _run_demo(app)

    bookings = _bookings(db)
    assert len(bookings) == 2
    assert {b.status for b in bookings} == {BookingStatus.APPROVED}
    assert len({b.business_id for b in bookings}) == 2
    assert len({b.slot_id for b in bookings}) == 2
    for booking in bookings:
        assert booking.title and 0 < len(booking.description) <= DESCRIPTION_MAX
        assert set(booking.equipment) <= set(EQUIPMENT) and booking.equipment
        assert booking.people_names
        assert booking.booked_by.business_id == booking.business_id
    free = db.session.scalars(select(MemberBusiness).where(
        MemberBusiness.id.not_in([b.business_id for b in bookings]))).all()
    assert [b.name for b in free] == ["Marl Hill Games"]
    assert "Added 2 approved showcase bookings." in result.output
    assert "(Marl Hill Games: no slot booked yet)" in result.output


def test_demo_bookings_are_in_the_public_line_up_and_the_agenda_calendar(app, db, client):
    _run_demo(app)
    visit = _demo_visit(db)
    bookings = _bookings(db)

    page = _text(client.get("/visits/cic-stoke/").get_data(as_text=True))
    assert "Showcase line-up" in page
    for booking in bookings:
        starts = to_local(booking.slot.starts_at, visit.zone).strftime("%H:%M")
        ends = to_local(booking.slot.ends_at, visit.zone).strftime("%H:%M")
        assert re.search(rf"{starts}–{ends} {re.escape(booking.business.name)} ?: "
                         rf"{re.escape(booking.title)}", page)
    assert "Marl Hill Games" not in page

    response = client.get("/visits/cic-stoke/agenda.ics")
    assert response.status_code == 200
    events = parse_both(response.data)
    assert len(events) == 15 + 2  # every agenda item, and each booking as its own event
    for booking in bookings:
        event = events[booking.uid]
        assert event["summary"] == f"Showcase: {booking.business.name} – {booking.title}"
        assert (event["start"], event["end"]) == (booking.slot.starts_at, booking.slot.ends_at)
        assert event["status"] == "CONFIRMED"
        assert event["tzid"] == "Europe/London"
        assert booking.description in event["description"]


def test_demo_registers_a_few_confirmed_delegates_with_working_private_links(app, db, client):
    result = _run_demo(app)

    registrations = db.session.scalars(select(Registration).order_by(Registration.id)).all()
    assert len(registrations) == 5
    assert {r.status for r in registrations} == {RegistrationStatus.CONFIRMED}
    assert len({r.email_key for r in registrations}) == 5
    for registration in registrations:
        assert registration.full_name and registration.organisation
        assert registration.organisation_type is not None
        assert registration.privacy_accepted_at is not None
        assert registration.email.endswith("@demo.eventsapp.test")
    first = registrations[0]
    page = client.get(f"/r/{notices.manage_token(first)}")
    assert page.status_code == 200
    assert first.full_name in page.get_data(as_text=True)
    assert "Added 5 confirmed registrations." in result.output


def test_a_demo_member_logs_in_and_sees_their_booking(app, db, client):
    _run_demo(app)
    [booking] = [b for b in _bookings(db) if b.business.name == "Saggar Lane Animation"]
    member = db.session.scalar(select(User).where(User.email == MEMBER_EMAILS[0]))

    response = login(client, member, MEMBER_PASSWORD)

    assert response.headers["Location"].endswith("/member/")
    page = _text(client.get("/member/").get_data(as_text=True))
    assert "Saggar Lane Animation" in page
    assert booking.title in page
    assert "Approved" in page


def test_the_free_demo_member_can_book_a_slot(app, db, client):
    _run_demo(app)
    member = db.session.scalar(select(User).where(User.email == MEMBER_EMAILS[2]))
    login(client, member, MEMBER_PASSWORD)
    page = _text(client.get("/member/").get_data(as_text=True))
    assert "no showcase bookings yet" in page
    assert "5 slots free of 7" in page
    taken = {b.slot_id for b in _bookings(db)}
    slot = next(s for s in _showcase(db).slots if s.id not in taken)

    response = client.post(f"/member/slots/{slot.id}/book", data={
        "title": "Playtest: a narrative game set in a pot bank",
        "description": "Ten minutes of play on a big screen.",
        "format": "demo", "equipment": ["power", "screen"], "people": "Tasha Beardmore",
    })

    assert response.status_code == 303, response.get_data(as_text=True)
    mine = [b for b in _bookings(db) if b.business_id == member.business_id]
    assert [(b.slot_id, b.status) for b in mine] == [(slot.id, BookingStatus.PENDING)]


def test_demo_is_idempotent(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    counts = _counts(db)
    uids = sorted(item.uid for item in _demo_visit(db).items)
    bookings = [(b.uid, b.slot_id, b.status, b.sequence) for b in _bookings(db)]
    hashes = sorted(db.session.scalars(select(User.password_hash)))

    second = runner.invoke(args=["demo"])

    assert second.exit_code == 0, second.output
    assert "Nothing to do" in second.output
    assert "Created" not in second.output and "Added" not in second.output
    assert _counts(db) == counts == FULL_DEMO
    assert sorted(item.uid for item in _demo_visit(db).items) == uids
    assert [(b.uid, b.slot_id, b.status, b.sequence) for b in _bookings(db)] == bookings
    assert sorted(db.session.scalars(select(User.password_hash))) == hashes
    assert MEMBER_EMAILS[2] in second.output  # the logins are printed every time


def test_demo_adds_members_showcase_and_bookings_to_a_visit_from_an_older_demo(app, db):
    _run_demo(app)
    uids = sorted(item.uid for item in _demo_visit(db).items)
    # What an older demo left: the visit, its agenda and the organiser only.
    db.session.execute(delete(ShowcaseBooking))
    db.session.execute(delete(Showcase))
    db.session.execute(delete(Registration))
    db.session.execute(delete(User).where(User.role == Role.MEMBER))
    db.session.execute(delete(MemberBusiness))
    db.session.commit()
    assert _counts(db) == {**FULL_DEMO, "users": 4, "businesses": 0, "showcases": 0,
                           "slots": 0, "bookings": 0, "registrations": 0}

    result = _run_demo(app)

    assert _counts(db) == FULL_DEMO
    assert sorted(item.uid for item in _demo_visit(db).items) == uids
    assert "Created the demo visit" not in result.output
    assert "Created the demo organiser" not in result.output
    assert "Created 3 member logins." in result.output
    assert "Added 2 approved showcase bookings." in result.output


def test_demo_leaves_a_cancelled_booking_and_a_changed_showcase_alone(app, db):
    _run_demo(app)
    _bookings(db)[0].status = BookingStatus.CANCELLED
    db.session.commit()
    _showcase(db).requires_approval = False
    db.session.commit()

    result = _run_demo(app)

    assert "Nothing to do" in result.output
    assert [b.status for b in _bookings(db)] == [BookingStatus.CANCELLED,
                                                 BookingStatus.APPROVED]
    assert _showcase(db).requires_approval is False


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
    assert _counts(db) == {name: 1 if name == "users" else 0 for name in FULL_DEMO}


def test_demo_refuses_when_a_demo_member_email_belongs_to_an_organiser(app, db):
    make_user(email=MEMBER_EMAILS[1], role="organiser")

    result = app.test_cli_runner().invoke(args=["demo"])

    assert result.exit_code == 1
    assert f"{MEMBER_EMAILS[1]} exists but is not a member account." in result.output
    assert _counts(db) == {name: 1 if name == "users" else 0 for name in FULL_DEMO}


class TestDemoWithABaseUrl:
    @pytest.fixture
    def app_config(self):
        return {"BASE_URL": "https://visits.example.org/"}

    def test_demo_prints_links_on_the_configured_site(self, app):
        result = app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        assert "Visit:    https://visits.example.org/visits/cic-stoke/" in result.output
        assert "Log in:   https://visits.example.org/login" in result.output
        assert "Members:  https://visits.example.org/member/" in result.output


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


def test_create_organiser_joins_or_makes_the_named_organisation(app, db):
    from eventsapp.organisations.models import Organisation

    runner = app.test_cli_runner()
    secret = "long enough secret\nlong enough secret\n"
    first = runner.invoke(args=["users", "create-organiser", "ann@platform.example",
                                "--organisation", "Platform"], input=secret)
    second = runner.invoke(args=["users", "create-organiser", "bo@platform.example",
                                 "--organisation", "Platform", "--role", "viewer"],
                           input=secret)
    third = runner.invoke(args=["users", "create-organiser", "cy@platform.example"],
                          input=secret)

    assert first.exit_code == second.exit_code == third.exit_code == 0, third.output
    assert "Created the organisation Platform, with them as owner." in first.output
    assert "Added them to Platform as viewer." in second.output
    assert "Added them to Platform as owner." in third.output  # the only organisation
    db.session.expire_all()
    [platform] = db.session.scalars(select(Organisation)).all()
    assert sorted((m.user.email, m.role.value) for m in platform.memberships) == [
        ("ann@platform.example", "owner"), ("bo@platform.example", "viewer"),
        ("cy@platform.example", "owner")]


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
