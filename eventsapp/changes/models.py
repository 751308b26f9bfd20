"""The change log of a visit, which is also the queue of change notices.

Every change to the agenda, the registration settings and showcase bookings is a
row: what, who, when, and the old and new values. Changes that people must be told
about (an item's time, venue or status, the visit's cancellation) carry a notice
state: pending until the digest that includes them has been queued.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.dbtypes import str_enum, utcnow
from eventsapp.extensions import db

if TYPE_CHECKING:
    from eventsapp.accounts.models import User
    from eventsapp.agenda.models import AgendaItem


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
