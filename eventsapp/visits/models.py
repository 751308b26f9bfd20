"""Visits and venues (tours: eventsapp.tours), and each visit's change log.

The change log is also the queue of change notices. Every change to the visit, its
agenda, the registration settings and showcase bookings is a row: what, who, when,
and the old and new values (each feature records its own, see its changelog module).
Changes that people must be told about (an item's time, venue or status, the visit's
cancellation) carry a notice state: pending until the digest that includes them has
been queued (changes.rules.notices).
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.dbtypes import str_enum, utcnow
from eventsapp.extensions import db

if TYPE_CHECKING:
    from eventsapp.accounts.models import User
    from eventsapp.agenda.models import AgendaItem
    from eventsapp.organisations.models import Organisation
    from eventsapp.registration.models import Question
    from eventsapp.tours.models import Tour


class RegistrationAccess(enum.StrEnum):
    OPEN = "open"
    INVITATION = "invitation"  # an invitation code is needed
    APPROVAL = "approval"  # an organiser approves each registration


class VisitStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


visit_organisers = Table(
    "visit_organisers",
    db.metadata,
    Column("visit_id", ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)

# People of another organisation who help organise one visit (the convenor's staff).
visit_co_organisers = Table(
    "visit_co_organisers",
    db.metadata,
    Column("visit_id", ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Visit(db.Model):
    __tablename__ = "visits"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_in_order"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tour_id: Mapped[int | None] = mapped_column(ForeignKey("tours.id", ondelete="SET NULL"))
    # The host organisation: its people run (or, as viewers, read) the visit.
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    host: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[date]
    end_date: Mapped[date]
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[VisitStatus] = mapped_column(str_enum(VisitStatus), default=VisitStatus.DRAFT)
    # Registration settings.
    registration_opens_at: Mapped[datetime | None]
    registration_closes_at: Mapped[datetime | None]
    capacity: Mapped[int | None]
    waitlist_enabled: Mapped[bool] = mapped_column(default=True)
    # Registration closes when the visit starts, or with this, when it ends.
    registration_on_the_day: Mapped[bool] = mapped_column(default=False,
                                                          server_default=false())
    registration_access: Mapped[RegistrationAccess] = mapped_column(
        str_enum(RegistrationAccess), default=RegistrationAccess.OPEN
    )
    invitation_code: Mapped[str | None] = mapped_column(String(64))
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    # Shown beside the registration form; a standard notice is used when empty.
    privacy_notice: Mapped[str] = mapped_column(Text, default="")
    # Set the first time the visit is published; from then on, deleted items leave
    # a cancelled tombstone so subscribed calendars drop them.
    first_published_at: Mapped[datetime | None]
    # Raised (eventsapp.versioning) by every flush that changes the visit, its
    # agenda, venues, showcases or bookings: cached calendars and pages are keyed by it.
    content_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # When the feedback request went out after the visit (sent once).
    feedback_requested_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    tour: Mapped[Tour | None] = relationship(back_populates="visits")
    organisation: Mapped[Organisation] = relationship()
    venues: Mapped[list[Venue]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="Venue.name"
    )
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="visit",
        cascade="all, delete-orphan",
        order_by="(AgendaItem.starts_at, AgendaItem.id)",
    )
    organisers: Mapped[list[User]] = relationship(secondary=visit_organisers)
    co_organisers: Mapped[list[User]] = relationship(secondary=visit_co_organisers,
                                                     order_by="User.email")
    questions: Mapped[list[Question]] = relationship(
        back_populates="visit",
        cascade="all, delete-orphan",
        order_by="(Question.position, Question.id)",
    )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_published(self) -> bool:
        return self.status is VisitStatus.PUBLISHED

    @property
    def live_items(self) -> list[AgendaItem]:
        """The agenda without deleted items' tombstones, in time order."""
        return [item for item in self.items if item.deleted_at is None]

    @property
    def days(self) -> list[date]:
        count = (self.end_date - self.start_date).days + 1
        return [self.start_date + timedelta(days=n) for n in range(count)]

    def __repr__(self) -> str:
        return f"<Visit {self.slug}>"


class Venue(db.Model):
    __tablename__ = "venues"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500), default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    access_notes: Mapped[str] = mapped_column(Text, default="")
    # The venue partner's read-only run-sheet link is signed with this; a new value
    # revokes the old link, and none means no link.
    partner_link_nonce: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    visit: Mapped[Visit] = relationship(back_populates="venues")

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def __repr__(self) -> str:
        return f"<Venue {self.name}>"


class ChangeArea(enum.StrEnum):
    VISIT = "visit"
    AGENDA = "agenda"
    VENUES = "venues"
    REGISTRATION_SETTINGS = "registration_settings"
    BOOKINGS = "bookings"

    @property
    def label(self) -> str:
        return {
            "visit": "Visit", "agenda": "Agenda", "venues": "Venues",
            "registration_settings": "Registration settings", "bookings": "Showcase bookings",
        }[self.value]


class NoticeState(enum.StrEnum):
    PENDING = "pending"  # waiting for the quiet period or "notify now"
    SENT = "sent"  # included in digests queued in the outbox
    NOT_NEEDED = "not_needed"  # reverted before sending, or nobody to tell


class VisitChange(db.Model):
    __tablename__ = "visit_changes"
    __table_args__ = (
        Index("ix_visit_changes_visit_created", "visit_id", "created_at"),
        Index("ix_visit_changes_notice", "notice", "visit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who: a user (organiser or member), or a label for the rest ("attendee", "system").
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    area: Mapped[ChangeArea] = mapped_column(str_enum(ChangeArea))
    # A short machine name ("item_moved", "booking_approved") and a sentence for people.
    action: Mapped[str] = mapped_column(String(50))
    summary: Mapped[str] = mapped_column(String(500))
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="SET NULL"), index=True
    )
    # {"field": {"old": "...", "new": "..."}}, values already as people read them.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    notice: Mapped[NoticeState | None] = mapped_column(str_enum(NoticeState))
    notified_at: Mapped[datetime | None]

    actor: Mapped[User | None] = relationship()
    item: Mapped[AgendaItem | None] = relationship()
