"""Accounts: organisers and members, and checking a login."""

from __future__ import annotations

from sqlalchemy import func, select

from eventsapp.accounts import tokens
from eventsapp.accounts.models import Role, User
from eventsapp.db import write
from eventsapp.errors import Conflict, ValidationError
from eventsapp.extensions import db

MIN_PASSWORD_LENGTH = 10

# A hash to compare against when no account matches, so a wrong email takes as long
# as a wrong password.
_DUMMY = User(email="", role=Role.ORGANISER)
_DUMMY.set_password("not-a-real-password")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (one answer for both)."""
    address = normalise_email(email)
    # No account's email holds a NUL, and PostgreSQL refuses one even in a WHERE clause.
    user = None if "\x00" in address else db.session.scalar(
        select(User).where(func.lower(User.email) == address))
    if user is None or not user.active:
        _DUMMY.check_password(password)
        return None
    return user if user.check_password(password) else None


def end_sessions(user_id: int) -> None:
    """Log out every session of this user, wherever its cookie was copied to."""
    with write():
        user = db.session.get(User, user_id)
        if user is not None:
            user.end_sessions()


def ensure_feed_token(user: User) -> None:
    """Give a user a calendar-feed nonce and its stored hash (call inside a write)."""
    if user.token_nonce is None:
        user.token_nonce = tokens.new_nonce()
        user.feed_generation = 0
        user.feed_token_hash = tokens.digest(tokens.make(tokens.FEED, user.token_nonce, 0))


def feed_token(user: User) -> str:
    return tokens.make(tokens.FEED, user.token_nonce or "", user.feed_generation)


def create_user(email: str, password: str, role: Role, name: str = "") -> User:
    with write():
        return new_user(email, password, role, name)


def new_user(email: str, password: str, role: Role, name: str = "") -> User:
    """A new account with a hashed password, in the caller's transaction."""
    email = normalise_email(email)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            {"password": f"Use at least {MIN_PASSWORD_LENGTH} characters."}
        )
    if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        raise Conflict(f"An account for {email} already exists.", field="email")
    user = User(email=email, name=name.strip(), role=role)
    user.set_password(password)
    ensure_feed_token(user)
    db.session.add(user)
    return user
