"""Attendees' feedback after a visit: a rating of the visit, of each item they
attended, and free text (the evidence for the impact report)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db

if TYPE_CHECKING:
    from eventsapp.agenda.models import AgendaItem
    from eventsapp.registration.models import Registration

RATINGS = (1, 2, 3, 4, 5)


class Feedback(db.Model):
    """One per registration; the attendee may come back and change it."""

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("visit_rating IS NULL OR visit_rating BETWEEN 1 AND 5",
                        name="visit_rating_1_to_5"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), unique=True
    )
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    visit_rating: Mapped[int | None]
    comments: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    registration: Mapped[Registration] = relationship()
    item_ratings: Mapped[list[ItemFeedback]] = relationship(
        back_populates="feedback", cascade="all, delete-orphan"
    )


class ItemFeedback(db.Model):
    __tablename__ = "item_feedback"
    __table_args__ = (
        UniqueConstraint("feedback_id", "item_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_1_to_5"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True
    )
    rating: Mapped[int]

    feedback: Mapped[Feedback] = relationship(back_populates="item_ratings")
    item: Mapped[AgendaItem] = relationship()
