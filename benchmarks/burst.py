"""A burst of registrations: 2,000 people register at once for 1,500 places.

    python -m benchmarks.burst                      # SQLite and PostgreSQL
    python -m benchmarks.burst --databases postgresql --port 8200

For each database: a fresh database is migrated and filled (benchmarks.dataset, its
300 items and 3 questions, no registrations), the visit is given 1,500 places and a
waiting list, and eventsapp is served by gunicorn with 2 sync workers (--workers) as
in benchmarks.run. 100 client threads each read the form once (its CSRF token and cookie),
wait for the others, then post the whole form with a new address until
2,000 registrations have been sent. Reported: errors (anything but the redirect to
the private page), the confirmed and waiting registrations read from the database
afterwards (exactly 1,500 and 500), p50 and p99 of one POST and requests per second
over the burst. Target: p99 within 1 s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

from benchmarks.run import BIN, RESULTS, ROOT, USER_AGENT, Database, Server, _csrf

REGISTRATIONS = 2000
CLIENTS = 100
PLACES = 1500
P99_TARGET_MS = 1000  # on PostgreSQL
WORKERS = 2  # sync workers, as `make serve` and deploy/ run them (--workers to try others)


@dataclass
class Burst:
    database: str
    registrations: int
    clients: int
    places: int
    errors: int
    confirmed: int
    waiting: int
    p50_ms: float
    p99_ms: float
    rps: float
    workers: int = WORKERS
    load: str = ""  # the machine's load average (1, 5, 15 min) at the end of the burst

    @property
    def right(self) -> bool:
        return (self.errors == 0 and self.confirmed == self.places
                and self.waiting == self.registrations - self.places)


def run_burst(kind: str, port: int = 0, registrations: int = REGISTRATIONS,
              clients: int = CLIENTS, places: int = PLACES, workers: int = WORKERS) -> Burst:
    workdir = Path(tempfile.mkdtemp(prefix=f"eventsapp-burst-{kind}-"))
    database = Database(kind, workdir)
    secret = secrets.token_hex(32)
    env = {"SECRET_KEY": secret, "DATABASE_URL": database.url, "FLASK_APP": "eventsapp",
           "SESSION_COOKIE_SECURE": "0", "REGISTRATION_RATE_LIMIT": "1000000 per minute",
           "FLASK_DEBUG": "0"}
    server = None
    try:
        print(f"== burst on {kind}: migrating and building the data set", flush=True)
        subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, check=True,  # noqa: S603
                       env={**os.environ, **env}, capture_output=True)
        info_path = workdir / "info.json"
        subprocess.run([sys.executable, "-m", "benchmarks.dataset", "--database-url",  # noqa: S603
                        database.url, "--out", str(info_path), "--secret-key", secret,
                        "--registrations", "0"],
                       cwd=ROOT, check=True, env={**os.environ, **env})
        info = json.loads(info_path.read_text())
        engine = create_engine(database.url)
        with engine.begin() as conn:
            conn.execute(text("UPDATE visits SET capacity = :places, waitlist_enabled = TRUE, "
                              "content_version = content_version + 1 WHERE id = :id"),
                         {"places": places, "id": info["visit_id"]})
        server = Server("eventsapp:create_app()", env, workers=workers, port=port)
        latencies, errors, elapsed = _load(server.url, info, registrations, clients)
        with engine.connect() as conn:
            counts = dict(conn.execute(text(
                "SELECT status, count(*) FROM registrations WHERE visit_id = :id "
                "GROUP BY status"), {"id": info["visit_id"]}).all())
        engine.dispose()
        latencies.sort()
        return Burst(kind, registrations, clients, places, errors,
                     counts.get("confirmed", 0), counts.get("waitlisted", 0),
                     round(statistics.median(latencies), 1) if latencies else 0.0,
                     round(latencies[max(int(len(latencies) * 0.99) - 1, 0)], 1)
                     if latencies else 0.0,
                     round(registrations / elapsed, 1), workers,
                     " ".join(f"{n:.2f}" for n in os.getloadavg()))
    finally:
        if server is not None:
            server.stop()
        database.drop()
        shutil.rmtree(workdir, ignore_errors=True)


def _load(url: str, info: dict, registrations: int, clients: int
          ) -> tuple[list[float], int, float]:
    """Every client reads the form, then all post at once; (latencies in ms, errors,
    seconds from the first POST to the last answer)."""
    path = f"{url}/visits/{info['slug']}/register"
    answers = {"single_choice": "All three days", "yes_no": "yes",
               "short_text": "The games studios"}
    fields = {
        "full_name": "Burst Delegate", "organisation": "Department for Bursts",
        "job_title": "Policy adviser", "organisation_type": "government",
        "dietary": "Vegetarian", "consent_photography": "y", "privacy_accepted": "y",
        "website": "", **{f"q_{q['id']}": answers[q["kind"]] for q in info["questions"]},
    }
    emails: queue.SimpleQueue[str] = queue.SimpleQueue()
    run = secrets.token_hex(3)
    for n in range(registrations):
        emails.put(f"burst-{run}-{n}@load.example")
    ready = threading.Barrier(clients + 1)
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
        try:
            token = _csrf(session.get(path, timeout=60).text)
        finally:
            ready.wait()
        mine, wrong = [], []
        while True:
            try:
                email = emails.get_nowait()
            except queue.Empty:
                break
            started = time.perf_counter()
            try:
                answer = session.post(path, data={**fields, "csrf_token": token, "email": email},
                                      allow_redirects=False, timeout=60)
                if answer.status_code != 303:
                    wrong.append(f"{email}: {answer.status_code}")
            except requests.RequestException as exc:
                wrong.append(f"{email}: {exc}")
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)
            failures.extend(wrong)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    for failure in failures[:5]:
        print("   error:", failure, flush=True)
    return latencies, len(failures), elapsed


def markdown(bursts: list[Burst]) -> str:
    lines = [
        f"**Registration burst**: {bursts[0].registrations:,} registrations from "
        f"{bursts[0].clients} concurrent clients for {bursts[0].places:,} places with a "
        f"waiting list; gunicorn {bursts[0].workers} sync workers.",
        "",
        "| database | errors | confirmed | waiting | p50 ms | p99 ms | req/s | load average "
        "| verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for burst in bursts:
        verdict = "right" if burst.right else "WRONG"
        if burst.database == "postgresql":
            verdict += (", p99 ≤ 1 s met" if burst.p99_ms <= P99_TARGET_MS
                        else ", p99 ≤ 1 s MISSED")
        lines.append(f"| {burst.database} | {burst.errors} | {burst.confirmed} | "
                     f"{burst.waiting} | {burst.p50_ms} | {burst.p99_ms} | {burst.rps} | "
                     f"{burst.load} | {verdict} |")
    return "\n".join(lines) + "\n"


def run(kinds: list[str], port: int = 0, workers: int = WORKERS) -> str:
    bursts = []
    for kind in kinds:
        burst = run_burst(kind, port, workers=workers)
        print(json.dumps(asdict(burst)), flush=True)
        bursts.append(burst)
    text_ = markdown(bursts)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "burst.md").write_text(text_)
    return text_


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (0: any free one)")
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn sync workers")
    args = parser.parse_args()
    report = run(args.databases.split(","), args.port, args.workers)
    print("\n" + report, flush=True)
    if "WRONG" in report:
        sys.exit(1)


if __name__ == "__main__":
    main()
