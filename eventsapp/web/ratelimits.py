"""Rate limits: Flask-Limiter, wired as its documentation shows.

Each limit is a route decorator (``limiter.limit`` or ``limiter.shared_limit``); the
store is ``RATELIMIT_STORAGE_URI``. ``memory://`` counts in each process, which is
right for development and tests; with several workers or hosts only a shared store
(``redis://``) gives one count per address, so outside debug a warning says so.
"""

from __future__ import annotations

import hashlib

from flask import Flask, request

from eventsapp.extensions import limiter


def init_app(app: Flask) -> None:
    limiter.init_app(app)
    storage = app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    if (app.config.get("RATELIMIT_ENABLED", True) and storage.startswith("memory://")
            and not (app.debug or app.testing)):
        app.logger.warning(
            "Rate limits are counted per process (RATELIMIT_STORAGE_URI=%s): with several "
            "workers or hosts set RATELIMIT_STORAGE_URI=redis://... so they share one count.",
            storage)


def posted_email_key() -> str:
    """A limiter key for the email address a form posts: its SHA-256, so that the
    limiter's store holds no addresses."""
    email = (request.form.get("email") or "").strip().lower()[:254]
    return "email:" + hashlib.sha256(email.encode("utf-8", "surrogatepass")).hexdigest()
