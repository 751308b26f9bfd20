"""Delivering the outbox: each message sent once, none lost.

A worker claims a due message with one conditional UPDATE (pending and due, or a
claim whose lease ran out), sends it, then marks it sent. Two workers can never
claim the same message. A failure puts it back with exponential backoff; after
MAX_ATTEMPTS it is marked failed and shown to organisers. If a worker dies after
the SMTP server accepted a message but before marking it sent, the message is sent
again when the lease runs out, with the same Message-ID so mail systems can drop
the repeat: the only way to avoid that window would be to lose mail instead.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from typing import Protocol

from sqlalchemy import and_, or_, select, update

from eventsapp.db import write
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.mail.attachments import rendered
from eventsapp.mail.models import OutboxMessage, OutboxStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)


def backoff(attempts: int) -> timedelta:
    """1 min, 2, 4, 8 ... capped at 6 hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), timedelta(hours=6))


class Transport(Protocol):
    def send(self, message: EmailMessage) -> None: ...


@dataclass
class SMTPTransport:
    host: str
    port: int = 25
    use_tls: bool = False
    use_ssl: bool = False
    username: str | None = None
    password: str | None = None
    timeout: float = 20.0

    def send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        if self.use_ssl:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.use_tls and not self.use_ssl:
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


@dataclass
class FileTransport:
    """Development: write each message as an .eml file a person can open."""

    directory: Path

    def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stem = message["Message-ID"].strip("<>").split("@")[0]
        path = self.directory / f"{datetime.now():%Y%m%d-%H%M%S}-{stem}.eml"  # noqa: DTZ005
        path.write_bytes(bytes(message))
        log.warning("Email to %s written to %s", message["To"], path)


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    # The visit's host is the sender's name; the address stays MAIL_FROM (the domain
    # the mail server may send for), and replies go to the visit's contact.
    name, address = parseaddr(sender)
    email["From"] = sender_address(message.from_name or name, address)
    if message.reply_to:
        email["Reply-To"] = message.reply_to
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id
    email["Date"] = format_datetime(message.created_at)
    email.set_content(message.body_text)
    made = list(rendered(message))
    if message.body_html:
        # multipart/alternative: mail programs show the HTML, or the text without it.
        email.add_alternative(message.body_html, subtype="html")
        html = email.get_body(preferencelist=("html",))
        for image in (a for a in made if a.get("cid")):
            # multipart/related: the HTML shows it as <img src="cid:...">.
            maintype, _, subtype = image["content_type"].partition("/")
            html.add_related(base64.b64decode(image["content_base64"]), maintype=maintype,
                             subtype=subtype, cid=f"<{image['cid']}>",
                             filename=image["filename"], disposition="inline")
    for attachment in (a for a in made if not a.get("cid")):
        maintype, _, subtype = attachment["content_type"].partition("/")
        subtype, *params = subtype.split(";")
        email.add_attachment(
            attachment["content"].encode("utf-8"),
            maintype=maintype,
            subtype=subtype.strip(),
            filename=attachment["filename"],
            params=dict(p.strip().split("=", 1) for p in params if "=" in p),
        )
    return email


def sender_address(name: str, address: str) -> str:
    return formataddr((name, address)) if name else address


def _due(now: datetime):
    return or_(
        and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_expires_at < now),
    )


def _claim(message_id: int, now: datetime, sender: str) -> EmailMessage | None:
    """Atomically take one message and build it; None if another worker has it or it
    is done."""
    with write():
        result = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, _due(now))
            .values(
                status=OutboxStatus.SENDING,
                lease_expires_at=now + LEASE,
                attempts=OutboxMessage.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        email = None
        if result.rowcount == 1:
            email = build_email(db.session.get(OutboxMessage, message_id), sender)
    return email


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def send_due(transport: Transport, sender: str, *, limit: int = 100,
             now: datetime | None = None) -> SendReport:
    """Send every due message (at most ``limit``); returns what happened."""
    now = now or utcnow()
    report = SendReport()
    due_ids = db.session.scalars(
        select(OutboxMessage.id).where(_due(now)).order_by(OutboxMessage.id).limit(limit)
    ).all()
    for message_id in due_ids:
        email = _claim(message_id, now, sender)
        if email is None:
            continue
        error: Exception | None = None
        try:
            transport.send(email)
        except (OSError, smtplib.SMTPException) as exc:
            error = exc
        with write():
            message = db.session.get(OutboxMessage, message_id)
            if error is None:
                message.status = OutboxStatus.SENT
                message.sent_at = utcnow()
                message.lease_expires_at = None
                message.last_error = ""
                report.sent += 1
            else:
                _failed(message, error, now, report)
    return report


def _failed(message: OutboxMessage, exc: Exception, now: datetime, report: SendReport) -> None:
    message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    message.lease_expires_at = None
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED
        report.failed += 1
        log.error("Giving up on email %s to %s: %s", message.id, message.to, exc)
    else:
        message.status = OutboxStatus.PENDING
        message.next_attempt_at = now + backoff(message.attempts)
        report.retried += 1
        log.warning("Email %s to %s will be retried: %s", message.id, message.to, exc)
