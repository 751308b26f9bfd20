"""Live servers for tests and benchmarks: gunicorn on a loopback port (``Gunicorn``),
the test suite's server on the test database (``LiveServer``), and the several-servers
shape as deploy/cluster.sh starts it (``ClusterScript``). The one place that starts and
stops them, so every such server has the same flags and the same clean stop."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import redis
import requests

from eventsapp.config import TestConfig

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CLUSTER_SCRIPT = PROJECT_ROOT / "deploy" / "cluster.sh"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn serving ``app`` on 127.0.0.1, up (answering ``ready_path``) when built.

    --no-control-socket: several servers on one machine do not fight over one control
    socket. PYTHONFAULTHANDLER: a worker that crashes (SIGSEGV) leaves a traceback.
    A session of its own, so that the last resort of stop() reaches this server's
    workers and nothing else."""

    def __init__(self, app: str, env: dict[str, str], options: Sequence[str] = (),
                 port: int = 0, log_path: Path | None = None, ready_path: str = "/healthz",
                 timeout: float = 60.0):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "wb") if log_path else None  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "--no-control-socket", *options,
             "--bind", f"127.0.0.1:{self.port}", app],
            cwd=PROJECT_ROOT,
            env={**os.environ, "EVENTSAPP_BASE_URL": self.url, **env, "PYTHONFAULTHANDLER": "1"},
            stdout=self._log, stderr=subprocess.STDOUT if self._log else None,
            start_new_session=True,
        )
        self._wait_until_up(ready_path, timeout)

    def _wait_until_up(self, path: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"gunicorn exited: {self.log()[-3000:]}")
            try:
                # A 5xx (e.g. /healthz before the database answers) is not up yet.
                if requests.get(self.url + path, timeout=5).status_code < 500:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer on {self.url} within {timeout:.0f} s: "
                           f"{self.log()[-3000:]}")

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)],  # noqa: S603, S607
                             capture_output=True, text=True, check=False).stdout
        return [int(pid) for pid in out.split()]

    def stop(self) -> None:
        """SIGTERM to this server's master, which stops its workers; SIGKILL to its
        process group if it has not ended within 20 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self._log and not self._log.closed:
            self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""


class LiveServer(Gunicorn):
    """The test database served by several worker processes and threads, for tests that
    need real parallel requests."""

    def __init__(self, database_uri: str, log_path: Path, workers: int = 4, threads: int = 4,
                 extra_env: dict[str, str] | None = None):
        env = {
            "DATABASE_URL": database_uri,
            "SECRET_KEY": TestConfig.SECRET_KEY,  # the tests can then rebuild private links
            "SESSION_COOKIE_SECURE": "0",
            "REGISTRATION_RATE_LIMIT": "100000 per minute",
            **(extra_env or {}),
        }
        super().__init__("eventsapp:create_app()", env, [
            "--workers", str(workers), "--threads", str(threads),
            "--worker-class", "gthread", "--timeout", "60",
            # Long keep-alive: a client waits at the barrier between its GET and
            # its POST, and must not find its connection closed under it.
            "--keep-alive", "120",
        ], log_path=log_path)


class ClusterScript:
    """deploy/cluster.sh as `make cluster` runs it (nginx in front of two gunicorn app
    servers, which it starts with the same two flags as Gunicorn, and an outbox worker),
    on the given ports, in ``run_dir``, on PostgreSQL database ``database`` of the server
    at ``postgres`` (a libpq URL without the database). The content cache lives in Redis
    under keys of this run only; stop() removes them."""

    def __init__(self, port: int, app_ports: list[int], run_dir: Path, database: str,
                 postgres: str, settings: dict[str, str]):
        self.port, self.app_ports, self.run_dir = port, app_ports, run_dir
        self.url = f"http://127.0.0.1:{port}"
        self.cache_redis_url = os.environ.get("CACHE_REDIS_URL", "redis://127.0.0.1:6379/1")
        self.cache_prefix = f"{database}:"
        self.env = {
            **os.environ,
            "CLUSTER_PORT": str(port),
            "CLUSTER_APP_PORTS": " ".join(map(str, app_ports)),
            "CLUSTER_DATABASE": database,
            "CLUSTER_POSTGRES": postgres,
            "CLUSTER_DIR": str(run_dir),
            "CLUSTER_DEMO": "0",
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": self.cache_redis_url,
            "CACHE_KEY_PREFIX": self.cache_prefix,
            **settings,
        }
        # The script's own: its database, its address, the default limits and mail.
        for setting in ("DATABASE_URL", "EVENTSAPP_BASE_URL", "REGISTRATION_RATE_LIMIT"):
            self.env.pop(setting, None)
        if "MAIL_SERVER" not in settings:
            self.env.pop("MAIL_SERVER", None)

    def start(self) -> subprocess.CompletedProcess:
        """Start and wait for every server to answer; the caller reads the outcome."""
        return subprocess.run([str(CLUSTER_SCRIPT), "start"], env=self.env,  # noqa: S603
                              capture_output=True, text=True, timeout=600, check=False)

    def stop(self) -> None:
        """Stop each process by the PID the script wrote, and remove this run's keys."""
        subprocess.run([str(CLUSTER_SCRIPT), "stop"], env=self.env,  # noqa: S603
                       capture_output=True, timeout=120, check=False)
        try:
            with redis.Redis.from_url(self.cache_redis_url) as store:
                keys = list(store.scan_iter(match=f"{self.cache_prefix}*"))
                if keys:
                    store.delete(*keys)
        except redis.ConnectionError:
            pass  # no Redis: the start failed for that, and there is nothing to remove

    def pid(self, name: str) -> int:
        return int((self.run_dir / f"{name}.pid").read_text())

    def log(self) -> str:
        tails = []
        for path in sorted(self.run_dir.glob("*.log")):
            tails.append(f"== {path.name}\n{path.read_text(errors='replace')[-1500:]}")
        return "\n".join(tails)


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def fire_together(jobs: list[Callable[[threading.Barrier], object]]) -> list[object]:
    """Run every job in its own thread; each waits on the barrier before its request,
    so the requests reach the server together. Returns results in job order."""
    barrier = threading.Barrier(len(jobs), timeout=60)
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = [pool.submit(job, barrier) for job in jobs]
        return [future.result(timeout=120) for future in futures]


def log_in(http, server, email: str, **kwargs) -> requests.Response:
    """Log ``http`` (a requests session) in through the real form."""
    from tests.support import PASSWORD

    login_page = http.get(f"{server.url}/login", timeout=30)
    return http.post(f"{server.url}/login", timeout=30, **kwargs, data={
        "csrf_token": csrf_token(login_page.text), "email": email, "password": PASSWORD})


def registration_form(n: int, token: str) -> dict[str, str]:
    """Delegate ``n``'s answers to a visit's registration form."""
    return {
        "csrf_token": token,
        "full_name": f"Delegate {n}",
        "email": f"delegate{n}@example.org",
        "organisation": "Department for Culture",
        "organisation_type": "government",
        "privacy_accepted": "y",
    }


def register_job(server, slug: str, n: int, session=requests.Session):
    """A delegate who opens the registration form, waits at the barrier and registers:
    one racer of the capacity tests (``session`` makes its HTTP client)."""

    def job(barrier):
        with session() as http:
            form = http.get(f"{server.url}/visits/{slug}/register", timeout=30)
            token = csrf_token(form.text)
            barrier.wait()
            return http.post(f"{server.url}/visits/{slug}/register", timeout=60,
                             data=registration_form(n, token))
    return job


def booking_job(server, email: str, slot_id: int, n: int, session=requests.Session):
    """A member who logs in, opens a slot's booking form, waits at the barrier and
    books: one racer of the double-booking tests (``session`` makes its HTTP client)."""

    def job(barrier):
        with session() as http:
            logged_in = log_in(http, server, email)
            assert logged_in.ok, logged_in.text[-500:]
            form = http.get(f"{server.url}/member/slots/{slot_id}/book", timeout=30)
            assert form.status_code == 200, form.text[-1000:]
            barrier.wait()
            return http.post(f"{server.url}/member/slots/{slot_id}/book", timeout=60, data={
                "csrf_token": csrf_token(form.text),
                "title": f"Showreel {n}",
                "description": "Two minutes of our latest animation work.",
                "format": "screening",
                "equipment": ["power", "screen"],
                "people": f"Presenter {n}",
            })
    return job
