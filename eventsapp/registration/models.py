"""Attendees' registrations, their answers, and their sign-ups for limited items."""

from __future__ import annotations

import enum
import unicodedata
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from eventsapp.dbtypes import str_enum, utcnow
from eventsapp.extensions import db

if TYPE_CHECKING:
    from eventsapp.agenda.models import AgendaItem
    from eventsapp.visits.models import Visit


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PENDING_APPROVAL = "pending_approval"
    CANCELLED = "cancelled"


LIVE_REGISTRATION = ("confirmed", "waitlisted", "pending_approval")


class OrganisationType(enum.StrEnum):
    GOVERNMENT = "government"
    ACADEMIA = "academia"
    INDUSTRY = "industry"
    INVESTOR = "investor"
    PRESS = "press"
    OTHER = "other"

    @property
    def label(self) -> str:
        return ORGANISATION_TYPE_LABELS[self]


ORGANISATION_TYPE_LABELS = {
    OrganisationType.GOVERNMENT: "Government or policy",
    OrganisationType.ACADEMIA: "Academia",
    OrganisationType.INDUSTRY: "Industry",
    OrganisationType.INVESTOR: "Investor",
    OrganisationType.PRESS: "Press",
    OrganisationType.OTHER: "Other",
}


class QuestionKind(enum.StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"


class Question(db.Model):
    """An extra question an organiser adds to a visit's registration form."""

    __tablename__ = "registration_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind))
    label: Mapped[str] = mapped_column(String(300))
    help_text: Mapped[str] = mapped_column(String(500), default="")
    required: Mapped[bool] = mapped_column(default=False)
    # Choices for single and multiple choice, one per line.
    options: Mapped[str] = mapped_column(Text, default="")

    visit: Mapped[Visit] = relationship(back_populates="questions")

    @property
    def choices(self) -> list[str]:
        # Split only where the organiser's form does (services.registration_settings):
        # str.splitlines() also breaks at U+2028, U+0085 and the like, which would
        # offer pieces of one option as several and refuse the option itself.
        return [line.strip() for line in self.options.split("\n") if line.strip()]

    @property
    def key(self) -> str:
        """The key of this question's answer in Registration.answers."""
        return str(self.id)


def folded(text: str) -> str:
    """Case, accents and runs of spaces left out: "zoe" finds "Zoë", "ADA" finds "Ada"."""
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_name(full_name: str, organisation: str) -> str:
    """What name and organisation searches match: both folded, one line each, so that
    a search (folded, on one line) never matches across the two."""
    return f"{folded(full_name or '')}\n{folded(organisation or '')}"


class Registration(db.Model):
    __tablename__ = "registrations"
    __table_args__ = (
        # One live registration per email per visit (erased rows have no email).
        Index(
            "uq_registrations_live_email",
            "visit_id",
            "email_key",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
        Index("ix_registrations_visit_status", "visit_id", "status", "queued_at"),
        # The organiser's list in queue order: its first page reads only that page.
        Index("ix_registrations_visit_queue", "visit_id", "queued_at", "id"),
        # Searches for any part of a name, organisation or email: trigram indexes on
        # PostgreSQL (LIKE '%term%' uses them); plain ones on SQLite.
        Index("ix_registrations_search_name", "search_name", postgresql_using="gin",
              postgresql_ops={"search_name": "gin_trgm_ops"}),
        Index("ix_registrations_email_key_search", "email_key", postgresql_using="gin",
              postgresql_ops={"email_key": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    status: Mapped[RegistrationStatus] = mapped_column(str_enum(RegistrationStatus))
    # When the registration joined its current queue: the waiting list is served in
    # this order, first come first served.
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_reason: Mapped[str] = mapped_column(String(500), default="")

    full_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    email_key: Mapped[str | None] = mapped_column(String(254))  # lower-cased email
    organisation: Mapped[str] = mapped_column(String(200), default="")
    # search_name(full_name, organisation), kept by _keep_search_name below.
    search_name: Mapped[str] = mapped_column(Text, default="", server_default="")
    job_title: Mapped[str] = mapped_column(String(200), default="")
    organisation_type: Mapped[OrganisationType | None] = mapped_column(
        str_enum(OrganisationType)
    )
    dietary: Mapped[str] = mapped_column(String(500), default="")
    access_needs: Mapped[str] = mapped_column(String(1000), default="")
    consent_photography: Mapped[bool] = mapped_column(default=False)
    consent_share: Mapped[bool] = mapped_column(default=False)
    privacy_accepted_at: Mapped[datetime | None]
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    # Private links: the values are never stored, only their SHA-256 (services.tokens).
    token_nonce: Mapped[str] = mapped_column(String(64))
    manage_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    feed_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    feed_generation: Mapped[int] = mapped_column(default=0)
    # Raised, with feed_changed_at, by every change of status: each event of the
    # attendee's feed changes status with it, so its SEQUENCE and DTSTAMP must move.
    feed_sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    feed_changed_at: Mapped[datetime | None]

    added_by_organiser: Mapped[bool] = mapped_column(default=False)
    # Registered through a tour's form: the tour's private link manages it too.
    tour_registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("tour_registrations.id", ondelete="SET NULL"), index=True)
    # Check-in on the day: set once (a second tap changes nothing), cleared by undo.
    checked_in_at: Mapped[datetime | None]
    checked_in_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    erased_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    visit: Mapped[Visit] = relationship()
    signups: Mapped[list[ItemSignup]] = relationship(
        back_populates="registration", cascade="all, delete-orphan"
    )

    @property
    def is_live(self) -> bool:
        return self.status is not RegistrationStatus.CANCELLED

    def touch_feed(self) -> None:
        """Every event of the attendee's feed changed: raise SEQUENCE, move DTSTAMP."""
        self.feed_sequence = (self.feed_sequence or 0) + 1
        self.feed_changed_at = utcnow()

    @validates("status")
    def _status_changes_the_feed(self, key: str, value: RegistrationStatus):
        if self.status is not None and RegistrationStatus(value) is not self.status:
            self.touch_feed()
        return value

    @validates("full_name", "organisation")
    def _keep_search_name(self, key: str, value: str):
        # Every write of a name or organisation through the ORM passes here.
        name = value if key == "full_name" else self.full_name
        organisation = value if key == "organisation" else self.organisation
        self.search_name = search_name(name, organisation)
        return value

    def __repr__(self) -> str:
        return f"<Registration {self.id} {self.status}>"


class SignupStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class ItemSignup(db.Model):
    """An attendee's place (or place in the queue) on an agenda item with a capacity."""

    __tablename__ = "item_signups"
    __table_args__ = (
        Index(
            "uq_item_signups_live",
            "item_id",
            "registration_id",
            unique=True,
            sqlite_where=text("status != 'cancelled'"),
            postgresql_where=text("status != 'cancelled'"),
        ),
        Index("ix_item_signups_item_status", "item_id", "status", "queued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[SignupStatus] = mapped_column(str_enum(SignupStatus))
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    registration: Mapped[Registration] = relationship(back_populates="signups")
    item: Mapped[AgendaItem] = relationship()
