"""Blueprints, one per audience."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from eventsapp.views import (
        api,
        auth,
        errors,
        feedback,
        feeds,
        health,
        itinerary,
        member,
        organiser,
        public,
        registration,
    )

    app.register_blueprint(public.bp)
    app.register_blueprint(registration.bp)
    app.register_blueprint(itinerary.bp)
    app.register_blueprint(feedback.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(organiser.bp, url_prefix="/organiser")
    app.register_blueprint(member.bp, url_prefix="/member")
    app.register_blueprint(feeds.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(health.bp)
    errors.init_app(app)
