"""Rate limits and built content shared through Redis (RATELIMIT_STORAGE_URI,
CACHE_TYPE=RedisCache), as several workers and hosts share them; and the warning
that memory:// counts per process. Against the real Redis on 127.0.0.1:6379
(TEST_REDIS_URL): each test writes under a prefix of its own and removes it."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
import uuid

import pytest

from eventsapp import create_app
from eventsapp.config import Config
from eventsapp.extensions import db as _db
from eventsapp.visits.models import VisitStatus
from tests.conftest import _config
from tests.support import make_item, make_items, make_visit

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PREFIX = f"eventsapp-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def redis_client():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        client.close()
        pytest.skip(f"needs Redis at {REDIS_URL} (TEST_REDIS_URL)")
    yield client
    keys = list(client.scan_iter(match=f"*{PREFIX}*"))
    if keys:
        client.delete(*keys)
    client.close()


def other_app(app, **config):
    """Another application: its own cache, its own connection pool, as another worker
    would have."""
    return create_app(_config(app.config["SQLALCHEMY_DATABASE_URI"], **config))


# --- rate limits ---------------------------------------------------------------------------

LIMITS = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": REDIS_URL,
          "RATELIMIT_STORAGE_OPTIONS": {"key_prefix": PREFIX},
          "REGISTRATION_RATE_LIMIT": "3 per minute"}

# Another process: its own Python, its own Flask-Limiter, the same Redis. The visit
# does not exist there (an empty database of its own): every POST counts all the same.
ANOTHER_PROCESS = textwrap.dedent("""
    import json, sys
    from eventsapp import create_app
    from eventsapp.config import TestConfig
    from eventsapp.extensions import db
    config = json.loads(sys.argv[1])
    app = create_app(type("Elsewhere", (TestConfig,), config))
    with app.app_context():
        db.create_all()
    client = app.test_client()
    print(json.dumps([client.post("/visits/cic-stoke/register", data={},
                                  environ_base={"REMOTE_ADDR": "192.0.2.50"}).status_code
                      for _ in range(int(sys.argv[2]))]))
""")


class TestLimitsSharedThroughRedis:
    @pytest.fixture
    def app_config(self):
        return LIMITS

    def test_two_processes_count_one_limit(self, client, redis_client):
        import json

        make_visit(slug="cic-stoke", status=VisitStatus.PUBLISHED)
        config = {**LIMITS, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
        elsewhere = subprocess.run(
            [sys.executable, "-c", ANOTHER_PROCESS, json.dumps(config), "2"],
            capture_output=True, text=True, timeout=120, check=True)
        assert json.loads(elsewhere.stdout.strip().splitlines()[-1]) == [404, 404]
        assert list(redis_client.scan_iter(match=f"{PREFIX}:*"))  # counted in Redis

        def post(address="192.0.2.50"):
            return client.post("/visits/cic-stoke/register", data={},
                               environ_base={"REMOTE_ADDR": address})

        third, fourth = post(), post()
        assert third.status_code == 422  # the form again, with its errors
        assert fourth.status_code == 429  # two there and one here: the limit of three
        assert int(fourth.headers["Retry-After"]) > 0
        assert post("192.0.2.51").status_code == 422  # another address counts apart


def test_memory_store_outside_debug_warns_that_limits_are_per_process(app, caplog):
    production = type("Production", (Config,), {
        "DEBUG": False, "TESTING": False, "SECRET_KEY": "a-long-random-production-value",
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
    })
    with caplog.at_level(logging.WARNING, logger="eventsapp"):
        served = create_app(production)
    with served.app_context():
        _db.engine.dispose()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("counted per process" in m and "redis://" in m for m in warnings), warnings

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="eventsapp"):
        shared = create_app(type("Shared", (production,), {
            "RATELIMIT_STORAGE_URI": REDIS_URL}))
    with shared.app_context():
        _db.engine.dispose()
    assert not [r for r in caplog.records if "counted per process" in r.getMessage()]


# --- content built once, kept in Redis -----------------------------------------------------

CACHE = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": REDIS_URL,
         "CACHE_KEY_PREFIX": f"{PREFIX}:"}


class TestContentSharedThroughRedis:
    @pytest.fixture
    def app_config(self):
        return CACHE

    @pytest.fixture
    def visit(self, organiser):
        visit = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED,
                           slug="shared")
        make_items(visit, 20)
        make_item(visit, "19:00", "20:00", title="Studio tour", capacity=5)
        return visit

    PATHS = ("/visits/shared/agenda.ics", "/visits/shared/agenda.json", "/visits/shared/")
    # Warm: the visit's stamp only (the page also counts places on the limited item).
    WARM = {"/visits/shared/agenda.ics": 1, "/visits/shared/agenda.json": 1,
            "/visits/shared/": 2}

    def test_what_one_worker_built_another_serves(self, app, client, visit, redis_client,
                                                  count_queries):
        first = {path: client.get(path) for path in self.PATHS}
        assert list(redis_client.scan_iter(match=f"{PREFIX}:*"))

        worker = other_app(app, **CACHE)
        try:
            with worker.app_context():
                for path in self.PATHS:
                    with count_queries() as counted:
                        answer = worker.test_client().get(path)
                    assert answer.data == first[path].data, path
                    assert counted.count == self.WARM[path], (path, counted.statements)
        finally:
            with worker.app_context():
                _db.engine.dispose()

    def test_a_change_is_seen_at_once_by_every_worker(self, app, client, visit,
                                                     redis_client):
        worker = other_app(app, **CACHE)
        try:
            for path in self.PATHS:
                client.get(path)
                worker.test_client().get(path)
            visit.items[0].title = "Welcome to the Potteries"
            _db.session.commit()
            for path in self.PATHS:
                assert "Welcome to the Potteries" in client.get(path).get_data(as_text=True)
                assert "Welcome to the Potteries" in worker.test_client().get(path).get_data(
                    as_text=True)
        finally:
            with worker.app_context():
                _db.engine.dispose()

    def test_a_process_cache_is_not_shared(self, app, client, visit, redis_client,
                                           count_queries):
        """The contrast: with SimpleCache (the default) each worker builds its own copy."""
        client.get(self.PATHS[0])
        worker = other_app(app, CACHE_TYPE="SimpleCache")
        try:
            with worker.app_context(), count_queries() as counted:
                worker.test_client().get(self.PATHS[0])
            assert counted.count > self.WARM[self.PATHS[0]]
        finally:
            with worker.app_context():
                _db.engine.dispose()
