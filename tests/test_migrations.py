"""The real Alembic migrations, on a database of their own: upgrade, no drift, downgrade.

Each run uses a fresh database (a temp SQLite file; on PostgreSQL, when
TEST_DATABASE_URL is set, a database created here and dropped afterwards). The
``flask db`` commands run in a subprocess, exactly as at deploy, which also keeps
Alembic's logging configuration out of this test process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, create_engine, func, inspect, select, text

import eventsapp.schema  # noqa: F401  (every table in the metadata)
from eventsapp import create_app
from eventsapp.config import TestConfig, database_url
from eventsapp.extensions import db as _db
from tests.support import scratch_database

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request, tmp_path):
    """The URL of an empty database that exists only for this test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    base = database_url(os.environ.get("TEST_DATABASE_URL"))
    if not base or not base.startswith("postgresql"):
        pytest.skip("TEST_DATABASE_URL does not name a PostgreSQL database")
    with scratch_database(base, "eventsapp_migrations") as url:
        yield url


def flask_db(uri: str, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": uri,
        "SECRET_KEY": "migration-test-secret",
        "FLASK_DEBUG": "0",
    }
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "eventsapp", "db", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _ok(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"


def _head_revisions() -> set[str]:
    return set(ScriptDirectory(str(PROJECT_ROOT / "migrations")).get_heads())


def _drift(uri: str) -> list:
    """What `flask db check` compares: the models' metadata against the database."""
    engine = create_engine(uri)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, _db.metadata)
    finally:
        engine.dispose()


def _tables(uri: str) -> set[str]:
    engine = create_engine(uri)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _current_revisions(uri: str) -> set[str]:
    engine = create_engine(uri)
    try:
        with engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()


def test_migrations_upgrade_match_the_models_and_downgrade(fresh_database):
    uri = fresh_database
    heads = _head_revisions()
    assert len(heads) == 1, f"the migrations have several heads: {heads}"

    _ok(flask_db(uri, "upgrade"))

    assert _current_revisions(uri) == heads
    model_tables = {table.name for table in _db.metadata.sorted_tables}
    assert _tables(uri) == model_tables | {"alembic_version"}
    assert _drift(uri) == []
    check = flask_db(uri, "check")
    _ok(check)
    assert "No new upgrade operations detected" in check.stdout + check.stderr

    _ok(flask_db(uri, "downgrade", "base"))

    assert _tables(uri) == {"alembic_version"}
    assert _current_revisions(uri) == set()

    # And back up again: a downgrade leaves nothing behind that blocks the upgrade.
    _ok(flask_db(uri, "upgrade"))
    assert _drift(uri) == []


def _run(uri: str, statements: list[str], read: str | None = None) -> list[tuple]:
    engine = create_engine(uri)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
            return [tuple(row) for row in conn.execute(text(read))] if read else []
    finally:
        engine.dispose()


VISIT = ("INSERT INTO visits (id, slug, title, host, city, timezone, start_date, end_date, "
         "summary, status, waitlist_enabled, registration_access, contact_email, "
         "privacy_notice, content_version, created_at, updated_at) VALUES ({id}, 'v{id}', "
         "'Visit', 'Host', 'City', 'Europe/London', '2027-03-01', '2027-03-02', '', "
         "'published', TRUE, 'open', '', '', 0, '2027-01-01 09:00:00', '2027-01-01 09:00:00')")
# Since b7e4d2a9c310 a visit belongs to an organisation (the one the upgrade made).
VISIT_AT_HEAD = VISIT.replace("content_version, ", "content_version, organisation_id, ").replace(
    "'', 0, ", "'', 0, (SELECT min(id) FROM organisations), ")
REGISTRATION = ("INSERT INTO registrations (visit_id, status, queued_at, status_reason, "
                "full_name, email, email_key, organisation, job_title, dietary, access_needs, "
                "consent_photography, consent_share, answers, token_nonce, manage_token_hash, "
                "feed_token_hash, feed_generation, added_by_organiser, created_at, updated_at) "
                "VALUES ({visit}, '{status}', '2027-01-01 09:00:00', '', 'N', '{n}@x.org', "
                "'{n}@x.org', '', '', '', '', FALSE, FALSE, '{{}}', 'n{n}', 'm{n}', 'f{n}', 0, "
                "FALSE, '2027-01-01 09:00:00', '2027-01-01 09:00:00')")
COUNTS = "SELECT visit_id, confirmed FROM visit_counts ORDER BY visit_id"


def test_the_kept_counts_go_and_come_back_with_what_is_there(fresh_database):
    """At head no table or trigger counts registrations (the capacity check counts under
    the visit's lock): writing registrations after the upgrade touches nothing else.
    Downgraded, the counts are made again from the registrations there are."""
    uri = fresh_database
    _ok(flask_db(uri, "upgrade", "c0517a9e2d41"))
    _run(uri, [VISIT.format(id=1), VISIT.format(id=2),
               *(REGISTRATION.format(visit=1, status=s, n=n) for n, s in
                 enumerate(["confirmed", "confirmed", "waitlisted"]))])
    assert _run(uri, [], COUNTS) == [(1, 2), (2, 0)]
    _ok(flask_db(uri, "upgrade"))

    assert "visit_counts" not in _tables(uri)
    _run(uri, [VISIT_AT_HEAD.format(id=3), REGISTRATION.format(visit=3, status="confirmed", n=10),
               REGISTRATION.format(visit=2, status="waitlisted", n=11),
               "UPDATE registrations SET status = 'confirmed' WHERE token_nonce = 'n11'",
               "UPDATE registrations SET status = 'cancelled' WHERE token_nonce = 'n0'",
               "DELETE FROM registrations WHERE token_nonce = 'n1'"])

    _ok(flask_db(uri, "downgrade", "c0517a9e2d41"))
    assert _run(uri, [], COUNTS) == [(1, 0), (2, 1), (3, 1)]
    _run(uri, [REGISTRATION.format(visit=3, status="confirmed", n=12)])
    assert _run(uri, [], COUNTS) == [(1, 0), (2, 1), (3, 2)]  # the triggers are back


# --- a copy of a demo database, upgraded ----------------------------------------------------

DEMO_REVISION = "c0517a9e2d41"  # the head before organisations
# Every row `flask demo` wrote at that revision (made with that revision's code, so the
# test needs no old checkout): loaded into a database migrated to DEMO_REVISION.
DEMO_ROWS = PROJECT_ROOT / "tests" / "fixtures" / f"demo_{DEMO_REVISION}.json"


def _typed(column, value):
    if value is None:
        return None
    kind = column.type.python_type
    if kind is bool:
        return bool(value)
    if kind is datetime:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    if kind is date:
        return date.fromisoformat(value)
    return value


def _load_demo_copy(uri: str) -> None:
    tables = json.loads(DEMO_ROWS.read_text())["tables"]
    engine = create_engine(uri)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.begin() as conn:
            for table in metadata.sorted_tables:
                if table.name not in tables:
                    continue
                names = tables[table.name]["columns"]
                conn.execute(table.insert(), [
                    {name: _typed(table.c[name], value) for name, value in zip(names, row,
                                                                                strict=True)}
                    for row in tables[table.name]["rows"]])
                if conn.dialect.name == "postgresql" and "id" in table.c:
                    # Rows came with their ids: the next id follows them.
                    conn.execute(select(func.setval(
                        func.pg_get_serial_sequence(table.name, "id"),
                        select(func.max(table.c.id)).scalar_subquery())))
    finally:
        engine.dispose()


def _row_counts(uri: str) -> dict[str, int]:
    engine = create_engine(uri)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as conn:
            return {table.name: conn.execute(select(func.count()).select_from(table)
                                             ).scalar_one()
                    for table in metadata.sorted_tables if table.name != "alembic_version"}
    finally:
        engine.dispose()


def test_a_demo_database_upgrades_keeping_every_row_and_the_app_works(fresh_database):
    uri = fresh_database
    _ok(flask_db(uri, "upgrade", DEMO_REVISION))
    _load_demo_copy(uri)
    before = _row_counts(uri)
    assert before["visits"] == 1 and before["registrations"] == 5  # the demo is there

    _ok(flask_db(uri, "upgrade"))

    after = _row_counts(uri)
    del before["visit_counts"]  # counted under the visit's lock since, no longer kept
    assert {name: after[name] for name in before} == before  # every row kept
    engine = create_engine(uri)
    try:
        with engine.connect() as conn:
            organisations = conn.execute(text(
                "SELECT id, name, slug, kind, default_city FROM organisations")).all()
            assert [tuple(o)[1:] for o in organisations] == [(
                "Platform, the Stoke and Staffordshire moving-image cluster",
                "platform-the-stoke-and-staffordshire-moving-image-cluster", "host",
                "Stoke-on-Trent")]
            (org_id, *_), = organisations
            assert conn.execute(text(
                "SELECT u.email, m.role, m.organisation_id FROM organisation_members m "
                "JOIN users u ON u.id = m.user_id")).all() == [
                ("organiser@demo.eventsapp.test", "owner", org_id)]
            assert set(conn.execute(text("SELECT organisation_id FROM visits")).scalars()
                       ) == {org_id}
            assert conn.execute(text(
                "SELECT count(*) FROM member_businesses WHERE organisation_id = :o"),
                {"o": org_id}).scalar_one() == 3
    finally:
        engine.dispose()
    _ok(flask_db(uri, "check"))

    # The app on the upgraded copy: the demo's organiser and a member log in and work.
    app = create_app(type("UpgradedDemoConfig", (TestConfig,),
                          {"SQLALCHEMY_DATABASE_URI": uri}))
    try:
        public = app.test_client()
        for url in ("/", "/visits/cic-stoke/", "/visits/cic-stoke/agenda.ics",
                    "/visits/cic-stoke/agenda.json", "/visits/cic-stoke/register"):
            assert public.get(url).status_code == 200, url
        organiser = app.test_client()
        assert organiser.post("/login", data={
            "email": "organiser@demo.eventsapp.test",
            "password": "demo-organiser-pass"}).status_code == 302
        for url in ("/organiser/", "/organiser/visits/cic-stoke/",
                    "/organiser/visits/cic-stoke/registrations",
                    "/organiser/visits/cic-stoke/dashboard",
                    "/organiser/visits/cic-stoke/showcases",
                    "/organiser/members/"):
            response = organiser.get(url)
            assert response.status_code == 200, url
        assert "Saggar Lane Animation" in organiser.get("/organiser/members/").text
        member = app.test_client()
        assert member.post("/login", data={"email": "animation@demo.eventsapp.test",
                                           "password": "demo-member-pass"}
                           ).status_code == 302
        assert member.get("/member/").status_code == 200
    finally:
        with app.app_context():
            _db.engine.dispose()
