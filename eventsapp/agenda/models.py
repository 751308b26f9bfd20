"""Agenda items: what happens when and where during a visit."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.dbtypes import str_enum, utcnow
from eventsapp.extensions import db

if TYPE_CHECKING:
    from eventsapp.visits.models import Venue, Visit


class ItemKind(enum.StrEnum):
    TALK = "talk"
    PANEL = "panel"
    TOUR = "tour"
    SHOWCASE = "showcase"
    MEAL = "meal"
    BREAK = "break"
    TRAVEL = "travel"
    NETWORKING = "networking"
    OTHER = "other"


class ItemStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


def new_uid() -> str:
    """A calendar UID, fixed when the item is created and never derived from it."""
    return f"{uuid.uuid4()}@eventsapp"


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    venue_id: Mapped[int | None] = mapped_column(
        ForeignKey("venues.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[ItemKind] = mapped_column(str_enum(ItemKind))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # One host per line, as the organiser typed them.
    hosts: Mapped[str] = mapped_column(String(500), default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int | None]
    status: Mapped[ItemStatus] = mapped_column(str_enum(ItemStatus), default=ItemStatus.CONFIRMED)
    uid: Mapped[str] = mapped_column(String(255), unique=True, default=new_uid)
    # RFC 5545 SEQUENCE: raised when the time, the venue or the status changes.
    sequence: Mapped[int] = mapped_column(default=0)
    # A deleted item of a visit that has been published stays as a tombstone.
    deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    visit: Mapped[Visit] = relationship(back_populates="items")
    venue: Mapped[Venue | None] = relationship()

    @property
    def is_cancelled(self) -> bool:
        return self.status is ItemStatus.CANCELLED

    @property
    def host_names(self) -> list[str]:
        return [line.strip() for line in self.hosts.splitlines() if line.strip()]

    def __repr__(self) -> str:
        return f"<AgendaItem {self.id} {self.title!r}>"
