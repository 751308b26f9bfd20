"""Flask extensions, created unbound and initialised in create_app."""

from __future__ import annotations

from datetime import datetime

from flask import session
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase, registry

from eventsapp.dbtypes import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    # Every instant is stored as UTC (see dbtypes.UTCDateTime).
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime},
    )


class AccountLoginManager(LoginManager):
    """Flask-Login, with "strong" session protection applied to sessions that hold a
    login, as it is meant to be.

    Flask-Login skips the check for an empty session ("an anonymous user or just
    logged out") but not for an anonymous one holding only a CSRF token or a flashed
    message: there it found no identifier, cleared the session and sent a deletion of
    the remember-me cookie with every page and form a visitor opened. A session with a
    user in it is checked exactly as before.
    """

    def _session_protection_failed(self) -> bool:
        if "_user_id" not in session:
            return False
        return super()._session_protection_failed()


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login = AccountLoginManager()
csrf = CSRFProtect()
# Limits are declared per view, as decorators. The store comes from RATELIMIT_STORAGE_URI:
# memory:// counts per process; redis://... lets every worker and host share one count.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
# What is built once per content version (calendars, the agenda JSON, the public page's
# agenda): in this process by default, in Redis when CACHE_TYPE=RedisCache.
cache = Cache()
