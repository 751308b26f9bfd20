"""Flask-Login wiring: how a session maps to a user."""

from __future__ import annotations

from flask import Flask

from eventsapp.accounts.models import User
from eventsapp.extensions import db, login


def init_app(app: Flask) -> None:
    login.login_view = "accounts.login"
    login.login_message = "Please log in to see that page."
    login.login_message_category = "info"
    login.session_protection = "strong"

    @login.user_loader
    def load_user(login_id: str) -> User | None:
        """The user of a session's "<id>:<session version>" (User.get_id), while that
        version is still the user's: logging out and setting a password raise it."""
        user_id, _, version = login_id.partition(":")
        if not (user_id.isascii() and user_id.isdigit() and version.isascii()
                and version.isdigit()) or len(user_id) > 10:
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or str(user.session_version) != version:
            return None
        return user
