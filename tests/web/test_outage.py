"""The database out of reach: 503, Retry-After, an answer of the URL's kind, one log
line per failure and no traceback; service back on the first request after it returns.
A genuine bug (a statement the database refuses) stays a 500 with its traceback."""

from __future__ import annotations

import contextlib
import logging
import socket
import sqlite3
import threading

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from eventsapp import create_app
from eventsapp.config import TestConfig
from eventsapp.extensions import db
from eventsapp.visits.models import VisitStatus
from tests import support
from tests.conftest import FreshRequestClient, login

CLOSED_PORT = "postgresql+psycopg://postgres@127.0.0.1:1/x?connect_timeout=2"


def _app_at(uri: str):
    config = type("OutageConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": uri})
    app = create_app(config)
    app.test_client_class = FreshRequestClient
    return app


@pytest.fixture
def world(app, client, organiser):
    """A published visit and an organiser's session cookie, made while the database is up."""
    visit = support.make_visit(organisers=[organiser], slug="outage-visit",
                                 status=VisitStatus.PUBLISHED)
    support.make_item(visit)
    login(client, organiser)
    cookie = client.get_cookie("session").value
    return visit.slug, cookie


def _pages(slug: str) -> list[tuple[str, str]]:
    return [
        ("/", "html"),
        (f"/visits/{slug}/", "html"),
        (f"/visits/{slug}/agenda.ics", "text"),
        (f"/visits/{slug}/agenda.json", "json"),
        ("/organiser/", "html"),
        (f"/organiser/visits/{slug}/", "html"),
        ("/login", "html"),
    ]


def _assert_unavailable(broken_app, slug: str, cookie: str, caplog) -> None:
    client = broken_app.test_client()
    client.set_cookie("session", cookie)
    for path, kind in _pages(slug):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            response = client.get(path)
        assert response.status_code == 503, path
        assert response.headers["Retry-After"] == "30"
        body = response.get_data(as_text=True)
        if kind == "json":
            assert response.mimetype == "application/json"
            assert response.get_json()["error"] == "unavailable"
        elif kind == "text":
            assert response.mimetype == "text/plain"
            assert body.startswith("The site is briefly unavailable.")
        else:
            assert response.mimetype == "text/html"
            assert "<h1>Briefly unavailable</h1>" in body
            assert "The site is briefly unavailable." in body
        records = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(records) == 1, [r.getMessage() for r in records]
        assert records[0].exc_info is None
        message = records[0].getMessage()
        assert message.startswith(f"Database unavailable: GET {path}: ")
        assert "\n" not in message and "Traceback" not in caplog.text


def test_postgresql_at_a_closed_port_is_503(world, caplog):
    slug, cookie = world
    _assert_unavailable(_app_at(CLOSED_PORT), slug, cookie, caplog)


def test_a_form_sent_during_the_outage_is_said_to_be_unsaved(world, caplog):
    slug, cookie = world
    client = _app_at(CLOSED_PORT).test_client()
    with caplog.at_level(logging.WARNING):
        response = client.post(f"/visits/{slug}/register", data={"full_name": "Ada"})
    assert response.status_code == 503
    assert ("What you just sent was not saved: please send it again then."
            in response.get_data(as_text=True))


def test_unreadable_sqlite_file_is_503_and_service_resumes(app, world, caplog, tmp_path):
    slug, cookie = world
    missing = tmp_path / "not-yet" / "eventsapp.sqlite3"
    broken = _app_at(f"sqlite:///{missing}")
    _assert_unavailable(broken, slug, cookie, caplog)

    # The database comes back (here: the file appears); the next request is served.
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the copy below is of the SQLite test database")
    db.session.commit()
    missing.parent.mkdir()
    source = sqlite3.connect(db.engine.url.database)
    target = sqlite3.connect(missing)
    source.backup(target)
    source.close()
    target.close()
    client = broken.test_client()
    client.set_cookie("session", cookie)
    assert client.get("/").status_code == 200
    assert client.get(f"/visits/{slug}/agenda.json").status_code == 200
    page = client.get("/organiser/")
    assert page.status_code == 200
    assert "Log out" in page.get_data(as_text=True)


class Gate:
    """A TCP forwarder to PostgreSQL that can be shut: while shut it closes every
    connection, new and forwarded, as a server that went away does."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.open = False
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.live: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                conn.close()
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.live += [conn, upstream]
            for a, b in ((conn, upstream), (upstream, conn)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def shut(self) -> None:
        self.open = False
        with self.lock:
            for s in self.live:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.shut()
        self.listener.close()
        with self.lock:
            for s in self.live:
                s.close()


def test_postgresql_going_away_and_coming_back(app, world, caplog):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (TEST_DATABASE_URL)")
    slug, cookie = world
    db.session.commit()
    url = make_url(db.engine.url.render_as_string(hide_password=False))
    gate = Gate((url.host or "127.0.0.1", url.port or 5432))
    try:
        gate.open = True
        through_gate = url.set(host="127.0.0.1", port=gate.port).update_query_dict(
            {"connect_timeout": "2"})
        served = _app_at(through_gate.render_as_string(hide_password=False))
        client = served.test_client()
        client.set_cookie("session", cookie)
        assert client.get("/organiser/").status_code == 200  # a pooled connection now

        gate.shut()  # the server goes away: pooled connections die, new ones are refused
        _assert_unavailable(served, slug, cookie, caplog)

        gate.open = True
        assert client.get("/organiser/").status_code == 200
        assert client.get(f"/visits/{slug}/agenda.ics").status_code == 200
        with served.app_context():
            db.engine.dispose()
    finally:
        gate.close()


def test_a_statement_the_database_refuses_is_still_a_500(app, caplog):
    """No such table is a bug, not an outage: the traceback is logged, as before."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/broken-on-purpose")
    def broken_on_purpose():
        db.session.execute(text("SELECT * FROM no_such_table"))
        return "unreachable"

    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/broken-on-purpose")
    assert response.status_code == 500
    assert "Briefly unavailable" not in response.get_data(as_text=True)
    assert "Retry-After" not in response.headers
    assert any(r.exc_info for r in caplog.records), "a traceback is logged"
