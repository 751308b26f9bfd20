"""eventsapp: delegation visits, their agendas, registrations and showcases."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from eventsapp import schema  # noqa: F401 - every model mapped before anything is used
from eventsapp.config import Config
from eventsapp.db import configure_engine
from eventsapp.extensions import cache as content_cache  # eventsapp.cache is a module
from eventsapp.extensions import csrf, db, login, migrate
from eventsapp.web import ratelimits

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type | Mapping | None = None) -> Flask:
    """Build the application. Wiring only: no database work, no network."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    if config is None or isinstance(config, type):
        app.config.from_object(config or Config)
    else:
        app.config.from_object(Config)
        app.config.from_mapping(config)

    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        db_path = Path(app.instance_path) / "eventsapp.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Pool pre-ping is pointless for a file and costs a query per checkout.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {}
    if not app.config.get("SECRET_KEY"):
        if not (app.debug or app.testing):
            raise RuntimeError(
                "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long "
                "random value (python -c 'import secrets; print(secrets.token_hex(32))')."
            )
        app.config["SECRET_KEY"] = "dev-only-insecure-key"  # noqa: S105 - debug only
    if app.debug:
        app.config["SESSION_COOKIE_SECURE"] = False

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config.get("TRUSTED_PROXIES"):
        # The client's address (rate limits), scheme and host as the proxies saw them.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    login.init_app(app)
    csrf.init_app(app)
    ratelimits.init_app(app)
    content_cache.init_app(app)
    with app.app_context():
        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])

    from eventsapp import cli, ids
    from eventsapp.accounts import login as auth
    from eventsapp.web import filters as templating
    from eventsapp.web import headers as security
    from eventsapp.web import sessions

    ids.init_app(app)  # before the blueprints: their routes use its converter
    auth.init_app(app)
    security.init_app(app)
    sessions.init_app(app)
    templating.init_app(app)
    register_blueprints(app)
    register_attachment_makers(app)
    register_visit_readers(app)
    register_item_followers(app)
    register_erasers(app)
    cli.init_app(app)
    return app


def register_attachment_makers(app: Flask) -> None:
    """Each attachment made when its email is sent, made by the feature that owns it:
    mail sits below them all and knows none of them."""
    from eventsapp.calendar import feeds
    from eventsapp.checkin import rules as checkin
    from eventsapp.mail import attachments

    attachments.init_app(app, {
        attachments.AGENDA: feeds.agenda_attachment,
        attachments.CHECKIN_CODE: checkin.code_attachment,
        attachments.CHECKIN_IMAGE: checkin.image_attachment,
        attachments.BOOKING_CALENDAR: feeds.booking_attachment,
    })


def register_visit_readers(app: Flask) -> None:
    """Who reads a visit without a role in it, as a feature above visits decides."""
    from eventsapp.tours.rules import access as tours
    from eventsapp.visits import rules as visits

    visits.init_readers(app, [tours.convenes])


def register_item_followers(app: Flask) -> None:
    """What moves with an agenda item: a showcase's slots."""
    from eventsapp.agenda import rules as agenda
    from eventsapp.showcase.rules import slots

    agenda.init_app(app, followers=[slots.follow_item])


def register_erasers(app: Flask) -> None:
    """What is forgotten with an erased registration besides its own row."""
    from eventsapp.feedback import rules as feedback
    from eventsapp.registration.rules import own_page

    own_page.init_app(app, erasers=[feedback.forget_comments])


def register_blueprints(app: Flask) -> None:
    """One blueprint per feature (two for showcases: the organisers' and the member area)."""
    from eventsapp.accounts import views as accounts
    from eventsapp.agenda import views as agenda
    from eventsapp.calendar import views as calendar
    from eventsapp.changes import views as changes
    from eventsapp.checkin import views as checkin
    from eventsapp.dashboard import views as dashboard
    from eventsapp.feedback import views as feedback
    from eventsapp.members import views as members
    from eventsapp.messages import organiser_views as messages
    from eventsapp.organisations import organiser_views as organisations
    from eventsapp.registration import organiser_views as _registration_organiser  # noqa: F401
    from eventsapp.registration import views as registration
    from eventsapp.showcase import member_views
    from eventsapp.showcase import views as showcase
    from eventsapp.tours import organiser_views as _tours_organiser  # noqa: F401
    from eventsapp.tours import views as tours
    from eventsapp.visits import organiser_views as _visits_organiser  # noqa: F401
    from eventsapp.visits import rules as visit_rules
    from eventsapp.visits import views as visits
    from eventsapp.web import errors, health

    for module in (visits, agenda, registration, showcase, member_views, members,
                   organisations, calendar, changes, checkin, dashboard, feedback, tours,
                   messages, accounts, health):
        app.register_blueprint(module.bp)
    errors.init_app(app, visit_under=visit_rules.published_visit_under)
