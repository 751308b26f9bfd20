"""Every email as delivered over SMTP (aiosmtpd on loopback): an HTML part and a plain
text part saying the same things, sent in the host's name from MAIL_FROM with the
visit's contact as Reply-To; the confirmation with its first item, private page,
calendar buttons and the check-in code shown inline (PNG) and still attached (SVG)."""

from __future__ import annotations

import re
from email.utils import parseaddr

import pytest
from sqlalchemy import select

from eventsapp.agenda.models import ItemKind
from eventsapp.extensions import db as _db
from eventsapp.mail import outbox as mail
from eventsapp.registration.models import Registration, RegistrationStatus
from eventsapp.registration.rules import notices
from eventsapp.timezones import to_local
from eventsapp.web.filters import calendar_links
from tests.mail.smtp import SENDER, assert_both_say, attachment_names, deliver_all, parts
from tests.registration.test_form import form, open_visit
from tests.support import (
    make_booking,
    make_business,
    make_item,
    make_member,
    make_registration,
    make_showcase,
    make_venue,
)

LINK = re.compile(r"https?://[^/\s]+/r/[A-Za-z0-9_-]{43}")
FEED = re.compile(r"https?://[^/\s\"]+/feeds/[A-Za-z0-9_.-]+\.ics")


def _confirmation_world():
    # New York: the first item's time must be shown in the visit's zone, not UTC.
    visit = open_visit(capacity=20, host="Platform <Stoke> & Co", timezone="America/New_York",
                       title="Regions & Clusters delegation")
    venue = make_venue(visit, name="Spode Works", address="Elenora Street, ST4 1QQ")
    make_item(visit, "11:00", "12:00", title="Studio tour")
    first = make_item(visit, "09:30", "10:15", title="Welcome <coffee>", venue=venue)
    make_item(visit, "08:00", "09:00", title="Limited breakfast", capacity=5)
    return visit, first


def test_the_confirmation_has_both_parts_the_first_item_links_and_the_code(client, db):
    visit, first = _confirmation_world()
    response = client.post("/visits/cic-stoke/register",
                           data=form(full_name="Ada <b>Lovelace</b>"))
    assert response.status_code == 303

    [message] = deliver_all()

    assert parseaddr(message["From"]) == ("Platform <Stoke> & Co", SENDER)
    assert message["Reply-To"] == "hello@example.org"
    assert message["Subject"] == "You're registered: Regions & Clusters delegation"
    # mixed( alternative( text, related( html, png ) ), ics, svg )
    assert [p.get_content_type() for p in message.walk()] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "multipart/related",
        "text/html", "image/png", "text/calendar", "image/svg+xml"]
    assert attachment_names(message) == ["cic-stoke-my-agenda.ics", "check-in.svg"]

    starts = to_local(first.starts_at, visit.zone)
    manage = LINK.search(message.get_body(("plain",)).get_content()).group(0)
    feed = FEED.search(message.get_body(("plain",)).get_content()).group(0)
    links = calendar_links(feed, visit.title)
    text, html = assert_both_say(
        message, "Dear Ada <b>Lovelace</b>", "Regions & Clusters delegation is confirmed",
        "Your first item: Welcome <coffee>",
        f"{starts:%A %d %B}, 09:30–10:15 EDT" if starts.dst() else
        f"{starts:%A %d %B}, 09:30–10:15 EST",
        "Spode Works, Elenora Street, ST4 1QQ", "check-in", "Platform <Stoke> & Co",
        manage, links.webcal, links.google, links.outlook, links.https,
        "Google Calendar", "Outlook.com", "Questions? Write to hello@example.org")
    assert "Limited breakfast" not in text  # a session they did not sign up for
    # Escaped in the HTML, never markup from the attendee's input.
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in html and "<b>Lovelace" not in html
    assert "Welcome &lt;coffee&gt;" in html
    # No external image: the only image is the inline code.
    assert re.findall(r'<img[^>]*src="([^"]*)"', html) == ["cid:checkin-code@eventsapp"]
    png = message.get_body(("html",))  # the related part: html then the image
    related = next(p for p in message.walk() if p.get_content_type() == "multipart/related")
    image = related.get_payload()[1]
    assert image["Content-ID"] == "<checkin-code@eventsapp>"
    assert image.get_content().startswith(b"\x89PNG\r\n\x1a\n")
    assert png.get_content_type() == "text/html"

    # The links lead where they say.
    token_path = manage.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + token_path).status_code == 200
    feed_response = client.get("/" + feed.split("://", 1)[1].split("/", 1)[1])
    assert feed_response.status_code == 200
    assert b"SUMMARY:Welcome <coffee>" in feed_response.data


def test_a_waiting_place_given_later_is_confirmed_with_the_code(client, db):
    visit, first = _confirmation_world()
    registration = make_registration(visit, email="bo@example.org", full_name="Bo")
    notices.notify(registration, "registration_promoted")
    _db.session.commit()

    [message] = deliver_all()
    assert parseaddr(message["From"])[0] == "Platform <Stoke> & Co"
    assert_both_say(message, "Dear Bo", "a place has become free",
                    "Your first item: Welcome <coffee>", "Spode Works",
                    notices.manage_url(registration), "Google Calendar", "Outlook.com")
    assert attachment_names(message) == ["cic-stoke-my-agenda.ics", "check-in.svg"]
    assert "cid:checkin-code@eventsapp" in message.get_body(("html",)).get_content()


def test_a_cancelled_registration_gets_no_code_when_the_email_leaves(client, db):
    visit, _ = _confirmation_world()
    registration = make_registration(visit, email="bo@example.org", full_name="Bo")
    notices.notify(registration, "registration_confirmed")
    registration.status = RegistrationStatus.CANCELLED
    _db.session.commit()

    [message] = deliver_all()
    assert attachment_names(message) == ["cic-stoke-my-agenda.ics"]
    assert "image/png" not in [p.get_content_type() for p in message.walk()]


# Each registration email with what it must say (beyond the name and the visit).
# A registration that is over (declined, cancelled) has no private link to give.
REGISTRATION_EMAILS = [
    ("registration_waitlisted", {"position": 3}, ["on the waiting list at position 3", "LINK"]),
    ("registration_pending_approval", {}, ["approv", "LINK"]),
    ("registration_declined", {"message": "Full of <advisers> & more"},
     ["Full of <advisers> & more"]),
    ("registration_cancelled", {"by_organiser": True}, ["cancel"]),
    ("registration_moved_back", {"reason": "Double <booked>", "position": 2},
     ["Reason: Double <booked>", "LINK"]),
    ("lost_link", {}, ["LINK"]),
]


@pytest.mark.parametrize(("template", "extra", "facts"), REGISTRATION_EMAILS,
                         ids=[t for t, _, _ in REGISTRATION_EMAILS])
def test_registration_emails_say_the_same_in_both_parts(app, db, template, extra, facts):
    visit = open_visit(host="Platform Stoke")
    registration = make_registration(visit, email="cy@example.org", full_name="Cy & <Co>")
    notices.notify(registration, template, **extra)
    _db.session.commit()

    [message] = deliver_all()
    assert parseaddr(message["From"]) == ("Platform Stoke", SENDER)
    assert message["Reply-To"] == "hello@example.org"
    link = notices.manage_url(registration)
    _, html = assert_both_say(message, "Cy & <Co>", visit.title,
                              *(link if fact == "LINK" else fact for fact in facts))
    assert "Cy &amp; &lt;Co&gt;" in html


def test_item_promotion_and_feedback_request_say_the_same_in_both_parts(app, db):
    visit = open_visit(host="Platform Stoke")
    item = make_item(visit, "14:00", "15:00", title="Kiln workshop", capacity=4)
    registration = make_registration(visit, email="cy@example.org", full_name="Cy")
    notices.notify(registration, "item_promoted", item=item)
    mail.queue("cy@example.org", "feedback_request", registration=registration, visit=visit,
               feedback_url=notices.manage_url(registration) + "/feedback")
    _db.session.commit()

    promoted, feedback = deliver_all()
    assert_both_say(promoted, "Kiln workshop", "14:00–15:00")
    assert_both_say(feedback, notices.manage_url(registration) + "/feedback",
                    "Would you tell us how it went?")
    for message in (promoted, feedback):
        assert parseaddr(message["From"])[0] == "Platform Stoke"
        assert message["Reply-To"] == "hello@example.org"


@pytest.mark.parametrize("template", ["booking_received", "booking_approved",
                                      "booking_declined", "booking_moved",
                                      "booking_cancelled"])
def test_booking_emails_say_the_same_in_both_parts(app, db, template):
    visit = open_visit(host="Platform Stoke", contact_email="")
    item = make_item(visit, "13:00", "14:00", title="Showcase hour", kind=ItemKind.SHOWCASE)
    showcase = make_showcase(item)
    business = make_business(name="Clay & <Kiln>")
    person = make_member(business)
    booking = make_booking(showcase.slots[0], business, title="Glazes")
    mail.queue(person.email, template, booking=booking, item=item, visit=visit, person=person)
    _db.session.commit()

    [message] = deliver_all()
    assert parseaddr(message["From"]) == ("Platform Stoke", SENDER)
    assert message["Reply-To"] is None  # the visit has no contact address
    _, html = assert_both_say(message, "Dear Mina Maker", "showcase booking for Clay & <Kiln>"
                              if template != "booking_received" else "Clay & <Kiln>")
    assert "Clay &amp; &lt;Kiln&gt;" in html


def test_emails_without_a_visit_keep_the_configured_name(app, db):
    business = make_business()
    person = make_member(business, name="Mina")
    mail.queue(person.email, "member_invitation", user=person, business=business,
               link="https://example.org/set-password/abc", days=7)
    _db.session.commit()

    [message] = deliver_all()
    assert parseaddr(message["From"]) == ("", SENDER)  # the test sender has no name
    assert message["Reply-To"] is None
    assert_both_say(message, "Dear Mina", "https://example.org/set-password/abc",
                    business.name)


def test_the_confirmation_queued_by_the_form_records_sender_and_reply_to(client, db):
    _confirmation_world()
    client.post("/visits/cic-stoke/register", data=form())
    from eventsapp.mail.models import OutboxMessage

    [row] = db.session.scalars(select(OutboxMessage)).all()
    assert (row.from_name, row.reply_to) == ("Platform <Stoke> & Co", "hello@example.org")
    assert db.session.scalar(select(Registration.status)) is RegistrationStatus.CONFIRMED


def test_every_email_is_one_two_part_template(app):
    """One way to write an email: no plain-text template is left in templates/mail."""
    names = [n for n in app.jinja_env.list_templates() if n.startswith("mail/")]
    assert not [n for n in names if not n.endswith(".html")]
    for name in names:
        if not name.split("/")[-1].startswith("_"):
            source = app.jinja_loader.get_source(app.jinja_env, name)[0]
            assert "{% set html %}" in source and "{% set text %}" in source, name


def test_lost_links_email_has_a_button_per_visit(app, db):
    from eventsapp.registration.rules import lost_link

    first = open_visit(host="Platform Stoke")
    registration = make_registration(first, email="cy@example.org", full_name="Cy")
    lost_link.send_all_links("cy@example.org")

    [message] = deliver_all()
    _, html = assert_both_say(message, first.title, notices.manage_url(registration),
                              "If you did not ask for this email")
    assert f'href="{notices.manage_url(registration)}"' in html


def test_change_digest_says_the_same_in_both_parts(app, db):
    visit = open_visit(host="Platform Stoke")
    mail.queue("cy@example.org", "mail/change_digest.html", visit=visit, name="Cy & <Co>",
               cancelled=False, lines=["Welcome <coffee> moves to 10:00"],
               manage_url="https://example.org/r/abc", member_url="https://example.org/member/")
    _db.session.commit()

    [message] = deliver_all()
    assert message["Subject"] == f"Changes to {visit.title}"
    _, html = assert_both_say(message, "Dear Cy & <Co>", "Welcome <coffee> moves to 10:00",
                              "https://example.org/r/abc", "https://example.org/member/",
                              "Questions? Write to hello@example.org")
    assert "Welcome &lt;coffee&gt;" in html


def test_organisation_invitation_has_the_set_password_button(app, db):
    from tests.support import make_organisation, make_user

    organisation = make_organisation("Clay & <Kiln> cluster")
    user = make_user("ora@example.org", name="Ora")
    mail.queue(user.email, "mail/organisation_invitation.html", user=user,
               organisation=organisation, role="viewer", link="https://example.org/set/x",
               days=7)
    _db.session.commit()

    [message] = deliver_all()
    _, html = assert_both_say(message, "Dear Ora", "Clay & <Kiln> cluster", "as a viewer",
                              "https://example.org/set/x", "expires in 7 days")
    assert 'href="https://example.org/set/x"' in html


def test_tour_emails_say_the_same_in_both_parts(client, db):
    from tests.tours.test_registering import form as tour_form
    from tests.tours.world import make_tour

    world = make_tour()
    a, _, c = world.visits
    assert tour_form(client, world.tour.slug, visits=[str(a.id), str(c.id)],
                     full_name="Ada & <Co>").status_code == 303

    [message] = deliver_all()
    text, html = parts(message)
    manage = re.search(r"https?://\S+/tours/r/\S+", text).group(0)
    feed = re.search(r"https?://\S+/tours/feeds/\S+\.ics", text).group(0)
    assert_both_say(message, "Dear Ada & <Co>", "Delegation: Coventry", "Delegation: Hull",
                    "place confirmed", manage, feed, "CIC Regions and Clusters")
    assert f'href="{feed}"' in html and "Ada &amp; &lt;Co&gt;" in html
