"""The outbox against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.mail import delivery as outbox
from eventsapp.mail import outbox as mail
from eventsapp.mail.models import OutboxMessage, OutboxStatus
from tests.live_server import free_port
from tests.mail.smtp import SENDER
from tests.support import Inbox


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def smtp_server(smtp_port):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield inbox
    controller.stop()


def queue_message(to="delegate@example.org", subject_name="Ada"):
    message = mail.queue(to, "registration_cancelled", topic="test",
                         registration=type("R", (), {"full_name": subject_name})(),
                         visit=type("V", (), {"title": "Stoke visit", "host": "Platform",
                                              "contact_email": ""})())
    db.session.commit()
    return message.id



def test_server_down_keeps_message_pending_then_delivers_once(app, smtp_port):
    message_id = queue_message()
    transport = outbox.SMTPTransport(host="127.0.0.1", port=smtp_port, timeout=2)

    report = outbox.send_due(transport, SENDER)  # nothing listens on the port yet

    stored = db.session.get(OutboxMessage, message_id)
    assert (report.sent, report.retried) == (0, 1)
    assert stored.status is OutboxStatus.PENDING
    assert stored.attempts == 1
    assert stored.next_attempt_at > utcnow()
    assert "Connection refused" in stored.last_error or "Errno" in stored.last_error

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        # Not due yet: the backoff is respected.
        assert outbox.send_due(transport, SENDER).sent == 0
        later = utcnow() + timedelta(hours=7)
        first = outbox.send_due(transport, SENDER, now=later)
        second = outbox.send_due(transport, SENDER, now=later + timedelta(hours=1))
    finally:
        controller.stop()

    assert (first.sent, second.sent) == (1, 0)
    assert len(inbox.messages) == 1
    received = inbox.messages[0]
    assert received["To"] == "delegate@example.org"
    assert received["Subject"] == "Registration cancelled: Stoke visit"
    db.session.expire_all()
    stored = db.session.get(OutboxMessage, message_id)
    assert stored.status is OutboxStatus.SENT
    assert received["Message-ID"] == stored.message_id


def test_each_message_delivered_exactly_once_across_runs(app, smtp_server, smtp_port):
    ids = [queue_message(to=f"person{n}@example.org") for n in range(5)]
    transport = outbox.SMTPTransport(host="127.0.0.1", port=smtp_port)

    reports = [outbox.send_due(transport, SENDER) for _ in range(3)]

    assert [r.sent for r in reports] == [5, 0, 0]
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(
        f"person{n}@example.org" for n in range(5)
    )
    statuses = db.session.scalars(
        select(OutboxMessage.status).where(OutboxMessage.id.in_(ids))
    ).all()
    assert set(statuses) == {OutboxStatus.SENT}


def test_a_claimed_message_is_not_sent_by_a_second_worker(app, smtp_server, smtp_port):
    message_id = queue_message()
    # Another worker holds a live lease on it.
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(status=OutboxStatus.SENDING, lease_expires_at=utcnow() + timedelta(minutes=5))
    )
    db.session.commit()
    transport = outbox.SMTPTransport(host="127.0.0.1", port=smtp_port)

    assert outbox.send_due(transport, SENDER).sent == 0
    assert smtp_server.messages == []

    # The lease runs out (that worker died): the message is delivered, once.
    report = outbox.send_due(transport, SENDER, now=utcnow() + timedelta(minutes=6))
    assert report.sent == 1
    assert len(smtp_server.messages) == 1


def test_gives_up_after_the_last_attempt(app, smtp_port):
    message_id = queue_message()
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(attempts=outbox.MAX_ATTEMPTS - 1)
    )
    db.session.commit()
    transport = outbox.SMTPTransport(host="127.0.0.1", port=smtp_port, timeout=2)

    report = outbox.send_due(transport, SENDER)

    assert report.failed == 1
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message_id).status is OutboxStatus.FAILED


def test_file_transport_writes_a_readable_eml(app, tmp_path):
    queue_message(to="reader@example.org")
    report = outbox.send_due(outbox.FileTransport(tmp_path / "outbox"), SENDER)
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert report.sent == 1 and len(files) == 1
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed["To"] == "reader@example.org"
    assert "Dear Ada" in parsed.get_body(("plain",)).get_content()
    assert "Dear Ada" in parsed.get_body(("html",)).get_content()
