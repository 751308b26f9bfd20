"""Showcases: fixed-length slots inside a showcase agenda item, booked by members."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from eventsapp.dbtypes import str_enum, utcnow
from eventsapp.extensions import db

if TYPE_CHECKING:
    from eventsapp.accounts.models import User
    from eventsapp.agenda.models import AgendaItem
    from eventsapp.members.models import MemberBusiness


class Showcase(db.Model):
    """The booking settings of one ``showcase`` agenda item."""

    __tablename__ = "showcases"
    __table_args__ = (
        CheckConstraint("slot_minutes > 0", name="slot_minutes_positive"),
        CheckConstraint("buffer_minutes >= 0", name="buffer_minutes_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), unique=True
    )
    slot_minutes: Mapped[int] = mapped_column(default=10)
    buffer_minutes: Mapped[int] = mapped_column(default=2)
    requires_approval: Mapped[bool] = mapped_column(default=True)
    booking_deadline: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    item: Mapped[AgendaItem] = relationship()
    slots: Mapped[list[ShowcaseSlot]] = relationship(
        back_populates="showcase",
        cascade="all, delete-orphan",
        order_by="ShowcaseSlot.starts_at",
    )


class ShowcaseSlot(db.Model):
    __tablename__ = "showcase_slots"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    showcase_id: Mapped[int] = mapped_column(
        ForeignKey("showcases.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    blocked: Mapped[bool] = mapped_column(default=False)

    showcase: Mapped[Showcase] = relationship(back_populates="slots")


class BookingStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"


ACTIVE_BOOKING = "status IN ('pending', 'approved')"


class BookingFormat(enum.StrEnum):
    DEMO = "demo"
    PITCH = "pitch"
    SCREENING = "screening"
    INSTALLATION = "installation"


EQUIPMENT = ("power", "screen", "table", "sound", "network")


def new_booking_uid() -> str:
    return f"booking-{uuid.uuid4()}@eventsapp"


class ShowcaseBooking(db.Model):
    __tablename__ = "showcase_bookings"
    __table_args__ = (
        # At most one active booking per slot, and per member business per visit.
        Index("uq_showcase_bookings_active_slot", "slot_id", unique=True,
              sqlite_where=text(ACTIVE_BOOKING), postgresql_where=text(ACTIVE_BOOKING)),
        Index("uq_showcase_bookings_active_business", "visit_id", "business_id", unique=True,
              sqlite_where=text(ACTIVE_BOOKING), postgresql_where=text(ACTIVE_BOOKING)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("showcase_slots.id", ondelete="CASCADE"), index=True
    )
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    business_id: Mapped[int] = mapped_column(
        ForeignKey("member_businesses.id", ondelete="CASCADE"), index=True
    )
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[BookingStatus] = mapped_column(str_enum(BookingStatus))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    format: Mapped[BookingFormat] = mapped_column(str_enum(BookingFormat))
    equipment: Mapped[list[str]] = mapped_column(JSON, default=list)
    people: Mapped[str] = mapped_column(String(500), default="")  # one name per line
    decision_message: Mapped[str] = mapped_column(Text, default="")
    uid: Mapped[str] = mapped_column(String(255), unique=True, default=new_booking_uid)
    sequence: Mapped[int] = mapped_column(default=0)
    # First approval: from then on the booking was public, so the public calendars
    # keep it (as CANCELLED once declined or cancelled) for their subscribers.
    approved_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    slot: Mapped[ShowcaseSlot] = relationship()
    business: Mapped[MemberBusiness] = relationship()
    booked_by: Mapped[User | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.status in (BookingStatus.PENDING, BookingStatus.APPROVED)

    @validates("status")
    def _first_approval(self, key: str, value: BookingStatus):
        if BookingStatus(value) is BookingStatus.APPROVED and self.approved_at is None:
            self.approved_at = utcnow()
        return value

    @property
    def people_names(self) -> list[str]:
        return [line.strip() for line in self.people.splitlines() if line.strip()]
