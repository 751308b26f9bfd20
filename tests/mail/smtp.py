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


def html_reading(html: str) -> str:
    """What a reader of the HTML part sees and can follow: its text (tags dropped,
    entities decoded, whitespace collapsed) and the addresses of its links and images."""
    import html as html_module
    import re

    links = re.findall(r'(?:href|src)="([^"]*)"', html)
    text = re.sub(r"<(style|title)[^>]*>.*?</\1>", " ", html, flags=re.S)
    text = html_module.unescape(re.sub(r"<[^>]+>", " ", text))
    return " ".join(text.split()) + "\n" + "\n".join(html_module.unescape(u) for u in links)


def assert_both_say(message: EmailMessage, *facts: str) -> tuple[str, str]:
    """Every fact appears in the plain-text part and in the HTML part (as text a reader
    sees, or as a link's address); returns both parts."""
    text, html = parts(message)
    assert text and html, f"{message['Subject']!r} lacks a part"
    flat_text = " ".join(text.split())
    reading = html_reading(html)
    for fact in facts:
        fact = " ".join(fact.split())
        assert fact in flat_text, f"text part of {message['Subject']!r} lacks {fact!r}"
        assert fact in reading, f"HTML part of {message['Subject']!r} lacks {fact!r}"
    return text, html
