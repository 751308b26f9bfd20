"""The several-servers shape, started by deploy/cluster.sh exactly as `make cluster`
does, on free ports, a PostgreSQL database of its own (dropped afterwards) and a real
SMTP sink on loopback (aiosmtpd).

CLUSTER_TEST_PORTS="8260 8261 8262" pins nginx's port and the two app servers' (else
free ones), e.g. to keep a run inside a range of its own.
"""

from __future__ import annotations

import os
import random
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import redis
import requests
from aiosmtpd.controller import Controller
from requests.adapters import HTTPAdapter
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from eventsapp import create_app
from eventsapp.config import TestConfig, database_url
from eventsapp.extensions import db
from tests.live_server import ClusterScript, free_port
from tests.support import Inbox

NO_NGINX = "nginx is missing and apt-get could not install it"
# Short, so that the test of a changed calendar waits seconds, not the default 5 minutes.
CALENDAR_MAX_AGE = 4


# Leaves one app server dead, so it runs after every other cluster test.
KILLS_A_SERVER = "test_one_app_server_killed_mid_storm"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/cluster/" in str(item.fspath):
            item.add_marker(pytest.mark.cluster)
    items.sort(key=lambda item: item.name == KILLS_A_SERVER)  # stable: the rest keep order


class Cluster(ClusterScript):
    """The script's servers with a real SMTP sink, and what the tests read back."""

    def __init__(self, port: int, app_ports: list[int], run_dir: Path, name: str,
                 libpq_base: str, inbox: Inbox, smtp_port: int):
        super().__init__(port, app_ports, run_dir, name, libpq_base, {
            "SECRET_KEY": TestConfig.SECRET_KEY,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp_port),
            "CALENDAR_MAX_AGE": str(CALENDAR_MAX_AGE),
        })
        self.database_uri = database_url(f"{libpq_base}/{name}")
        self.inbox = inbox
        self.extra: list[subprocess.Popen] = []

    def posts_served(self, port: int, path: str) -> int:
        log = self.run_dir / f"app-{port}-access.log"
        return sum(f'"POST {path} ' in line for line in log.read_text().splitlines())

    def served_by(self, marker: str, timeout: float = 5.0) -> int:
        """The port of the app server whose access log has the request carrying this
        marker (gunicorn writes the line just after the answer, so it may lag a little)."""
        deadline = time.monotonic() + timeout
        while True:
            ports = [port for port in self.app_ports
                     if marker in (self.run_dir / f"app-{port}-access.log").read_text()]
            if ports:
                assert len(ports) == 1, (marker, ports)
                return ports[0]
            assert time.monotonic() < deadline, f"no app server logged {marker}"
            time.sleep(0.05)


def _ports() -> tuple[int, list[int]]:
    pinned = os.environ.get("CLUSTER_TEST_PORTS", "").split()
    if pinned:
        if len(pinned) != 3 or not all(port.isdigit() for port in pinned):
            raise pytest.UsageError("CLUSTER_TEST_PORTS: three port numbers (nginx, two app "
                                    f"servers), not {pinned!r}")
        return int(pinned[0]), [int(pinned[1]), int(pinned[2])]
    return free_port(), [free_port(), free_port()]


def _postgres_base() -> str:
    base = os.environ.get("TEST_DATABASE_URL") or "postgresql://postgres@127.0.0.1:5432/test"
    return make_url(database_url(base)).set(database="postgres").render_as_string(
        hide_password=False)


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    name = f"eventsapp_cluster_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin_uri = _postgres_base()
    libpq_base = admin_uri.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0]
    smtp_port = free_port()
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    run_dir = tmp_path_factory.mktemp("cluster")
    port, app_ports = _ports()
    # The default registration limit (the test of the limit relies on it), and the
    # content cache in the shared Redis under keys of this run only.
    cluster = Cluster(port, app_ports, run_dir, name, libpq_base, inbox, smtp_port)
    admin = create_engine(admin_uri, isolation_level="AUTOCOMMIT")
    started = cluster.start()
    try:
        if started.returncode != 0:
            if NO_NGINX in started.stderr:
                pytest.skip(f"cluster tests need nginx: {NO_NGINX}")
            pytest.fail(f"deploy/cluster.sh start failed:\n{started.stdout}\n{started.stderr}\n"
                        f"{cluster.log()}")
        assert started.stdout.strip().splitlines()[-1] == cluster.url
        yield cluster
    finally:
        for process in cluster.extra:
            process.terminate()
            process.wait(timeout=30)
        cluster.stop()
        smtp.stop()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def cluster_app(cluster):
    """An app on the cluster's database, for building data and reading what was written."""
    config = type("ClusterTestConfig", (TestConfig,),
                  {"SQLALCHEMY_DATABASE_URI": cluster.database_uri})
    app = create_app(config)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def cache_store(cluster):
    """The Redis the app servers keep their content cache in (CACHE_REDIS_URL)."""
    with redis.Redis.from_url(cluster.cache_redis_url) as store:
        yield store


class SourceAddressAdapter(HTTPAdapter):
    """Connections from one loopback address (all of 127.0.0.0/8 is this machine), so
    that each client is a different address to nginx and to the per-address limits."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def client_address() -> str:
    """A loopback address no earlier run used within the limits' windows (their counts
    live in the shared Redis)."""
    return f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def http_from(address: str | None = None) -> requests.Session:
    session = requests.Session()
    session.mount("http://", SourceAddressAdapter(address or client_address()))
    return session
