"""`flask outbox send` end to end: a registration's email reaches a real SMTP server."""

from __future__ import annotations

import email

import pytest
from aiosmtpd.controller import Controller

from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.mail.models import OutboxMessage, OutboxStatus
from eventsapp.registration.rules import common as registration_common
from eventsapp.registration.rules import registering
from eventsapp.visits.models import VisitStatus
from tests.live_server import free_port
from tests.support import Inbox, make_visit

PORT = free_port()


@pytest.fixture
def app_config():
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": PORT, "MAIL_FROM": "visits@example.org",
            "MAIL_FROM_NAME": "Platform visits", "MAIL_TIMEOUT": 3}


def register(visit):
    return registering.register(visit.slug, registration_common.AttendeeDetails(
        full_name="Ada Delegate", email="ada@example.org", privacy_accepted=True))


def test_outbox_send_delivers_a_registration_email_once(app, organiser):
    visit = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED)
    outcome = register(visit)
    runner = app.test_cli_runner()

    down = runner.invoke(args=["outbox", "send"])
    assert "Sent 0, to retry 1" in down.output
    assert db.session.scalars(db.select(OutboxMessage.status)).all() == [OutboxStatus.PENDING]

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=PORT)
    controller.start()
    try:
        db.session.execute(db.update(OutboxMessage).values(next_attempt_at=utcnow()))
        db.session.commit()
        first = runner.invoke(args=["outbox", "send"])
        second = runner.invoke(args=["outbox", "send"])
    finally:
        controller.stop()

    assert "Sent 1" in first.output and "Sent 0" in second.output
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    # The visit's host is the sender's name; MAIL_FROM_NAME is for emails of no visit.
    assert message["From"] == "Platform <visits@example.org>"
    assert message["To"] == "ada@example.org"
    assert message["Subject"].startswith("You're registered")
    for part in ("plain", "html"):
        assert f"/r/{outcome.manage_token}" in message.get_body((part,)).get_content()


def test_without_mail_server_messages_become_eml_files(app, organiser, tmp_path):
    app.config["MAIL_SERVER"] = None
    app.instance_path = str(tmp_path)
    visit = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED)
    register(visit)

    result = app.test_cli_runner().invoke(args=["outbox", "send"])

    files = list((tmp_path / "outbox").glob("*.eml"))
    assert "Sent 1" in result.output
    assert len(files) == 1
    assert email.message_from_bytes(files[0].read_bytes())["To"] == "ada@example.org"
