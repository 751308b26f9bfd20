"""Accounts: organisers and members, and checking a login."""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from eventsapp.accounts import tokens
from eventsapp.accounts.models import Role, User
from eventsapp.db import write
from eventsapp.errors import Conflict, NotFound, ValidationError
from eventsapp.extensions import db

MIN_PASSWORD_LENGTH = 10
INVITATION_MAX_AGE = 7 * 24 * 3600  # seconds: a set-password link lasts a week

# A hash to compare against when no account matches, so a wrong email takes as long
# as a wrong password.
_DUMMY = User(email="", role=Role.ORGANISER)
_DUMMY.set_password("not-a-real-password")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_with_email(email: str) -> User | None:
    """The account whose email is this one, whatever its case."""
    address = normalise_email(email)
    # No account's email holds a NUL, and PostgreSQL refuses one even in a WHERE clause.
    if "\x00" in address:
        return None
    return db.session.scalar(select(User).where(func.lower(User.email) == address))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (one answer for both)."""
    user = user_with_email(email)
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


# What the person is told after resetting their own calendar link.
FEED_RESET_MESSAGE = ("Your calendar link is new. The old link has stopped working: subscribe "
                      "again with the link below.")


def ensure_user_feed(actor: User) -> User:
    """Make sure a user has a feed link (older accounts may not)."""
    if actor.token_nonce is not None:
        return actor
    with write():
        user = db.session.get(User, actor.id)
        ensure_feed_token(user)
    return user


def reset_user_feed(actor: User) -> User:
    """A new feed link for the user; the old one answers 404 from now on."""
    with write():
        user = db.session.get(User, actor.id)
        if user.token_nonce is None:
            ensure_feed_token(user)
        else:
            user.feed_generation += 1
            user.feed_token_hash = tokens.digest(
                tokens.make(tokens.FEED, user.token_nonce, user.feed_generation))
    return user


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
    if user_with_email(email) is not None:
        raise Conflict(f"An account for {email} already exists.", field="email")
    user = User(email=email, name=name.strip(), role=role)
    user.set_password(password)
    ensure_feed_token(user)
    db.session.add(user)
    return user


# --- set-password links (invited members, and organisers' resets) ----------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="set-password")


def _password_state(user: User) -> str:
    """Changes whenever the password does, so a set-password link works once."""
    return hashlib.sha256((user.password_hash or "unset").encode()).hexdigest()[:16]


def set_password_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "s": _password_state(user)})


def user_for_set_password_token(token: str) -> User:
    try:
        data = _serializer().loads(token, max_age=INVITATION_MAX_AGE)
    except SignatureExpired as exc:
        raise Conflict("This link has expired. Ask the organisers to send a new one.") from exc
    except BadSignature as exc:
        raise NotFound("This link is not valid.") from exc
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("s") != _password_state(user):
        raise NotFound("This link has already been used or is not valid.")
    return user


def set_password(token: str, password: str) -> User:
    with write():
        user = user_for_set_password_token(token)
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValidationError({"password": f"Use at least {MIN_PASSWORD_LENGTH} characters."})
        user.set_password(password)
        ensure_feed_token(user)
    return user
