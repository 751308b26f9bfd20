"""Fixtures: a real database (SQLite file, or PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import contextmanager

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import event, text

from eventsapp import PROJECT_ROOT, create_app
from eventsapp.config import TestConfig, database_url
from eventsapp.extensions import db as _db
from tests import support


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory):
    """One database for the whole run. On PostgreSQL it is a database of its own,
    created here and dropped at the end, so runs never touch each other's data."""
    base = database_url(os.environ.get("TEST_DATABASE_URL"))
    if not base:
        path = tmp_path_factory.mktemp("db") / "eventsapp-test.sqlite3"
        yield f"sqlite:///{path}"
        return
    with support.scratch_database(base, "eventsapp_test") as url:
        yield url


@pytest.fixture(scope="session")
def _schema(database_uri):
    """The schema as deployed: the real migrations (their triggers included), run by
    ``flask db upgrade`` in a subprocess, which keeps Alembic's logging set-up out of
    this process."""
    env = {**os.environ, "FLASK_APP": "eventsapp", "DATABASE_URL": database_uri,
           "SECRET_KEY": "test-schema-secret", "FLASK_DEBUG": "0"}
    done = subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"],  # noqa: S603
                          env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.exit(f"flask db upgrade failed:\n{done.stderr}", returncode=1)
    return database_uri


def _config(uri: str, **extra) -> type:
    return type("PerRunTestConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": uri, **extra})


@pytest.fixture
def app_config(_schema):
    """Override to change configuration for one test module."""
    return {}


class FreshRequestClient(FlaskClient):
    """A test client whose every request starts with an empty ``g``.

    The ``app`` fixture keeps one application context pushed for the whole test (so
    tests can use the database), and Flask reuses it for each test-client request, so
    ``g`` would carry Flask-Login's cached user and Flask-WTF's CSRF token from one
    request to the next. In production every request has a context of its own.
    """

    def open(self, *args, **kwargs):
        for name in list(g):
            g.pop(name)
        return super().open(*args, **kwargs)


@pytest.fixture
def app(_schema, app_config):
    app = create_app(_config(_schema, **app_config))
    app.test_client_class = FreshRequestClient
    with app.app_context():
        yield app
        _db.session.remove()
        _empty_tables()
        _db.engine.dispose()


def _empty_tables() -> None:
    tables = list(reversed(_db.metadata.sorted_tables))
    with _db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def organiser(app):
    return support.make_user(email="organiser@example.org", name="Olu Organiser")


@pytest.fixture
def member(app):
    return support.make_user(email="member@example.org", role="member", name="Mo Member")


def login(client, user, password: str = support.PASSWORD):
    """Log in through the real form, as a person would."""
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture
def organiser_client(client, organiser):
    login(client, organiser)
    return client


@pytest.fixture
def member_client(client, member):
    login(client, member)
    return client


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter: ...`` counts SQL statements sent."""

    @contextmanager
    def counting():
        counter = QueryCounter()

        def before(conn, cursor, statement, *args):
            if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
                counter.statements.append(statement)

        event.listen(_db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(_db.engine, "before_cursor_execute", before)

    return counting
