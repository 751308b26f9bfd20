"""Organisers hear what needs them: one digest email at most every
ORGANISER_DIGEST_MINUTES, only when something is new, and counts on their pages."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.mail.models import OutboxMessage
from eventsapp.messages.rules import organiser_digest
from eventsapp.registration.models import RegistrationStatus
from eventsapp.visits.models import VisitStatus
from tests.live_server import fire_together
from tests.mail.smtp import Inbox, deliver_all, free_port, parts
from tests.support import (
    make_booking,
    make_business,
    make_item,
    make_registration,
    make_showcase,
    make_user,
    make_visit,
)

MINUTE = timedelta(minutes=1)


PORT = free_port()


@pytest.fixture
def app_config():
    return {"ORGANISER_DIGEST_MINUTES": 30, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": PORT,
            "MAIL_TIMEOUT": 3}


def build(organisers):
    visit = make_visit(organisers=organisers, slug="stoke", status=VisitStatus.PUBLISHED)
    make_registration(visit, email="ok@example.org")
    make_registration(visit, email="ann@example.org", full_name="Ann Approve",
                      status=RegistrationStatus.PENDING_APPROVAL)
    make_registration(visit, email="wes@example.org", full_name="Wes Waiting",
                      status=RegistrationStatus.WAITLISTED)
    item = make_item(visit, "14:00", "16:00", title="Member showcase", kind="showcase")
    showcase = make_showcase(item)
    make_booking(showcase.slots[0], make_business(name="Clayworks Studio"), status="pending",
                 title="Clay printing demo")
    return visit


def test_one_digest_lists_what_needs_the_organiser_with_links(app, organiser):
    build([organiser])
    now = utcnow() + MINUTE

    assert organiser_digest.send_due(now).emails == 1
    assert organiser_digest.send_due(now + MINUTE).emails == 0  # nothing new, too soon

    (email,) = deliver_all()
    assert email["To"] == "organiser@example.org"
    assert email["Subject"] == "What needs you: Regions and Clusters delegation"
    text, html = parts(email)
    for part in (text, html):
        assert "Ann Approve" in part
        assert "Clayworks Studio: Clay printing demo" in part
        assert "Wes Waiting" in part
        assert "1 awaiting approval, 1 booking to decide; 1 on the waiting list" in part
        assert "/organiser/visits/stoke/registrations" in part
        assert "/organiser/visits/stoke/showcases" in part
    assert "New registrations awaiting your approval" in text
    assert "<li>Ann Approve</li>" in html


def test_at_most_one_digest_per_period_and_only_news(app, organiser):
    visit = build([organiser])
    now = utcnow() + MINUTE
    assert organiser_digest.send_due(now).emails == 1
    make_registration(visit, email="bea@example.org", full_name="Bea Later",
                      status=RegistrationStatus.PENDING_APPROVAL, created_at=now + MINUTE)

    assert organiser_digest.send_due(now + 10 * MINUTE).emails == 0  # within 30 minutes
    assert organiser_digest.send_due(now + 31 * MINUTE).emails == 1
    assert organiser_digest.send_due(now + 90 * MINUTE).emails == 0  # nothing new since

    second = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()[-1]
    assert "Bea Later" in second.body_text and "Bea Later" in second.body_html
    assert "Ann Approve" not in second.body_text  # told last time; still counted:
    assert "2 awaiting approval" in second.body_text


def test_each_organiser_of_the_visit_gets_their_own_and_only_open_visits_count(app,
                                                                               organiser):
    colleague = make_user(email="colleague@example.org", name="Col League")
    away = make_user(email="away@example.org", active=False)
    build([organiser, colleague, away])
    past = make_visit(organisers=[organiser], slug="past", status=VisitStatus.PUBLISHED,
                      start_date=utcnow().date() - timedelta(days=30))
    make_registration(past, email="old@example.org", full_name="Old Pending",
                      status=RegistrationStatus.PENDING_APPROVAL)

    assert organiser_digest.send_due(utcnow() + MINUTE).emails == 2
    sent = {m.to: m for m in db.session.scalars(select(OutboxMessage))}
    assert sorted(sent) == ["colleague@example.org", "organiser@example.org"]
    assert "Old Pending" not in sent["organiser@example.org"].body_text


def test_workers_at_once_send_each_organiser_one_digest(app, organiser):
    others = [make_user(email=f"org{n}@example.org") for n in range(3)]
    build([organiser, *others])
    now = utcnow() + MINUTE

    def worker(barrier):
        with app.app_context():
            barrier.wait()
            result = organiser_digest.send_due(now)
            db.session.remove()
            return result

    results = fire_together([worker, worker, worker])

    assert sum(r.emails for r in results) == 4
    db.session.rollback()
    sent = Counter(m.to for m in db.session.scalars(select(OutboxMessage)))
    assert len(sent) == 4 and set(sent.values()) == {1}


def test_counts_on_the_organiser_pages(organiser_client, organiser):
    visit = build([organiser])
    make_registration(visit, email="ann2@example.org",
                      status=RegistrationStatus.PENDING_APPROVAL)

    home = organiser_client.get("/organiser/").get_data(as_text=True)
    assert ">2 awaiting approval</a>" in home and ">1 booking to decide</a>" in home
    assert "<li>1 waiting</li>" in home
    page = organiser_client.get("/organiser/visits/stoke/").get_data(as_text=True)
    assert "Needs you now" in page
    assert ">2 registrations awaiting approval</a>" in page
    assert ">1 showcase booking to decide</a>" in page
    assert "/organiser/visits/stoke/messages" in page


def test_the_command_queues_digests(app, organiser):
    build([organiser])
    runner = app.test_cli_runner()
    result = runner.invoke(args=["messages", "send-digests"])
    assert result.exit_code == 0, result.output
    assert "Organiser digests: 1 email queued." in result.output
    assert "Organiser digests: 0 emails queued." in runner.invoke(
        args=["messages", "send-digests"]).output


def test_the_outbox_worker_queues_and_sends_the_digest(app, organiser):
    build([organiser])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=PORT)
    controller.start()
    try:
        worker = app.test_cli_runner().invoke(args=["outbox", "send"])
    finally:
        controller.stop()
    assert worker.exit_code == 0, worker.output
    assert "Organiser digests: 1 email queued." in worker.output and "Sent 1" in worker.output
    (email,) = inbox.messages
    assert email["To"] == "organiser@example.org"
    assert "Ann Approve" in parts(email)[0] and "Ann Approve" in parts(email)[1]
