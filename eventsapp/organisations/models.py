"""Organisations and the people who belong to them, each with a role."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsapp.dbtypes import str_enum, utcnow
from eventsapp.extensions import db

if TYPE_CHECKING:
    from eventsapp.accounts.models import User


class OrganisationKind(enum.StrEnum):
    HOST = "host"  # a host cluster: runs visits, has member businesses
    CONVENOR = "convenor"  # convenes tours of several hosts' visits


class OrganisationRole(enum.StrEnum):
    OWNER = "owner"  # manages the organisation and its people, and runs its visits
    ORGANISER = "organiser"  # runs its visits
    VIEWER = "viewer"  # reads everything, changes nothing

    @property
    def can_organise(self) -> bool:
        return self is not OrganisationRole.VIEWER


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind),
                                                   default=OrganisationKind.HOST)
    # What a new visit of this organisation starts with.
    default_city: Mapped[str] = mapped_column(String(100), default="")
    default_host: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    memberships: Mapped[list[OrganisationMember]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan",
        order_by="OrganisationMember.id")

    def __repr__(self) -> str:
        return f"<Organisation {self.slug}>"


class OrganisationMember(db.Model):
    """One person in one organisation, with their role there."""

    __tablename__ = "organisation_members"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[OrganisationRole] = mapped_column(str_enum(OrganisationRole))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<OrganisationMember {self.user_id} {self.role} of {self.organisation_id}>"
