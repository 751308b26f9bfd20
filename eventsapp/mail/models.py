"""Email written in the same transaction as the change that caused it."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eventsapp.dbtypes import str_enum, utcnow
from eventsapp.extensions import db


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker until lease_expires_at
    SENT = "sent"
    FAILED = "failed"  # gave up after the last retry


def new_message_id() -> str:
    return f"<{uuid.uuid4()}@eventsapp>"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The Message-ID header, fixed at creation: a retry after an unclear failure
    # carries the same id, so mail systems can recognise a repeat.
    message_id: Mapped[str] = mapped_column(String(100), unique=True, default=new_message_id)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    # The HTML alternative of body_text; empty for a plain-text email.
    body_html: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The sender's display name (the visit's host; empty: MAIL_FROM_NAME) and the
    # Reply-To address (the visit's contact; empty: none). The address is MAIL_FROM.
    from_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    reply_to: Mapped[str] = mapped_column(String(254), default="", server_default="")
    # [{"filename", "content_type", "content"}] with text content (e.g. an .ics).
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # What caused it, for the organiser's view and for tests ("registration:12").
    topic: Mapped[str] = mapped_column(String(100), default="", index=True)
    status: Mapped[OutboxStatus] = mapped_column(
        str_enum(OutboxStatus), default=OutboxStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_expires_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
