"""Who may do what, for every route and method in ``app.url_map``, written out as a table.

Each role makes each request with the values it really holds: the attendee has the
private links of one registration (``/r/<token>`` and its feed), every logged-in person
has their own calendar-feed link, and whoever holds no link uses a well-formed one that
opens nothing. Ids and slugs are real (a published visit with a venue, items, a
showcase with slots, a booking by business A, registrations). The outcomes:

- ``OK``: served (2xx or 3xx, but not a redirect to /login);
- ``LOGIN``: sent to /login;
- ``FORBIDDEN``: 403;
- ``NOT_FOUND``: 404, exactly like something that does not exist;
- ``CONFLICT``: let in, then refused by a rule with 409 (member A already has a booking
  on this visit, so cannot book a second slot).

Every refused request must change nothing at all: the whole database is compared before
and after it. A route missing from the table, or a table row for a route that is gone,
fails ``test_every_route_and_method_is_in_the_table``.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from eventsapp.accounts import rules as users
from eventsapp.accounts import tokens
from eventsapp.agenda.models import ItemKind, ItemStatus
from eventsapp.checkin import rules as checkin
from eventsapp.extensions import db as _db
from eventsapp.messages.models import Audience
from eventsapp.messages.rules import sending
from eventsapp.registration.models import (
    ItemSignup,
    Question,
    QuestionKind,
    RegistrationStatus,
    SignupStatus,
)
from eventsapp.registration.rules import notices
from eventsapp.showcase.models import ShowcaseBooking
from eventsapp.visits import partner_link
from eventsapp.visits.models import Visit, VisitStatus
from eventsapp.web.headers import EMAIL_PREVIEW_POLICY
from tests.conftest import _empty_tables
from tests.support import (
    PASSWORD,
    add_to_organisation,
    make_booking,
    make_business,
    make_item,
    make_member,
    make_organisation,
    make_registration,
    make_showcase,
    make_user,
    make_venue,
    make_visit,
)

OK, LOGIN, FORBIDDEN, NOT_FOUND, CONFLICT = "ok", "login", "403", "404", "409"
# organiser: an owner of Platform, the visit's host organisation; viewer: Platform's
# viewer; other_organiser: the owner of another host organisation; co_organiser: the
# owner of a convenor, co-organiser of this visit only; member_other: a member business
# of the other host.
ROLES = ("anonymous", "attendee", "member_a", "member_b", "member_other", "organiser",
         "other_organiser", "viewer", "co_organiser")
LOGGED_IN = ("member_a", "member_b", "member_other", "organiser", "other_organiser", "viewer",
             "co_organiser")


def row(anonymous, attendee, member_a, member_b, organiser, other_organiser, *,
        member_other=None, viewer=None, co_organiser=None) -> dict:
    """By default the other host's member fares as member B, the viewer as the
    organiser and the co-organiser as the other organisation's owner."""
    return dict(zip(ROLES, (anonymous, attendee, member_a, member_b,
                            member_b if member_other is None else member_other, organiser,
                            other_organiser, organiser if viewer is None else viewer,
                            other_organiser if co_organiser is None else co_organiser),
                    strict=True))


def but(expected: dict, **changes) -> dict:
    return {**expected, **changes}


EVERYONE = row(OK, OK, OK, OK, OK, OK)
# Private links: the link is the key. Only the attendee holds this registration's.
LINK_HOLDER = row(NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)
# A personal feed: each holder of a feed link opens their own; the anonymous visitor
# has none.
OWN_FEED = row(NOT_FOUND, OK, OK, OK, OK, OK)
# A set-password link is held by the invited person only, who is none of these.
NOBODY = row(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)
MEMBERS = row(LOGIN, LOGIN, OK, OK, FORBIDDEN, FORBIDDEN)
# The showcases of the visit's host: another host's member gets 404.
HOST_MEMBERS = but(MEMBERS, member_other=NOT_FOUND)
# Business A's own booking: business B gets 404, as if it did not exist.
BUSINESS_A = row(LOGIN, LOGIN, OK, NOT_FOUND, FORBIDDEN, FORBIDDEN)
# Not tied to one visit (the organiser's home, new visits, the organisation's members and
# people): every organiser, in their own organisation.
ORGANISERS = row(LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, OK, OK)
# ... and a change there: not by a viewer.
ORGANISER_CHANGES = but(ORGANISERS, viewer=FORBIDDEN)
# Business A, a person of it, a person of Platform: another organisation's gets 404.
HOST_THINGS = row(LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND)
HOST_CHANGES = but(HOST_THINGS, viewer=FORBIDDEN)
# Tied to a visit: an organiser of another organisation gets 404; its co-organiser works.
VISIT_ORGANISERS = row(LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, OK, NOT_FOUND, co_organiser=OK)
# ... and a change to it: a viewer reads the visit but changes nothing (403).
VISIT_CHANGES = but(VISIT_ORGANISERS, viewer=FORBIDDEN)
# Choosing the visit's co-organisers: the host's owners and organisers only.
HOST_CHOOSES = but(VISIT_CHANGES, co_organiser=FORBIDDEN)
# A tour, convened by the visit's host: read by its people, changed by its organisers; the
# co-organiser of one of its visits does not convene it (404).
TOUR_READ = HOST_THINGS
TOUR_CHANGES = HOST_CHANGES

TABLE: dict[tuple[str, str], dict[str, str]] = {
    # public pages, calendars, JSON
    ("visits.index", "GET"): EVERYONE,
    ("visits.visit", "GET"): EVERYONE,
    ("calendar.visit_agenda", "GET"): EVERYONE,
    ("calendar.item", "GET"): EVERYONE,
    ("calendar.agenda_json", "GET"): EVERYONE,
    ("health.healthz", "GET"): EVERYONE,
    ("static", "GET"): EVERYONE,
    ("registration.register", "GET"): EVERYONE,
    ("registration.register", "POST"): EVERYONE,
    # asking for a lost private link: the same answer for anyone (emailed to the owner)
    ("registration.lost_link", "GET"): EVERYONE,
    ("registration.lost_link", "POST"): EVERYONE,
    ("registration.lost_links", "GET"): EVERYONE,
    ("registration.lost_links", "POST"): EVERYONE,
    # the attendee's private pages and feed
    ("registration.manage", "GET"): LINK_HOLDER,
    ("registration.edit", "POST"): LINK_HOLDER,
    ("registration.sign_up", "POST"): LINK_HOLDER,
    ("registration.leave", "POST"): LINK_HOLDER,
    ("registration.cancel", "POST"): LINK_HOLDER,
    ("registration.erase", "POST"): LINK_HOLDER,
    ("registration.reset_calendar", "POST"): LINK_HOLDER,
    ("registration.itinerary", "GET"): LINK_HOLDER,
    ("feedback.form", "GET"): LINK_HOLDER,
    # The world's visit is weeks away: the attendee's feedback is refused until it ends.
    ("feedback.form", "POST"): row(NOT_FOUND, CONFLICT, NOT_FOUND, NOT_FOUND, NOT_FOUND,
                                   NOT_FOUND),
    ("calendar.personal", "GET"): OWN_FEED,
    # logging in and out
    ("accounts.login", "GET"): EVERYONE,
    ("accounts.login", "POST"): EVERYONE,
    ("accounts.logout", "POST"): EVERYONE,
    ("accounts.set_password", "GET"): NOBODY,
    ("accounts.set_password", "POST"): NOBODY,
    # the member area
    ("member.index", "GET"): MEMBERS,
    ("member.reset_calendar", "POST"): MEMBERS,
    ("member.showcase", "GET"): HOST_MEMBERS,
    ("member.book", "GET"): HOST_MEMBERS,
    ("member.book", "POST"): row(LOGIN, LOGIN, CONFLICT, OK, FORBIDDEN, FORBIDDEN,
                                 member_other=NOT_FOUND),
    ("member.booking", "GET"): BUSINESS_A,
    ("member.booking", "POST"): BUSINESS_A,
    ("member.move", "GET"): BUSINESS_A,
    ("member.move", "POST"): BUSINESS_A,
    ("member.cancel", "POST"): BUSINESS_A,
    # the organiser area: visits, venues, agenda
    ("visits.organiser_home", "GET"): ORGANISERS,
    ("visits.reset_calendar", "POST"): ORGANISERS,
    ("visits.new_visit", "GET"): ORGANISERS,
    ("visits.new_visit", "POST"): ORGANISER_CHANGES,
    ("visits.organiser_visit", "GET"): VISIT_ORGANISERS,
    ("agenda.agenda_page", "GET"): VISIT_ORGANISERS,
    ("visits.edit_visit", "GET"): VISIT_ORGANISERS,
    ("visits.edit_visit", "POST"): VISIT_CHANGES,
    ("visits.publish_visit", "POST"): VISIT_CHANGES,
    ("visits.unpublish_visit", "POST"): VISIT_CHANGES,
    ("visits.cancel_visit", "POST"): VISIT_CHANGES,
    ("visits.new_venue", "GET"): VISIT_ORGANISERS,
    ("visits.new_venue", "POST"): VISIT_CHANGES,
    ("visits.edit_venue", "GET"): VISIT_ORGANISERS,
    ("visits.edit_venue", "POST"): VISIT_CHANGES,
    ("visits.delete_venue", "POST"): VISIT_CHANGES,
    ("agenda.new_item", "GET"): VISIT_ORGANISERS,
    ("agenda.new_item", "POST"): VISIT_CHANGES,
    ("agenda.edit_item", "GET"): VISIT_ORGANISERS,
    ("agenda.edit_item", "POST"): VISIT_CHANGES,
    ("agenda.duplicate_item", "POST"): VISIT_CHANGES,
    ("agenda.cancel_item", "POST"): VISIT_CHANGES,
    ("agenda.reinstate_item", "POST"): VISIT_CHANGES,
    ("agenda.delete_item", "POST"): VISIT_CHANGES,
    ("agenda.import_agenda", "GET"): VISIT_ORGANISERS,
    ("agenda.import_agenda", "POST"): VISIT_CHANGES,
    ("agenda.confirm_import", "POST"): VISIT_CHANGES,
    ("agenda.export_agenda", "GET"): VISIT_ORGANISERS,
    ("visits.duplicate_visit", "GET"): VISIT_ORGANISERS,
    ("visits.duplicate_visit", "POST"): HOST_CHOOSES,
    # the organiser area: registration
    ("registration.registration_settings", "GET"): VISIT_ORGANISERS,
    ("registration.registration_settings", "POST"): VISIT_CHANGES,
    ("registration.add_question", "POST"): VISIT_CHANGES,
    ("registration.edit_question", "GET"): VISIT_ORGANISERS,
    ("registration.edit_question", "POST"): VISIT_CHANGES,
    ("registration.delete_question", "POST"): VISIT_CHANGES,
    ("registration.move_question_up", "POST"): VISIT_CHANGES,
    ("registration.move_question_down", "POST"): VISIT_CHANGES,
    ("registration.registrations", "GET"): VISIT_ORGANISERS,
    ("registration.registrations_csv", "GET"): VISIT_ORGANISERS,
    ("registration.catering", "GET"): VISIT_ORGANISERS,
    ("registration.purge_registrations", "POST"): VISIT_CHANGES,
    ("dashboard.report", "GET"): VISIT_ORGANISERS,
    ("dashboard.report_csv", "GET"): VISIT_ORGANISERS,
    ("dashboard.request_feedback", "POST"): VISIT_CHANGES,
    ("registration.new_registration", "GET"): VISIT_ORGANISERS,
    ("registration.new_registration", "POST"): VISIT_CHANGES,
    ("registration.registration", "GET"): VISIT_ORGANISERS,
    ("registration.approve_registration", "POST"): VISIT_CHANGES,
    ("registration.decline_registration", "POST"): VISIT_CHANGES,
    ("registration.promote_registration", "POST"): VISIT_CHANGES,
    ("registration.waitlist_registration", "POST"): VISIT_CHANGES,
    ("registration.cancel_registration", "POST"): VISIT_CHANGES,
    ("registration.resend_registration", "POST"): VISIT_CHANGES,
    # the organiser area: showcases
    ("showcase.showcases", "GET"): VISIT_ORGANISERS,
    ("showcase.showcase", "GET"): VISIT_ORGANISERS,
    ("showcase.showcase", "POST"): VISIT_CHANGES,
    ("showcase.block_slot", "POST"): VISIT_CHANGES,
    ("showcase.unblock_slot", "POST"): VISIT_CHANGES,
    ("showcase.approve_booking", "POST"): VISIT_CHANGES,
    ("showcase.decline_booking", "POST"): VISIT_CHANGES,
    ("showcase.assign_member", "POST"): VISIT_CHANGES,
    ("showcase.run_sheet", "GET"): VISIT_ORGANISERS,
    ("showcase.run_sheet_csv", "GET"): VISIT_ORGANISERS,
    # the organiser area: the dashboard and the visit's run sheet
    ("dashboard.dashboard", "GET"): VISIT_ORGANISERS,
    ("dashboard.visit_run_sheet", "GET"): VISIT_ORGANISERS,
    # the organiser area: check-in on the day (the desk, and the page a QR code opens)
    ("checkin.check_in_desk", "GET"): VISIT_ORGANISERS,
    ("checkin.check_in_counts", "GET"): VISIT_ORGANISERS,
    ("checkin.check_in", "POST"): VISIT_CHANGES,
    ("checkin.undo_check_in", "POST"): VISIT_CHANGES,
    ("checkin.scanned", "GET"): VISIT_ORGANISERS,
    ("checkin.scanned_check_in", "POST"): VISIT_CHANGES,
    ("checkin.scanned_undo", "POST"): VISIT_CHANGES,
    # the organiser area: the change log and change notices
    ("changes.changes", "GET"): VISIT_ORGANISERS,
    ("changes.changes_preview", "GET"): VISIT_ORGANISERS,
    ("changes.notify_changes", "POST"): VISIT_CHANGES,
    # the organiser area: messages and reminders
    ("messages.messages", "GET"): VISIT_ORGANISERS,
    ("messages.message", "GET"): VISIT_ORGANISERS,
    ("messages.new_message", "GET"): VISIT_ORGANISERS,
    ("messages.new_message", "POST"): VISIT_CHANGES,
    # the preview's email alone, for its frame: like the preview (a POST of the form)
    ("messages.preview_email", "POST"): VISIT_CHANGES,
    ("messages.reminder_settings", "GET"): VISIT_ORGANISERS,
    ("messages.reminder_settings", "POST"): VISIT_CHANGES,
    # the organiser area: the organisation's member businesses
    ("members.members", "GET"): ORGANISERS,
    ("members.new_business", "GET"): ORGANISERS,
    ("members.new_business", "POST"): ORGANISER_CHANGES,
    ("members.edit_business", "GET"): HOST_THINGS,
    ("members.edit_business", "POST"): HOST_CHANGES,
    ("members.invite_person", "POST"): HOST_CHANGES,
    ("members.resend_invitation", "POST"): HOST_CHANGES,
    ("members.remove_person", "POST"): HOST_CHANGES,
    ("members.import_members", "GET"): ORGANISERS,
    ("members.import_members", "POST"): ORGANISER_CHANGES,
    # the organisation's page and people (owners change them: each owner here owns one)
    ("organisations.organisation", "GET"): ORGANISERS,
    ("organisations.organisation", "POST"): ORGANISER_CHANGES,
    ("organisations.invite", "POST"): ORGANISER_CHANGES,
    ("organisations.change_role", "POST"): HOST_CHANGES,
    ("organisations.resend", "POST"): HOST_CHANGES,
    ("organisations.remove", "POST"): HOST_CHANGES,
    # a visit's co-organisers, chosen by its host
    ("visits.add_co_organiser", "POST"): HOST_CHOOSES,
    ("visits.remove_co_organiser", "POST"): HOST_CHOOSES,
    # a venue partner's run-sheet link: made by the visit's organisers, opened by anyone
    # who holds it
    ("dashboard.make_partner_link", "POST"): VISIT_CHANGES,
    ("dashboard.revoke_partner_link", "POST"): VISIT_CHANGES,
    ("dashboard.partner_run_sheet", "GET"): EVERYONE,
    # tours: public pages, calendars and registering; the delegate's link and feed
    ("tours.tour", "GET"): EVERYONE,
    ("tours.agenda_ics", "GET"): EVERYONE,
    ("tours.agenda_json", "GET"): EVERYONE,
    ("tours.register", "GET"): EVERYONE,
    ("tours.register", "POST"): EVERYONE,
    ("tours.manage", "GET"): LINK_HOLDER,
    ("tours.manage", "POST"): LINK_HOLDER,
    ("tours.cancel", "POST"): LINK_HOLDER,
    ("tours.personal_feed", "GET"): LINK_HOLDER,
    # tours: the convenor's side. The world's tour is convened by the visit's host
    # organisation. Only convenor organisations start tours: of these people, the owner of
    # the convenor.
    ("tours.organiser_tours", "GET"): ORGANISERS,
    ("tours.organiser_tours", "POST"): row(LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN,
                                          FORBIDDEN, co_organiser=OK),
    ("tours.organiser_tour", "GET"): TOUR_READ,
    ("tours.organiser_tour", "POST"): TOUR_CHANGES,
    ("tours.add_visit", "POST"): TOUR_CHANGES,
    ("tours.remove_visit", "POST"): TOUR_CHANGES,
    ("tours.move_visit", "POST"): TOUR_CHANGES,
    ("tours.add_leg", "POST"): TOUR_CHANGES,
    ("tours.edit_leg", "GET"): TOUR_CHANGES,  # the form to change a leg
    ("tours.edit_leg", "POST"): TOUR_CHANGES,
    ("tours.delete_leg", "POST"): TOUR_CHANGES,
    ("tours.dashboard", "GET"): TOUR_READ,
    ("tours.passengers_csv", "GET"): TOUR_READ,
}


# --- the world ---------------------------------------------------------------------------

# Logging in through the real form six times per route would spend minutes in scrypt;
# these accounts' hashes use a single PBKDF2 round instead (check_password_hash reads
# the method from the hash).
CHEAP_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
# Well-formed, but made with a nonce nobody has: opens nothing.
FORGED_TOKEN = tokens.make(tokens.MANAGE, "no-such-nonce", key="not-the-secret")


@dataclass
class World:
    """Plain ids and strings only: some requests delete what they point at."""

    slug: str
    venue_id: int
    spare_venue_id: int  # no item uses it, so it can be deleted
    talk_id: int  # limited places; the attendee holds one
    panel_id: int  # limited places; the attendee has none
    cancelled_item_id: int
    showcase_item_id: int
    showcase_id: int
    free_slot_id: int
    blocked_slot_id: int
    booking_id: int  # business A's, pending approval
    registration_id: int  # the attendee's, confirmed
    waitlisted_id: int
    pending_id: int
    question_id: int
    second_question_id: int
    business_a_id: int
    invitee_id: int  # a person of business A who has not set a password yet
    co_organiser_id: int
    convenor_id: int  # the co-organiser's organisation, a convenor
    viewer_membership_id: int  # the viewer's place in Platform (role changed, removed)
    partner_token: str  # the venue's run-sheet link (the spare venue has none)
    message_id: int  # a message the organiser sent to the confirmed attendees
    start: datetime
    manage_token: str
    feed_tokens: dict[str, str]
    emails: dict[str, str]
    visit_id: int
    stop_id: int  # the visit on the world's tour (slug "cic-stoke" too)
    leg_id: int
    tour_manage_token: str  # the attendee's tour registration, which holds their place
    tour_feed_token: str


def build_world() -> World:
    organiser = make_user(email="organiser@example.org", name="Olu Organiser")
    other = make_user(email="other-organiser@example.org", name="Oona Other")
    start = datetime.now(UTC).date() + timedelta(days=21)
    visit = make_visit(organisers=[organiser], slug="cic-stoke", status=VisitStatus.PUBLISHED,
                       start_date=start, capacity=50, contact_email="hello@example.org")
    make_visit(organisers=[other], slug="elsewhere", title="Another cluster's visit")
    platform = visit.organisation
    viewer = make_user(email="viewer@example.org", name="Vic Viewer", organisation=None)
    viewer_membership = add_to_organisation(platform, viewer, "viewer")
    co_organiser = make_user(email="convenor@example.org", name="Cleo Convenor",
                             organisation=None)
    convenor = make_organisation("CIC Regions and Clusters", owners=(co_organiser,),
                                 kind="convenor")
    visit.co_organisers.append(co_organiser)
    venue = make_venue(visit)
    venue.partner_link_nonce = "the-venue-s-link"
    spare = make_venue(visit, name="Middleport Pottery")
    talk = make_item(visit, "09:00", "10:00", venue=venue, title="Welcome", capacity=10)
    panel = make_item(visit, "10:30", "11:30", venue=venue, title="Panel", capacity=10,
                      kind=ItemKind.PANEL)
    cancelled = make_item(visit, "12:00", "12:30", title="Cancelled talk",
                          status=ItemStatus.CANCELLED)
    showcase_item = make_item(visit, "13:30", "14:30", venue=venue, kind=ItemKind.SHOWCASE,
                              title="Member showcase")
    showcase = make_showcase(showcase_item)
    business_a = make_business(name="Clayworks Studio")
    business_b = make_business(name="Pixel Mill")
    member_a = make_member(business_a, email="mina@clayworks.example")
    member_b = make_member(business_b, email="piotr@pixelmill.example", name="Piotr Pixel")
    elsewhere = _db.session.scalar(select(Visit).where(Visit.slug == "elsewhere")).organisation
    business_other = make_business(name="Coventry Pixels", organisation=elsewhere)
    member_other = make_member(business_other, email="cora@coventrypixels.example",
                               name="Cora Coventry")
    invitee = make_member(business_a, email="new@clayworks.example", name="Ned New")
    invitee.password_hash = None
    booking = make_booking(showcase.slots[0], business_a, status="pending")
    blocked = showcase.slots[2]
    blocked.blocked = True
    attendee = make_registration(visit, email="ada@example.org")
    waitlisted = make_registration(visit, status=RegistrationStatus.WAITLISTED)
    pending = make_registration(visit, status=RegistrationStatus.PENDING_APPROVAL)
    _db.session.add(ItemSignup(item_id=talk.id, registration_id=attendee.id,
                               status=SignupStatus.CONFIRMED))
    _db.session.add_all([
        Question(visit=visit, kind=QuestionKind.SHORT_TEXT, label="First question",
                 position=0),
        Question(visit=visit, kind=QuestionKind.SHORT_TEXT, label="Second question",
                 position=1),
    ])
    people = {"organiser": organiser, "other_organiser": other, "member_a": member_a,
              "member_b": member_b, "member_other": member_other, "viewer": viewer,
              "co_organiser": co_organiser}
    for user in people.values():
        user.password_hash = CHEAP_HASH
        users.ensure_feed_token(user)
    _db.session.commit()
    message = sending.send(organiser, visit.slug, sending.Draft(
        "Coaches", "Coaches leave at 9.", frozenset({Audience.CONFIRMED}), draft_key="w"))
    first, second = _db.session.scalars(select(Question).where(Question.visit_id == visit.id)
                                        .order_by(Question.position))
    stop, leg, tour_registration = _tour(visit, attendee)
    return World(
        slug=visit.slug, venue_id=venue.id, spare_venue_id=spare.id, talk_id=talk.id,
        panel_id=panel.id, cancelled_item_id=cancelled.id,
        showcase_item_id=showcase_item.id, showcase_id=showcase.id,
        free_slot_id=showcase.slots[1].id, blocked_slot_id=blocked.id, booking_id=booking.id,
        registration_id=attendee.id, waitlisted_id=waitlisted.id, pending_id=pending.id,
        question_id=first.id, second_question_id=second.id, business_a_id=business_a.id,
        invitee_id=invitee.id, co_organiser_id=co_organiser.id, convenor_id=convenor.id,
        viewer_membership_id=viewer_membership.id,
        partner_token=partner_link.token(venue),
        message_id=message.id,
        start=datetime.combine(start, datetime.min.time()),
        manage_token=notices.manage_token(attendee),
        feed_tokens={"attendee": notices.feed_token(attendee),
                     **{role: users.feed_token(user) for role, user in people.items()}},
        emails={role: user.email for role, user in people.items()},
        visit_id=visit.id, stop_id=stop.id, leg_id=leg.id,
        tour_manage_token=tokens.make(tokens.MANAGE, tour_registration.token_nonce),
        tour_feed_token=tokens.make(tokens.FEED, tour_registration.token_nonce),
    )


def _tour(visit, attendee):
    """A tour with the visit's slug, convened by the visit's organisation, with one leg;
    the attendee's registration is held through their tour registration."""
    from eventsapp.tours.models import Tour, TourRegistration, TourStop, TravelLeg, TravelMode

    tour = Tour(slug=visit.slug, title="Smaller cities", organisation_id=visit.organisation_id)
    stop = TourStop(tour=tour, visit=visit, position=0)
    departs = datetime.now(UTC) + timedelta(days=20)
    leg = TravelLeg(tour=tour, mode=TravelMode.RAIL, sequence=0, departs_from="Coventry",
                    arrives_at_place="Stoke", departs_at=departs,
                    arrives_at=departs + timedelta(hours=1), to_visit=visit)
    nonce = tokens.new_nonce()
    held = TourRegistration(
        tour=tour, full_name=attendee.full_name, email=attendee.email,
        email_key=attendee.email_key, token_nonce=nonce, feed_sequence=0,
        manage_token_hash=tokens.digest(tokens.make(tokens.MANAGE, nonce)),
        feed_token_hash=tokens.digest(tokens.make(tokens.FEED, nonce)))
    _db.session.add_all([tour, stop, leg, held])
    _db.session.flush()
    attendee.tour_registration_id = held.id
    _db.session.commit()
    return stop, leg, held


def clients_for(app, world: World) -> dict:
    clients = {}
    for role in ROLES:
        client = app.test_client()
        if role in LOGGED_IN:
            response = client.post("/login", data={"email": world.emails[role],
                                                   "password": PASSWORD})
            assert response.status_code == 302, f"{role} could not log in"
        clients[role] = client
    return clients


# --- filling in URLs and forms -------------------------------------------------------------


def _token(endpoint: str, role: str, world: World) -> str:
    if endpoint == "tours.personal_feed":
        return world.tour_feed_token if role == "attendee" else FORGED_TOKEN
    if endpoint.startswith("tours."):
        return world.tour_manage_token if role == "attendee" else FORGED_TOKEN
    if endpoint.startswith(("registration.", "feedback.")):
        return world.manage_token if role == "attendee" else FORGED_TOKEN
    if endpoint == "calendar.personal":
        return world.feed_tokens.get(role, FORGED_TOKEN)
    if endpoint == "accounts.set_password":
        return FORGED_TOKEN
    if endpoint == "dashboard.partner_run_sheet":
        return world.partner_token
    raise AssertionError(f"no token known for {endpoint}")


def _item_id(endpoint: str, world: World) -> int:
    if endpoint.startswith("showcase."):
        return world.showcase_item_id  # the showcase routes' item
    return {"registration.sign_up": world.panel_id,
            "agenda.reinstate_item": world.cancelled_item_id}.get(endpoint, world.talk_id)


ITEM_ROUTES = {"agenda.edit_item", "agenda.duplicate_item", "agenda.cancel_item",
               "agenda.reinstate_item", "agenda.delete_item"}
# Which of the world's rows a route acts on, where the obvious one would make the
# action a no-op or a refusal (approving a confirmed registration, deleting a venue
# that items use, moving the first question up).
ROW_FOR = {
    ("registration.approve_registration", "registration_id"): "pending_id",
    ("registration.decline_registration", "registration_id"): "pending_id",
    ("registration.promote_registration", "registration_id"): "waitlisted_id",
    ("visits.delete_venue", "venue_id"): "spare_venue_id",
    ("registration.move_question_up", "question_id"): "second_question_id",
    ("showcase.unblock_slot", "slot_id"): "blocked_slot_id",
    ("dashboard.make_partner_link", "venue_id"): "spare_venue_id",
    ("visits.remove_co_organiser", "user_id"): "co_organiser_id",
    ("organisations.change_role", "membership_id"): "viewer_membership_id",
    ("organisations.resend", "membership_id"): "viewer_membership_id",
    ("organisations.remove", "membership_id"): "viewer_membership_id",
}


def url_values(rule, role: str, world: World) -> dict:
    endpoint = rule.endpoint
    values: dict[str, object] = {}
    for name in rule.arguments:
        if name == "token":
            values[name] = _token(endpoint, role, world)
        elif name == "slug":
            values[name] = world.slug
        elif name == "item_id":
            values[name] = _item_id(endpoint, world)
        elif (endpoint, name) in ROW_FOR:
            values[name] = getattr(world, ROW_FOR[(endpoint, name)])
        elif name == "slot_id":
            values[name] = world.free_slot_id
        elif name == "business_id":
            values[name] = world.business_a_id
        elif name == "user_id":
            values[name] = world.invitee_id
        elif name == "sig":  # a check-in link's: the attendee's registration
            values[name] = checkin.signature(world.registration_id)
        elif name == "filename":
            values[name] = "css/app.css"
        elif name in ("showcase_id", "booking_id", "venue_id", "question_id",
                      "registration_id", "stop_id", "leg_id",
                      "message_id"):
            values[name] = getattr(world, name)
        else:
            raise AssertionError(f"{rule.rule}: no value for <{name}>; add one to url_values")
    return values


def _local(world: World, hhmm: str) -> str:
    return f"{world.start:%Y-%m-%d}T{hhmm}"


def _agenda_csv(world: World) -> bytes:
    return (f"date,start,end,title,kind\n{world.start:%Y-%m-%d},16:00,16:30,Closing words,"
            "talk\n").encode()


DETAILS = {"full_name": "Ada Lovelace", "email": "ada@example.org",
           "organisation": "Analytical Engines", "job_title": "Director",
           "organisation_type": "industry"}
BOOKING = {"title": "Clay printing in 3D", "description": "Printers at work.",
           "format": "demo", "equipment": ["power"], "people": "Mina Maker"}

# The form each POST sends: valid, so an allowed role gets through and a refused one is
# refused for who it is, not for what it sent.
POST_DATA = {
    "registration.register": lambda w: {**DETAILS, "email": "newcomer@example.org",
                                        "privacy_accepted": "y"},
    "registration.edit": lambda w: {**DETAILS, "dietary": "Vegan"},
    # The attendee's address: an email is queued (a change the table can see).
    "registration.lost_link": lambda w: {"email": "ada@example.org"},
    "registration.lost_links": lambda w: {"email": "ada@example.org"},
    "accounts.login": lambda w: {"email": "nobody@example.org", "password": "not a password"},
    "accounts.set_password": lambda w: {"password": "a long new password",
                                    "confirm": "a long new password"},
    "member.book": lambda w: BOOKING,
    "member.booking": lambda w: {**BOOKING, "title": "Clay printing, revised"},
    "member.move": lambda w: {"slot_id": str(w.free_slot_id)},
    "visits.new_visit": lambda w: {
        "title": "A new visit", "slug": "a-new-visit", "city": "Leeds", "host": "Host",
        "timezone": "Europe/London", "start_date": f"{w.start:%Y-%m-%d}",
        "end_date": f"{w.start:%Y-%m-%d}"},
    "visits.edit_visit": lambda w: {
        "title": "Renamed visit", "slug": w.slug, "city": "Stoke-on-Trent", "host": "Platform",
        "timezone": "Europe/London", "start_date": f"{w.start:%Y-%m-%d}",
        "end_date": f"{w.start + timedelta(days=1):%Y-%m-%d}"},
    "visits.new_venue": lambda w: {"name": "The Potteries Museum"},
    "visits.edit_venue": lambda w: {"name": "Spode Works, renamed"},
    "agenda.new_item": lambda w: {
        "kind": "talk", "title": "Closing words", "starts_at": _local(w, "16:00"),
        "ends_at": _local(w, "16:30"), "venue_id": ""},
    "agenda.edit_item": lambda w: {
        "kind": "talk", "title": "Welcome, moved", "starts_at": _local(w, "09:15"),
        "ends_at": _local(w, "10:00"), "venue_id": str(w.venue_id), "capacity": "10"},
    "agenda.import_agenda": lambda w: {"file": (io.BytesIO(_agenda_csv(w)), "agenda.csv")},
    "agenda.confirm_import": lambda w: {
        "file_data": base64.b64encode(_agenda_csv(w)).decode("ascii")},
    "visits.duplicate_visit": lambda w: {
        "title": "Next year's visit", "slug": "next-year",
        "start_date": f"{w.start + timedelta(days=365):%Y-%m-%d}"},
    "registration.registration_settings": lambda w: {
        "capacity": "60", "waitlist_enabled": "y", "access": "open",
        "contact_email": "hello@example.org"},
    "registration.add_question": lambda w: {"question-kind": "short_text",
                                         "question-label": "A third question"},
    "registration.edit_question": lambda w: {"question-kind": "short_text",
                                          "question-label": "First question, reworded"},
    "registration.new_registration": lambda w: {**DETAILS, "email": "by-hand@example.org",
                                             "send_email": "y"},
    "registration.decline_registration": lambda w: {"decline-message": "Sorry."},
    "registration.promote_registration": lambda w: {"promote-reason": "Speaker"},
    "registration.waitlist_registration": lambda w: {"waitlist-reason": "Double booked"},
    "registration.cancel_registration": lambda w: {"cancel-reason": "Asked by phone"},
    "showcase.showcase": lambda w: {"slot_minutes": "10", "buffer_minutes": "2"},
    "showcase.approve_booking": lambda w: {f"approve-{w.booking_id}-message": "Welcome."},
    "showcase.decline_booking": lambda w: {f"decline-{w.booking_id}-message": "Sorry."},
    "showcase.assign_member": lambda w: {
        "assign-slot_id": str(w.free_slot_id), "assign-business_id": "",
        "assign-title": "Pixel art wall", "assign-format": "demo"},
    "tours.register": lambda w: {**DETAILS, "email": "tour-newcomer@example.org",
                                 "privacy_accepted": "y", "visits": [str(w.visit_id)]},
    "tours.manage": lambda w: {**DETAILS, "privacy_accepted": "y", "dietary": "Vegan",
                               "visits": [str(w.visit_id)]},
    "tours.organiser_tours": lambda w: {"organisation_id": str(w.convenor_id),
                                        "title": "Another tour",
                                        "slug": "another-tour"},
    "tours.organiser_tour": lambda w: {"title": "Smaller cities, renamed", "slug": w.slug},
    "tours.add_visit": lambda w: {"visit_slug": "elsewhere"},
    "tours.move_visit": lambda w: {"to": "down"},
    "tours.add_leg": lambda w: _leg(w, "Stoke", "Hull"),
    "tours.edit_leg": lambda w: _leg(w, "Coventry", "Stoke-on-Trent"),
    "messages.new_message": lambda w: {"audiences": ["confirmed"], "subject": "Hello",
                                       "body": "See you **soon**.", "draft_key": "k",
                                       "action": "send"},
    "messages.preview_email": lambda w: {"audiences": ["confirmed"], "subject": "Hello",
                                         "body": "See you **soon**."},
    "messages.reminder_settings": lambda w: {"enabled": "y", "days_before": "3"},
    "members.new_business": lambda w: {"name": "Kiln Collective"},
    "organisations.organisation": lambda w: {"name": "Renamed organisation"},
    "organisations.invite": lambda w: {"colleague-name": "Cai Colleague",
                                       "colleague-email": "cai@colleague.example",
                                       "colleague-role": "organiser"},
    "organisations.change_role": lambda w: {"role": "organiser"},
    "visits.add_co_organiser": lambda w: {"co-email": "other-organiser@example.org"},
    "members.edit_business": lambda w: {"name": "Clayworks Studio Ltd"},
    "members.invite_person": lambda w: {"person-name": "Pat Potter",
                                          "person-email": "pat@clayworks.example"},
    "members.import_members": lambda w: {"file": (io.BytesIO(
        b"name,website,contact name,contact email\n"
        b"Glaze Lab,https://glaze.example,Gil Glaze,gil@glaze.example\n"), "members.csv")},
}


def _leg(world: World, departs_from: str, arrives: str) -> dict:
    return {"mode": "rail", "departs_from": departs_from, "arrives_at_place": arrives,
            "departs_at": _local(world, "07:00"), "arrives_at": _local(world, "08:30"),
            "timezone": "Europe/London", "from_visit_id": "", "to_visit_id": ""}


def _assign_business(data: dict) -> dict:
    """Assign business B (the one without a booking on this visit)."""
    from eventsapp.members.models import MemberBusiness

    b = _db.session.scalar(select(MemberBusiness.id).where(MemberBusiness.name == "Pixel Mill"))
    return {**data, "assign-business_id": str(b)}


def request_for(app, endpoint: str, method: str, role: str, world: World):
    rules = app.url_map.iter_rules(endpoint) if endpoint in app.view_functions else []
    rule = next((r for r in rules if method in r.methods), None)
    if rule is None:
        pytest.fail(f"the table has a row for {method} {endpoint}, which no route serves")
    url = rule.build(url_values(rule, role, world), append_unknown=False)[1]
    data = None
    if method == "POST":
        data = POST_DATA.get(endpoint, lambda w: {})(world)
        if endpoint == "showcase.assign_member":
            data = _assign_business(data)
    return url, data


# Allowed POSTs that rightly change nothing here.
NO_CHANGE = {
    "accounts.login",  # the session cookie is all that changes
    "messages.preview_email",  # shows the email; sends and stores nothing
    "accounts.logout",
    "visits.publish_visit",  # the visit is published already
    "registration.purge_registrations",  # refused (flashed) until the visit is over
    "checkin.undo_check_in",  # nobody is checked in in this world
    "checkin.scanned_undo",
    "dashboard.request_feedback",  # likewise
    "changes.notify_changes",  # no change notice is waiting in this world
    "tours.move_visit",  # the world's tour has one visit: nothing to move past
    "agenda.import_agenda",  # the preview: nothing is saved until it is confirmed
}


def _title(response) -> str:
    text = response.get_data(as_text=True)
    start, end = text.find("<title>"), text.find("</title>")
    return text[start + 7:end] if start >= 0 else text[:100]


class InlineCode(HTMLParser):
    """What the Content-Security-Policy would block: inline scripts, event handlers,
    style elements and attributes. Every page served must do without them."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = [name for name, _ in attrs]
        if (tag == "script" and "src" not in names) or tag == "style":
            self.found.append(f"<{tag}>")
        self.found += [f"<{tag} {name}=>" for name in names
                       if name == "style" or name.startswith("on")]


def _inline_code(response) -> list[str]:
    if response.mimetype != "text/html":
        return []
    parser = InlineCode()
    parser.feed(response.get_data(as_text=True))
    parser.close()
    return parser.found


def outcome(response) -> str:
    status = response.status_code
    if 300 <= status < 400 and urlsplit(response.headers.get("Location", "")).path == "/login":
        return LOGIN
    if 200 <= status < 400:
        return OK
    return {403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT}.get(status, f"status {status}")


def snapshot() -> dict:
    """Every row of every table, as the database has it now."""
    _db.session.rollback()  # no transaction left open by a previous request
    rows = {}
    with _db.engine.connect() as conn:
        for table in _db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows[table.name] = conn.execute(select(table).order_by(*order)).all()
    return rows


def _changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


# --- the walk ------------------------------------------------------------------------------


def test_every_route_and_method_is_in_the_table(app):
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    missing = sorted(routes - TABLE.keys())
    stale = sorted(TABLE.keys() - routes)
    assert missing == [], f"routes with no row in the access table: {missing}"
    assert stale == [], f"rows for routes that no longer exist: {stale}"
    assert all(set(expected) == set(ROLES) for expected in TABLE.values())


@pytest.mark.parametrize(("endpoint", "method"), sorted(TABLE), ids=lambda v: v)
def test_who_may_do_what(app, endpoint, method):
    expected = TABLE[(endpoint, method)]
    world = build_world()
    clients = clients_for(app, world)
    wrong = []

    # Refused roles first, each checked to change nothing.
    for role in (r for r in ROLES if expected[r] != OK):
        url, data = request_for(app, endpoint, method, role, world)
        before = snapshot()
        response = clients[role].open(url, method=method, data=data)
        got = outcome(response)
        changed = _changed_tables(before, snapshot())
        if got != expected[role] or changed:
            wrong.append(f"{role}: {method} {url} -> {got} (expected {expected[role]}): "
                         f"{_title(response)!r}"
                         + (f", and it changed {changed}" if changed else ""))
        response.close()

    # Then the roles that may: a POST may change the world, so each allowed role after
    # the first gets a fresh one.
    allowed = [r for r in ROLES if expected[r] == OK]
    for n, role in enumerate(allowed):
        if method == "POST" and n > 0:
            _db.session.remove()
            _empty_tables()
            world = build_world()
            clients = clients_for(app, world)
        url, data = request_for(app, endpoint, method, role, world)
        before = snapshot() if method == "POST" else None
        response = clients[role].open(url, method=method, data=data)
        got = outcome(response)
        if got != OK:
            wrong.append(f"{role}: {method} {url} -> {got} (expected ok): {_title(response)!r}")
        # An email's inline styles are allowed under the email preview's own policy only.
        email = response.headers.get("Content-Security-Policy") == EMAIL_PREVIEW_POLICY
        if ((_inline_code(response) and not email)
                or "Content-Security-Policy" not in response.headers):
            wrong.append(f"{role}: {method} {url} has inline code {_inline_code(response)} "
                         "or no Content-Security-Policy")
        elif before is not None and endpoint not in NO_CHANGE and before == snapshot():
            wrong.append(f"{role}: {method} {url} was let in but did nothing: "
                         f"{_title(response)!r}")
        response.close()

    assert wrong == []


# --- a few refusals, spelled out ------------------------------------------------------------


@pytest.fixture
def world(app) -> World:
    return build_world()


@pytest.fixture
def clients(app, world) -> dict:
    return clients_for(app, world)


def _booking(world: World) -> tuple:
    _db.session.rollback()
    booking = _db.session.get(ShowcaseBooking, world.booking_id)
    return booking.title, booking.slot_id, booking.status


def test_business_b_cannot_change_move_or_cancel_a_booking_of_business_a(world, clients):
    before = _booking(world)
    b = clients["member_b"]
    base = f"/member/bookings/{world.booking_id}"

    responses = [
        b.post(base, data={**BOOKING, "title": "Taken over"}),
        b.post(f"{base}/move", data={"slot_id": str(world.free_slot_id)}),
        b.post(f"{base}/cancel"),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert _booking(world) == before
    assert clients["member_a"].post(f"{base}/cancel").status_code == 303  # A can
    assert _booking(world)[2].value == "cancelled"


def test_only_the_visit_s_organiser_can_publish_cancel_or_delete(world, clients):
    slug = world.slug
    attempts = [
        ("anonymous", f"/organiser/visits/{slug}/cancel", 302),
        ("member_a", f"/organiser/visits/{slug}/cancel", 403),
        ("other_organiser", f"/organiser/visits/{slug}/cancel", 404),
        ("other_organiser", f"/organiser/visits/{slug}/unpublish", 404),
        ("other_organiser", f"/organiser/visits/{slug}/items/{world.talk_id}/delete", 404),
    ]
    for role, url, status in attempts:
        assert clients[role].post(url).status_code == status, (role, url)

    _db.session.rollback()
    visit = _db.session.scalar(select(Visit).where(Visit.slug == slug))
    assert visit.status is VisitStatus.PUBLISHED
    assert {item.id for item in visit.items} >= {world.talk_id}
    assert clients["organiser"].post(f"/organiser/visits/{slug}/cancel").status_code == 302
    _db.session.refresh(visit)
    assert visit.status is VisitStatus.CANCELLED


def test_without_the_link_nobody_cancels_or_erases_a_registration(world, clients):
    from eventsapp.registration.models import Registration

    for role in ("anonymous", "member_a", "organiser"):
        for action in ("cancel", "erase"):
            response = clients[role].post(f"/r/{FORGED_TOKEN}/{action}")
            assert response.status_code == 404, (role, action)

    _db.session.rollback()
    registration = _db.session.get(Registration, world.registration_id)
    assert registration.status is RegistrationStatus.CONFIRMED
    assert registration.email == "ada@example.org"
