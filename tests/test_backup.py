"""flask backup PATH: a consistent copy of the SQLite database, taken while a real server
keeps writing; refused, with the way to do it, on PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from eventsapp import create_app
from eventsapp.config import TestConfig
from eventsapp.extensions import db as _db
from eventsapp.mail.models import OutboxMessage
from eventsapp.registration.models import Registration
from eventsapp.visits.models import Visit, VisitStatus
from tests.live_server import LiveServer, csrf_token
from tests.support import make_item, make_registration, make_venue, make_visit

SLUG = "cic-stoke"
WRITERS = 3
BEFORE_BACKUP = 12  # registrations made over HTTP before the backup starts


def _is_sqlite(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def _form(email: str, token: str) -> dict:
    return {
        "full_name": "Ada Lovelace", "email": email, "organisation": "Analytical Engines",
        "job_title": "Director", "organisation_type": "industry", "privacy_accepted": "y",
        "csrf_token": token,
    }


class Writers:
    """Threads that keep registering new attendees through the live server."""

    def __init__(self, url: str):
        self.url = f"{url}/visits/{SLUG}/register"
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.done = 0
        self.errors: list[str] = []
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(WRITERS)]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def count(self) -> int:
        with self.lock:
            return self.done

    def _run(self, writer: int) -> None:
        with requests.Session() as http:
            token = csrf_token(http.get(self.url, timeout=30).text)
            n = 0
            while not self.stop.is_set():
                n += 1
                response = http.post(self.url, data=_form(f"w{writer}-{n}@example.org", token),
                                     allow_redirects=False, timeout=30)
                with self.lock:
                    if response.status_code == 303:
                        self.done += 1
                    else:
                        self.errors.append(f"{response.status_code}: {response.text[:300]}")
                        return

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.count() < count:
            assert not self.errors, self.errors
            assert time.monotonic() < deadline, f"only {self.count()} registrations made"
            time.sleep(0.05)


def _read_copy(path: Path) -> dict:
    """What a new app, pointed at the copy, finds there."""
    config = type("Restored", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    restored = create_app(config)
    with restored.app_context():
        try:
            visit = _db.session.scalar(select(Visit).where(Visit.slug == SLUG))
            registrations = list(_db.session.scalars(select(Registration)))
            topics = set(_db.session.scalars(
                select(OutboxMessage.topic).where(OutboxMessage.topic.like("registration:%"))))
            return {
                "visit": (visit.title, visit.status, len(visit.venues), len(visit.items)),
                "registrations": len(registrations),
                "emails": {r.email for r in registrations},
                "registration_ids": {f"registration:{r.id}" for r in registrations},
                "topics": topics,
            }
        finally:
            _db.session.remove()
            _db.engine.dispose()


def test_backup_while_the_server_writes_is_consistent_and_restores(app, db, tmp_path):
    if not _is_sqlite(app):
        pytest.skip("flask backup copies SQLite databases; PostgreSQL uses pg_dump")
    visit = make_visit(slug=SLUG, status=VisitStatus.PUBLISHED, contact_email="hi@example.org")
    venue = make_venue(visit)
    make_item(visit, "09:00", "10:00", venue=venue, title="Welcome")
    make_item(visit, "10:00", "11:00", venue=venue, title="Studio tour")
    registrations = [make_registration(visit) for _ in range(3)]
    existing = {r.email for r in registrations}
    existing_topics = {f"registration:{r.id}" for r in registrations}
    db.session.remove()  # the test holds no transaction open while the server writes
    copy = tmp_path / "backups" / "eventsapp-copy.sqlite3"
    copy.parent.mkdir()

    server = LiveServer(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "gunicorn.log",
                        workers=2, threads=2)
    try:
        with Writers(server.url) as writers:
            writers.wait_for(BEFORE_BACKUP)
            started_with = writers.count()
            result = app.test_cli_runner().invoke(args=["backup", str(copy)])
            finished_with = writers.count()
            writers.wait_for(finished_with + 5)  # the server kept serving
        assert writers.errors == []
        total = writers.count()
    finally:
        server.stop()

    assert result.exit_code == 0, result.output
    assert "integrity check ok" in result.output
    assert BEFORE_BACKUP <= started_with <= finished_with < total  # writes all along
    assert sorted(p.name for p in copy.parent.iterdir()) == [copy.name]  # one file, no -wal

    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()
    found = _read_copy(copy)
    assert found["visit"] == ("Regions and Clusters delegation", VisitStatus.PUBLISHED, 1, 2)
    assert existing <= found["emails"]
    # Everything committed before the backup began is there, nothing made after it ended.
    assert 3 + started_with <= found["registrations"] <= 3 + total
    # Each registration came with its confirmation email in one transaction: the copy
    # holds both halves of every one, never one without the other.
    made_over_http = found["registration_ids"] - existing_topics
    assert made_over_http == found["topics"]
    # The live database went on past the copy.
    live = db.session.scalar(select(func.count()).select_from(Registration))
    assert live == 3 + total > found["registrations"]


def test_backup_refuses_to_overwrite_unless_forced(app, db, tmp_path):
    if not _is_sqlite(app):
        pytest.skip("flask backup copies SQLite databases; PostgreSQL uses pg_dump")
    make_visit(slug=SLUG)
    target = tmp_path / "copy.sqlite3"
    target.write_text("an older backup")
    runner = app.test_cli_runner()

    refused = runner.invoke(args=["backup", str(target)])
    forced = runner.invoke(args=["backup", "--force", str(target)])

    assert refused.exit_code != 0
    assert "already exists; use --force" in refused.output
    assert forced.exit_code == 0, forced.output
    assert _read_copy(target)["visit"][0] == "Regions and Clusters delegation"


def test_backup_refuses_the_database_itself_and_a_missing_folder(app, tmp_path):
    if not _is_sqlite(app):
        pytest.skip("flask backup copies SQLite databases; PostgreSQL uses pg_dump")
    runner = app.test_cli_runner()
    database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")

    itself = runner.invoke(args=["backup", "--force", database])
    nowhere = runner.invoke(args=["backup", str(tmp_path / "missing" / "copy.sqlite3")])

    assert itself.exit_code != 0 and "the database itself" in itself.output
    assert nowhere.exit_code != 0 and "There is no folder" in nowhere.output
    assert not (tmp_path / "missing").exists()


def test_backup_refuses_postgresql_and_says_to_use_pg_dump(tmp_path):
    config = type("Postgres", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://events:secret@127.0.0.1:1/events",
    })
    postgres = create_app(config)
    try:
        result = postgres.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.sqlite3")])
    finally:
        with postgres.app_context():
            _db.engine.dispose()

    assert result.exit_code == 1
    assert "PostgreSQL" in result.output
    assert "pg_dump" in result.output
    assert "secret" not in result.output  # the URL's password is never printed
    assert not (tmp_path / "x.sqlite3").exists()


def test_backup_refuses_an_in_memory_database(tmp_path):
    config = type("Memory", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    memory = create_app(config)
    try:
        result = memory.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.sqlite3")])
    finally:
        with memory.app_context():
            _db.engine.dispose()

    assert result.exit_code == 1
    assert "in-memory" in result.output
