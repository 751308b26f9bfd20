"""Configuration: what the environment selects, and what create_app fills in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from eventsapp import create_app
from eventsapp.config import Config, TestConfig, database_url
from eventsapp.extensions import db as _db

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_NAMES = ("DATABASE_URL", "SECRET_KEY", "EVENTSAPP_BASE_URL", "SESSION_COOKIE_SECURE",
             "SQLITE_BUSY_TIMEOUT_MS", "RATELIMIT_ENABLED", "LOGIN_RATE_LIMIT_PER_ADDRESS",
             "LOGIN_RATE_LIMIT_PER_ACCOUNT", "RATELIMIT_STORAGE_URI", "CACHE_TYPE",
             "CACHE_REDIS_URL")
BASIC_KEYS = ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "BASE_URL", "SESSION_COOKIE_SECURE",
              "SQLITE_BUSY_TIMEOUT_MS")
LIMIT_KEYS = ("RATELIMIT_ENABLED", "LOGIN_RATE_LIMIT_PER_ADDRESS", "LOGIN_RATE_LIMIT_PER_ACCOUNT")


def _config_from_env(keys: tuple[str, ...] = BASIC_KEYS, **env: str) -> dict:
    """Config as a fresh process reads it from exactly these environment variables."""
    clean = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    script = (
        "import json, sys; from eventsapp.config import Config as C; "
        "print(json.dumps({k: getattr(C, k) for k in sys.argv[1:]}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *keys], env={**clean, **env}, cwd=PROJECT_ROOT,
        capture_output=True, text=True, timeout=60, check=True,
    )
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("postgres://u:p@db.example:5432/events", "postgresql+psycopg://u:p@db.example:5432/events"),
        ("postgresql://u@localhost/events", "postgresql+psycopg://u@localhost/events"),
        ("postgresql+psycopg://u@localhost/events", "postgresql+psycopg://u@localhost/events"),
        ("sqlite:////srv/events.sqlite3", "sqlite:////srv/events.sqlite3"),
        ("", None),
        (None, None),
    ],
)
def test_database_url_always_uses_psycopg_3(raw, expected):
    assert database_url(raw) == expected


def test_defaults_when_the_environment_sets_nothing():
    config = _config_from_env()
    assert config == {
        "SQLALCHEMY_DATABASE_URI": None,
        "SECRET_KEY": None,
        "BASE_URL": None,
        "SESSION_COOKIE_SECURE": True,
        "SQLITE_BUSY_TIMEOUT_MS": 15000,
    }


def test_the_environment_selects_database_secret_and_cookies():
    config = _config_from_env(
        DATABASE_URL="postgres://events@db.internal/events",
        SECRET_KEY="from-the-environment",
        EVENTSAPP_BASE_URL="https://visits.example.org",
        SESSION_COOKIE_SECURE="0",
        SQLITE_BUSY_TIMEOUT_MS="2500",
    )
    assert config == {
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://events@db.internal/events",
        "SECRET_KEY": "from-the-environment",
        "BASE_URL": "https://visits.example.org",
        "SESSION_COOKIE_SECURE": False,
        "SQLITE_BUSY_TIMEOUT_MS": 2500,
    }


def test_login_limits_are_on_by_default_and_set_from_the_environment():
    assert _config_from_env(LIMIT_KEYS) == {
        "RATELIMIT_ENABLED": True,
        "LOGIN_RATE_LIMIT_PER_ADDRESS": "20 per minute;200 per hour",
        "LOGIN_RATE_LIMIT_PER_ACCOUNT": "10 per minute;50 per hour",
    }
    assert _config_from_env(
        LIMIT_KEYS, RATELIMIT_ENABLED="0", LOGIN_RATE_LIMIT_PER_ADDRESS="5 per minute",
        LOGIN_RATE_LIMIT_PER_ACCOUNT="3 per minute;20 per day",
    ) == {
        "RATELIMIT_ENABLED": False,
        "LOGIN_RATE_LIMIT_PER_ADDRESS": "5 per minute",
        "LOGIN_RATE_LIMIT_PER_ACCOUNT": "3 per minute;20 per day",
    }


SHARED_KEYS = ("RATELIMIT_STORAGE_URI", "CACHE_TYPE", "CACHE_REDIS_URL")


def test_limits_and_cache_stay_in_the_process_unless_redis_is_named():
    assert _config_from_env(SHARED_KEYS) == {
        "RATELIMIT_STORAGE_URI": "memory://", "CACHE_TYPE": "SimpleCache",
        "CACHE_REDIS_URL": None,
    }
    assert _config_from_env(
        SHARED_KEYS, RATELIMIT_STORAGE_URI="redis://redis.internal:6379/0",
        CACHE_TYPE="RedisCache", CACHE_REDIS_URL="redis://redis.internal:6379/1",
    ) == {
        "RATELIMIT_STORAGE_URI": "redis://redis.internal:6379/0", "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": "redis://redis.internal:6379/1",
    }


def test_without_a_database_url_the_app_uses_sqlite_in_the_instance_folder():
    app = create_app({"SQLALCHEMY_DATABASE_URI": None, "TESTING": True})
    expected = Path(app.instance_path) / "eventsapp.sqlite3"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{expected}"


def test_debug_without_a_secret_key_uses_a_development_key_and_plain_cookies():
    config = type("Debugging", (Config,), {
        "DEBUG": True, "TESTING": False, "SECRET_KEY": None,
        "SESSION_COOKIE_SECURE": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
    })
    app = create_app(config)
    assert app.config["SECRET_KEY"] == "dev-only-insecure-key"
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert config.SESSION_COOKIE_SECURE is True  # the class itself is not changed


def test_production_keeps_secure_httponly_cookies():
    config = type("Production", (Config,), {
        "DEBUG": False, "TESTING": False, "SECRET_KEY": "a-long-random-value",
        "SESSION_COOKIE_SECURE": True, "SQLALCHEMY_DATABASE_URI": "sqlite://",
    })
    app = create_app(config)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["WTF_CSRF_ENABLED"] is True


def test_a_sqlite_file_gets_wal_busy_timeout_and_foreign_keys(tmp_path):
    config = type("FileSqlite", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'pragmas.sqlite3'}",
        "SQLITE_BUSY_TIMEOUT_MS": 4321,
    })
    app = create_app(config)
    with app.app_context():
        try:
            with _db.engine.connect() as conn:
                pragmas = {
                    name: conn.execute(text(f"PRAGMA {name}")).scalar()
                    for name in ("journal_mode", "busy_timeout", "foreign_keys")
                }
        finally:
            _db.engine.dispose()
    assert pragmas == {"journal_mode": "wal", "busy_timeout": 4321, "foreign_keys": 1}
