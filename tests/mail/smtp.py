"""A real SMTP server on loopback (aiosmtpd) for the tests that read delivered email."""

from __future__ import annotations

from email.message import EmailMessage

from aiosmtpd.controller import Controller

from eventsapp.mail import delivery as outbox
from tests.live_server import free_port
from tests.support import Inbox

SENDER = "eventsapp@example.org"


def deliver_all(**send_options) -> list[EmailMessage]:
    """Send every due outbox message to a fresh SMTP server; what it received."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        outbox.send_due(outbox.SMTPTransport(host="127.0.0.1", port=port), SENDER,
                        limit=10_000, **send_options)
    finally:
        controller.stop()
    return inbox.messages


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML parts of a received email ("" for a missing one)."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return (text.get_content() if text else "", html.get_content() if html else "")


def attachment_names(message: EmailMessage) -> list[str]:
    return [part.get_filename() for part in message.iter_attachments()]
