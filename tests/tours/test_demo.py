"""`flask demo` adds the tour "Revitalising smaller cities", also to a demo database
from before tours (upgraded, then the command runs again)."""

from __future__ import annotations

import os
import subprocess
import sys
from types import SimpleNamespace

from sqlalchemy import create_engine, text

from eventsapp.demo.tour import CONVENOR_EMAIL, CONVENOR_PASSWORD
from tests.conftest import login
from tests.test_migrations import (  # noqa: F401 - fresh_database is a fixture
    DEMO_REVISION,
    PROJECT_ROOT,
    _load_demo_copy,
    _ok,
    flask_db,
    fresh_database,
)


def test_demo_tour_page_feed_and_convenor(app, db, client):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Added the tour revitalising-smaller-cities" in result.output
    for email in (CONVENOR_EMAIL, "coventry@demo.eventsapp.test", "hull@demo.eventsapp.test",
                  "organiser@demo.eventsapp.test", "animation@demo.eventsapp.test"):
        assert email in result.output
    page = client.get("/tours/revitalising-smaller-cities/").text
    assert "Revitalising smaller cities" in page
    assert "Convened by CIC Regions and Clusters sub-group" in page
    order = [page.index(t) for t in ("Regions and Clusters launch: Coventry",
                                     "Coventry station → Stoke-on-Trent station",
                                     "Regions and Clusters delegation: Stoke-on-Trent",
                                     "Stoke-on-Trent station → Hull Paragon",
                                     "Regions and Clusters delegation: Hull")]
    assert order == sorted(order)
    assert "hosted by Coventry Creative Cluster" in page
    assert "hosted by Platform" in page
    feed = client.get("/tours/revitalising-smaller-cities/agenda.ics").text
    assert feed.count("BEGIN:VEVENT") == 15 + 3 + 3 + 2 + 2  # items, 2 showcase bookings, legs
    login(client, SimpleNamespace(email=CONVENOR_EMAIL), CONVENOR_PASSWORD)
    assert client.get("/organiser/tours/revitalising-smaller-cities/dashboard").status_code == 200
    again = app.test_cli_runner().invoke(args=["demo"])
    assert "Nothing to do" in again.output and "Added" not in again.output


def test_an_old_demo_database_gains_the_tour(fresh_database):  # noqa: F811
    uri = fresh_database
    _ok(flask_db(uri, "upgrade", DEMO_REVISION))
    _load_demo_copy(uri)
    _ok(flask_db(uri, "upgrade"))
    env = dict(os.environ, DATABASE_URL=uri, SECRET_KEY="migration-test-secret",
               FLASK_DEBUG="1")
    run = subprocess.run([sys.executable, "-m", "flask", "--app", "eventsapp", "demo"],
                         cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert "Added the tour revitalising-smaller-cities" in run.stdout
    engine = create_engine(uri)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT slug FROM tours")).scalars().all() == [
                "revitalising-smaller-cities"]
            assert conn.execute(text(
                "SELECT v.slug FROM tour_stops s JOIN visits v ON v.id = s.visit_id "
                "WHERE s.removed_at IS NULL ORDER BY s.position")).scalars().all() == [
                "cic-coventry", "cic-stoke", "cic-hull"]
            assert conn.execute(text("SELECT count(*) FROM travel_legs")).scalar_one() == 2
            assert conn.execute(text("SELECT count(*) FROM registrations")).scalar_one() == 5
    finally:
        engine.dispose()
    _ok(flask_db(uri, "check"))
