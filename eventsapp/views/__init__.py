"""Blueprints, one per audience."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from eventsapp.views import api, auth, errors, feeds, health, organiser, public, registration

    app.register_blueprint(public.bp)
    from eventsapp.views import organiser_members, organiser_showcase  # noqa: F401
    app.register_blueprint(registration.bp)
    app.register_blueprint(auth.bp)
    from eventsapp.views import organiser_registrations  # noqa: F401
    app.register_blueprint(organiser.bp, url_prefix="/organiser")
    from eventsapp.views import member
    app.register_blueprint(member.bp, url_prefix="/member")
    app.register_blueprint(health.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(api.bp)
    errors.init_app(app)
