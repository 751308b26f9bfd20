"""Flask-Login wiring: how a session maps to a user."""

from __future__ import annotations

from flask import Flask

from eventsapp.extensions import db, login
from eventsapp.models import User


def init_app(app: Flask) -> None:
    login.login_view = "auth.login"
    login.login_message = "Please log in to see that page."
    login.login_message_category = "info"
    login.session_protection = "strong"

    @login.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.active else None
