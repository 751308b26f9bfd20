"""Messages from organisers, reminders before a visit, and organisers' digests.

A message keeps what was written and to whom; the recipients keep no copy of anyone's
name or address: those are read from the registration or login (so an erased
registration shows as erased) and the delivery state from the outbox row.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.dbtypes import str_enum, utcnow
from eventsapp.extensions import db

if TYPE_CHECKING:
    from eventsapp.accounts.models import User
    from eventsapp.agenda.models import AgendaItem
    from eventsapp.mail.models import OutboxMessage
    from eventsapp.registration.models import Registration
    from eventsapp.visits.models import Visit


class Audience(enum.StrEnum):
    """Who a message goes to; a message picks one or more."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PENDING_APPROVAL = "pending_approval"
    SESSION = "session"  # the sign-ups of one agenda item with limited places
    MEMBERS = "members"  # people of member businesses with an active booking
    CANCELLED = "cancelled"  # only when the organiser ticks it

    @property
    def label(self) -> str:
        return AUDIENCE_LABELS[self]


AUDIENCE_LABELS = {
    Audience.CONFIRMED: "Confirmed attendees",
    Audience.WAITLISTED: "The waiting list",
    Audience.PENDING_APPROVAL: "Awaiting approval",
    Audience.SESSION: "Signed up for one session",
    Audience.MEMBERS: "Members with a showcase booking",
    Audience.CANCELLED: "People who cancelled their registration",
}


class Message(db.Model):
    __tablename__ = "messages"
    # One message per compose form: a second click on Send finds the first one.
    __table_args__ = (UniqueConstraint("visit_id", "draft_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"),
                                          index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(200))
    body_markdown: Mapped[str] = mapped_column(Text)
    audiences: Mapped[list[str]] = mapped_column(JSON, default=list)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL"))
    draft_key: Mapped[str] = mapped_column(String(64))
    recipient_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    visit: Mapped[Visit] = relationship()
    author: Mapped[User | None] = relationship()
    item: Mapped[AgendaItem | None] = relationship()
    recipients: Mapped[list[MessageRecipient]] = relationship(
        back_populates="message", cascade="all, delete-orphan",
        order_by="MessageRecipient.id")

    @property
    def audience_labels(self) -> list[str]:
        return [Audience(a).label for a in self.audiences]


class MessageRecipient(db.Model):
    __tablename__ = "message_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"),
                                            index=True)
    audience: Mapped[Audience] = mapped_column(str_enum(Audience))
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Gone (NULL) when the attendee erased their data: erasing deletes their emails.
    outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL"))

    message: Mapped[Message] = relationship(back_populates="recipients")
    registration: Mapped[Registration | None] = relationship()
    user: Mapped[User | None] = relationship()
    outbox: Mapped[OutboxMessage | None] = relationship()


DEFAULT_REMINDER_DAYS = (7, 1)


class ReminderSettings(db.Model):
    """A visit's reminders; a visit without a row has the defaults (7 and 1 days)."""

    __tablename__ = "reminder_settings"

    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"),
                                          primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    days_before: Mapped[list[int]] = mapped_column(JSON, default=lambda: list(
        DEFAULT_REMINDER_DAYS))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ReminderSent(db.Model):
    """One row per registration and reminder, written in the transaction that queues
    the email: the unique key is what makes a reminder go once, whatever the workers."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("registration_id", "days_before"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"))
    days_before: Mapped[int]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrganiserDigest(db.Model):
    """When an organiser's last digest went out, and up to when it told them."""

    __tablename__ = "organiser_digests"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    sent_at: Mapped[datetime]
    covered_until: Mapped[datetime]
