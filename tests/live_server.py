"""A real server (gunicorn, several worker processes and threads) on a loopback port,
serving the test database, for tests that need real parallel requests."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from eventsapp.config import TestConfig

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    def __init__(self, database_uri: str, log_path: Path, workers: int = 4, threads: int = 4,
                 extra_env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.update(
            DATABASE_URL=database_uri,
            SECRET_KEY=TestConfig.SECRET_KEY,  # the tests can then rebuild private links
            SESSION_COOKIE_SECURE="0",
            EVENTSAPP_BASE_URL=self.url,
            REGISTRATION_RATE_LIMIT="100000 per minute",
        )
        env.update(extra_env or {})
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "--no-control-socket",
                "--workers", str(workers), "--threads", str(threads),
                "--worker-class", "gthread", "--timeout", "60",
                # Long keep-alive: a client waits at the barrier between its GET and
                # its POST, and must not find its connection closed under it.
                "--keep-alive", "120",
                "--bind", f"127.0.0.1:{self.port}", "eventsapp:create_app()",
            ],
            cwd=PROJECT_ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
        )
        self._wait_until_up()

    def _wait_until_up(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._log.close()
                raise RuntimeError(f"gunicorn exited: {self.log_path.read_text()[-3000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


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
