"""Blueprints, one per audience."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from eventsapp.views import auth, errors, health, organiser, public

    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(organiser.bp, url_prefix="/organiser")
    app.register_blueprint(health.bp)
    errors.init_app(app)
