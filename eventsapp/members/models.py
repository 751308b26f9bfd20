"""Cluster member businesses, whose people log in to book showcase slots."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db

if TYPE_CHECKING:
    from eventsapp.accounts.models import User
    from eventsapp.organisations.models import Organisation


class MemberBusiness(db.Model):
    __tablename__ = "member_businesses"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The host organisation whose member this business is.
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    website: Mapped[str] = mapped_column(String(300), default="")
    # Sector tags, comma separated as typed ("animation, VFX").
    sectors: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship()
    people: Mapped[list[User]] = relationship(back_populates="business", order_by="User.name")

    @property
    def sector_tags(self) -> list[str]:
        return [tag.strip() for tag in self.sectors.split(",") if tag.strip()]

    def __repr__(self) -> str:
        return f"<MemberBusiness {self.name}>"
