"""Configuration, read from the environment once at import."""

from __future__ import annotations

import os


def database_url(raw: str | None) -> str | None:
    """Normalise a DATABASE_URL so that PostgreSQL always uses psycopg 3."""
    if not raw:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # None means "a SQLite file in the instance folder", filled in by create_app.
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", "15000"))

    # Absolute URLs in calendars and emails; falls back to the request's host.
    BASE_URL = os.environ.get("EVENTSAPP_BASE_URL")
    # How many proxies in front of the app set X-Forwarded-For/-Proto/-Host. 0 (the
    # default): those headers are ignored, so nobody can claim another address.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", default=True)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    WTF_CSRF_TIME_LIMIT = None  # a form left open all morning still submits

    # Email. Without MAIL_SERVER, the outbox worker writes .eml files under
    # instance/outbox/ instead of sending (the default for `make run`).
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _flag("MAIL_USE_TLS")
    MAIL_USE_SSL = _flag("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_FROM = os.environ.get("MAIL_FROM", "eventsapp@localhost")
    MAIL_FROM_NAME = os.environ.get("MAIL_FROM_NAME", "eventsapp")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "20"))
    # Change notices wait until a visit's newest pending change is this many minutes
    # old, so a burst of edits goes out as one digest (services.change_notices).
    NOTICE_QUIET_MINUTES = int(os.environ.get("NOTICE_QUIET_MINUTES", "10"))
    # An organiser gets at most one digest of what needs them (approvals, bookings to
    # decide, people on a full waiting list) this many minutes apart.
    ORGANISER_DIGEST_MINUTES = int(os.environ.get("ORGANISER_DIGEST_MINUTES", "30"))

    # How long a shared cache (nginx, a CDN) and calendar apps may keep a public calendar
    # or agenda JSON before asking again (Cache-Control: public, max-age).
    CALENDAR_MAX_AGE = int(os.environ.get("CALENDAR_MAX_AGE", "300"))

    # Flask-Limiter: limits on the registration, login and lost-link POSTs. memory://
    # counts per process; set redis://... when several workers or hosts run.
    RATELIMIT_ENABLED = _flag("RATELIMIT_ENABLED", default=True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    REGISTRATION_RATE_LIMIT = os.environ.get("REGISTRATION_RATE_LIMIT", "10 per minute;60 per hour")
    # Failed logins (a successful one costs nothing), counted per address and per
    # account, so neither many addresses against one account nor one address against
    # many accounts can keep guessing passwords.
    LOGIN_RATE_LIMIT_PER_ADDRESS = os.environ.get(
        "LOGIN_RATE_LIMIT_PER_ADDRESS", "20 per minute;200 per hour"
    )
    LOGIN_RATE_LIMIT_PER_ACCOUNT = os.environ.get(
        "LOGIN_RATE_LIMIT_PER_ACCOUNT", "10 per minute;50 per hour"
    )
    # Asking for a lost private link again (/lost-link, /visits/<slug>/lost-link): every
    # request counts, per client address and per email address asked about, so that
    # nobody can fill someone's inbox or sweep through addresses.
    LOST_LINK_RATE_LIMIT_PER_ADDRESS = os.environ.get(
        "LOST_LINK_RATE_LIMIT_PER_ADDRESS", "5 per minute;30 per hour"
    )
    LOST_LINK_RATE_LIMIT_PER_EMAIL = os.environ.get(
        "LOST_LINK_RATE_LIMIT_PER_EMAIL", "3 per hour;10 per day"
    )

    # Flask-Caching: what is built once per content version. Keys hold the version,
    # so entries are never invalidated by hand; old ones age out. SimpleCache keeps a
    # copy per process; RedisCache (CACHE_REDIS_URL) one copy for every worker and host.
    CACHE_TYPE = os.environ.get("CACHE_TYPE", "SimpleCache")
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL")
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "eventsapp:")
    CACHE_DEFAULT_TIMEOUT = int(os.environ.get("CACHE_DEFAULT_TIMEOUT", "86400"))
    CACHE_THRESHOLD = 256  # SimpleCache: entries kept per process at most


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 - tests only
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL")) or "sqlite://"
    WTF_CSRF_ENABLED = False
    SESSION_COOKIE_SECURE = False
    SERVER_NAME = None
    RATELIMIT_ENABLED = False  # tests of the limit switch it on (app_config fixture)
    RATELIMIT_STORAGE_URI = "memory://"
    CACHE_TYPE = "SimpleCache"  # each test's app has its own
