"""Signed-cookie sessions, except for responses that never depend on who asks.

Calendar feeds and the agenda JSON are the same for everyone who asks with the same
URL, so they neither set the session cookie nor say ``Vary: Cookie`` (which Flask adds
whenever anything, here Flask-Login's after-request hook, looks at the session): a
shared cache may then keep one copy for every subscriber, and the request skips the
cookie work. A request without a cookie gets its empty session without the signing
machinery being built.
"""

from __future__ import annotations

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

COOKIE_FREE_BLUEPRINTS = frozenset({"calendar"})


class SessionInterface(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request):
        # No cookie, nothing to verify: skip building the signing serializer, which
        # Flask does first (most requests for feeds and public pages carry no cookie).
        if app.secret_key and request.cookies.get(self.get_cookie_name(app)) is None:
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session, response) -> None:
        if request.blueprint in COOKIE_FREE_BLUEPRINTS and not session.modified:
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
