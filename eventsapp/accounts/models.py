"""People who log in: organisers and members."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from eventsapp.dbtypes import str_enum, utcnow
from eventsapp.extensions import db

if TYPE_CHECKING:
    from eventsapp.members.models import MemberBusiness


class Role(enum.StrEnum):
    ORGANISER = "organiser"
    MEMBER = "member"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(str_enum(Role))
    password_hash: Mapped[str | None] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(default=True)
    # Members belong to a business; organisers to none.
    business_id: Mapped[int | None] = mapped_column(
        ForeignKey("member_businesses.id", ondelete="SET NULL"), index=True
    )
    # Personal calendar feed (services.tokens): only the token's hash is stored.
    token_nonce: Mapped[str | None] = mapped_column(String(64))
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    feed_generation: Mapped[int] = mapped_column(default=0)
    last_login_at: Mapped[datetime | None]
    # Part of the login kept in the session (get_id): raising it ends every session,
    # and every copy of its cookie, that holds the old one (logout, a password set).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    business: Mapped[MemberBusiness | None] = relationship(back_populates="people")

    def get_id(self) -> str:
        """Flask-Login's alternative id: "<id>:<session version>" (auth.load_user)."""
        return f"{self.id}:{self.session_version or 0}"

    def end_sessions(self) -> None:
        """Every session logged in as this user is logged out at its next request."""
        self.session_version = (self.session_version or 0) + 1

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def is_organiser(self) -> bool:
        return self.role is Role.ORGANISER

    @property
    def is_member(self) -> bool:
        return self.role is Role.MEMBER

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.end_sessions()  # a new password ends the sessions of the old one

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"
