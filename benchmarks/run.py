"""Run the benchmark suite: each endpoint against its floor, in the same run.

    python -m benchmarks.run                      # SQLite and PostgreSQL
    python -m benchmarks.run --databases sqlite --duration 10 --update-readme
    python -m benchmarks.run --only cluster --update-readme   # benchmarks.cluster alone

For each database: a fresh database is migrated and filled (benchmarks.dataset),
eventsapp and the floor app (benchmarks.floor) are served by gunicorn with the same
settings (2 sync workers, debug off, 127.0.0.1), and wrk loads each endpoint and its
floor for --duration seconds with 16 connections, after a short warm-up. Each endpoint
is reported as a ratio of requests per second to its floor's. Results go to
benchmarks/results/ (Markdown and JSON); --update-readme copies the table into the
README between its bench markers.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import requests

from tests.live_server import Gunicorn

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "benchmarks" / "lua"
RESULTS = ROOT / "benchmarks" / "results"
README = ROOT / "README.md"
USER_AGENT = "eventsapp-bench/1"
PG_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BIN = Path(sys.executable).parent


@dataclass
class Load:
    rps: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    requests: int = 0
    errors: int = 0  # socket errors plus responses other than 2xx/3xx


@dataclass
class Row:
    name: str
    target: float | None
    size: int
    app: Load
    floor: Load
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.app.rps / self.floor.rps if self.floor.rps else 0.0

    @property
    def verdict(self) -> str:
        if self.target is None:
            return ""
        return "met" if self.ratio >= self.target else "MISSED"


@dataclass
class Report:
    database: str
    started: str
    duration: int
    connections: int
    rows: list[Row] = field(default_factory=list)
    checks: dict[str, str] = field(default_factory=dict)


# --- processes --------------------------------------------------------------------------------


class Server(Gunicorn):
    """gunicorn with 2 sync workers, as `make serve` runs in production."""

    def __init__(self, app: str, env: dict[str, str], workers: int = 2, port: int = 0):
        super().__init__(app, env, ["--workers", str(workers), "--worker-class", "sync",
                                    "--log-level", "warning", "--backlog", "2048"],
                         port=port, ready_path="/", timeout=30)

    def worker_rss_mb(self) -> list[float]:
        sizes = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            kb = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))
            sizes.append(round(kb / 1024, 1))
        return sizes


def wrk(url: str, duration: int, connections: int, headers: dict[str, str] | None = None,
        script: Path | None = None, env: dict[str, str] | None = None,
        timeout: int = 10) -> Load:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout",
               f"{timeout}s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", str(script)]
    command.append(url)
    # Each run posts new addresses (the POST script numbers them per run).
    env = {**os.environ, **(env or {}), "BENCH_RUN": secrets.token_hex(4)}
    out = subprocess.run(command, capture_output=True, text=True, check=True,  # noqa: S603
                         env=env).stdout
    return parse_wrk(out)


def _ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(out: str) -> Load:
    load = Load()
    load.rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    load.requests = int(re.search(r"(\d+) requests in", out).group(1))
    if match := re.search(r"^\s+50%\s+(\S+)", out, re.M):
        load.p50_ms = _ms(match.group(1))
    if match := re.search(r"^\s+99%\s+(\S+)", out, re.M):
        load.p99_ms = _ms(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                          out):
        load.errors += sum(int(n) for n in match.groups())
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        load.errors += int(match.group(1))
    return load


# --- the databases ----------------------------------------------------------------------------


class Database:
    def __init__(self, kind: str, workdir: Path):
        self.kind = kind
        if kind == "sqlite":
            self.url = f"sqlite:///{workdir / 'bench.sqlite3'}"
            self.floor_url = f"sqlite:///{workdir / 'floor.sqlite3'}"
            self._drop = None
            return
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        admin_url = make_url(PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://"))
        name = f"eventsapp_bench_{os.getpid()}"
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.url = admin_url.set(database=name).render_as_string(hide_password=False)
        self.floor_url = self.url

        def drop() -> None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

        self._drop = drop

    def count_registrations(self) -> int:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url)
        with engine.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM registrations")).scalar_one()
        engine.dispose()
        return count

    def drop(self) -> None:
        if self._drop:
            self._drop()


# --- the run ----------------------------------------------------------------------------------


def _session(server: Server) -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def _login(server: Server, email: str, password: str) -> str:
    session = _session(server)
    page = session.get(server.url + "/login")
    answer = session.post(server.url + "/login", allow_redirects=False, data={
        "csrf_token": _csrf(page.text), "email": email, "password": password})
    if answer.status_code != 303 and answer.status_code != 302:
        raise RuntimeError(f"could not log in as {email}: {answer.status_code}")
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def _registration_body(server: Server, info: dict) -> tuple[str, str]:
    """The whole registration form, as a browser would post it, with {EMAIL} to fill."""
    session = _session(server)
    page = session.get(f"{server.url}/visits/{info['slug']}/register")
    fields = {
        "csrf_token": _csrf(page.text), "full_name": "Bench Delegate", "email": "{EMAIL}",
        "organisation": "Department for Benchmarks", "job_title": "Policy adviser",
        "organisation_type": "government", "dietary": "Vegetarian",
        "access_needs": "Step-free route, please", "consent_photography": "y",
        "consent_share": "y", "privacy_accepted": "y", "website": "",
    }
    answers = {"single_choice": "All three days", "yes_no": "yes",
               "short_text": "The games studios"}
    for question in info["questions"]:
        fields[f"q_{question['id']}"] = answers[question["kind"]]
    body = urlencode(fields).replace("%7BEMAIL%7D", "{EMAIL}")
    return body, "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def cold_build_ms(db_url: str, secret: str, slug: str) -> dict[str, float]:
    """The agenda.ics of 300 items built from nothing (cache emptied), in this process."""
    from eventsapp import create_app
    from eventsapp.calendar import feeds as calendar

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SECRET_KEY": secret})
    times = []
    with app.app_context():
        for _ in range(12):
            getattr(calendar, "clear_cache", lambda: None)()
            started = time.perf_counter()
            calendar.visit_feed(slug, "http://bench.example")
            times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        for _ in range(50):
            calendar.visit_feed(slug, "http://bench.example")
        cached = (time.perf_counter() - started) * 1000 / 50
    return {"cold_median_ms": round(statistics.median(times[2:]), 1),
            "cached_ms": round(cached, 2)}


def run_database(kind: str, duration: int, connections: int, only: set[str]) -> Report:
    workdir = Path(tempfile.mkdtemp(prefix=f"eventsapp-bench-{kind}-"))
    report = Report(kind, datetime.now(UTC).isoformat(timespec="seconds"), duration, connections)
    database = Database(kind, workdir)
    secret = secrets.token_hex(32)
    env = {"SECRET_KEY": secret, "DATABASE_URL": database.url, "FLASK_APP": "eventsapp",
           "SESSION_COOKIE_SECURE": "0", "REGISTRATION_RATE_LIMIT": "1000000 per minute",
           "FLASK_DEBUG": "0"}
    env.pop("MAIL_SERVER", None)
    servers: list[Server] = []
    try:
        print(f"== {kind}: migrating and building the data set", flush=True)
        subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, check=True,  # noqa: S603
                       env={**os.environ, **env}, capture_output=True)
        info_path = workdir / "info.json"
        subprocess.run([sys.executable, "-m", "benchmarks.dataset", "--database-url",  # noqa: S603
                        database.url, "--out", str(info_path), "--secret-key", secret],
                       cwd=ROOT, check=True, env={**os.environ, **env})
        info = json.loads(info_path.read_text())
        report.checks["cold build of agenda.ics (300 items)"] = json.dumps(
            cold_build_ms(database.url, secret, info["slug"]))

        app = Server("eventsapp:create_app()", env)
        servers.append(app)
        from benchmarks.floor import prepare

        prepare(database.floor_url)
        floor = Server("benchmarks.floor:create_app()",
                       {"FLOOR_DATABASE_URL": database.floor_url})
        servers.append(floor)

        slug = info["slug"]
        organiser_cookie = _login(app, info["organiser"]["email"], info["organiser"]["password"])
        member_cookie = _login(app, info["member"]["email"], info["member"]["password"])
        paths_file = workdir / "feeds.txt"
        paths_file.write_text("".join(f"/feeds/{t}.ics\n" for t in info["feed_tokens"]))
        etag = requests.get(f"{app.url}/visits/{slug}/agenda.ics", timeout=30).headers["ETag"]
        body, form_cookie = _registration_body(app, info)
        body_file = workdir / "registration.txt"
        body_file.write_text(body)

        # The CSV as single requests, while the visit has its 2,000 registrations.
        csv_times = []
        cookie = {"Cookie": organiser_cookie, "User-Agent": USER_AGENT}
        for _ in range(12):
            started = time.perf_counter()
            answer = requests.get(f"{app.url}/organiser/visits/{slug}/registrations.csv",
                                  headers=cookie, timeout=60)
            csv_times.append((time.perf_counter() - started) * 1000)
        rows = answer.text.count("\n") - 1
        report.checks["registrations CSV, one request (ms)"] = (
            f"median {statistics.median(csv_times[2:]):.0f}, max {max(csv_times[2:]):.0f} "
            f"({rows} rows, {len(answer.content)} bytes)")
        endpoints = [
            ("visit page (HTML)", 0.3, f"/visits/{slug}/", {}, None, {}),
            ("agenda.ics", 0.4, f"/visits/{slug}/agenda.ics", {}, None, {}),
            ("agenda.json", 0.4, f"/visits/{slug}/agenda.json", {}, None, {}),
            ("personal feeds (500, rotating)", 0.4, paths_file.read_text().split()[0], {},
             LUA / "paths.lua", {"BENCH_PATHS": str(paths_file)}),
            ("agenda.ics conditional GET (304)", 0.5, f"/visits/{slug}/agenda.ics",
             {"If-None-Match": etag}, None, {}),
            ("organiser registrations page", None, f"/organiser/visits/{slug}/registrations",
             {"Cookie": organiser_cookie, "User-Agent": USER_AGENT}, None, {}),
            ("registrations CSV (2,000)", None, f"/organiser/visits/{slug}/registrations.csv",
             {"Cookie": organiser_cookie, "User-Agent": USER_AGENT}, None, {}),
            ("member booking page", None, f"/member/showcases/{info['showcase_id']}",
             {"Cookie": member_cookie, "User-Agent": USER_AGENT}, None, {}),
            # Last: it adds registrations, and the pages above are measured with 2,000.
            ("registration POST", None, f"/visits/{slug}/register",
             {"Cookie": form_cookie, "User-Agent": USER_AGENT}, LUA / "post_form.lua",
             {"BENCH_BODY": str(body_file)}),
        ]
        for name, target, path, headers, script, script_env in endpoints:
            if only and not any(word in name for word in only):
                continue
            post = script is not None and script.name == "post_form.lua"
            if post:
                size = 0
                floor_path, floor_script = "/insert", script
                floor_env = script_env
            else:
                probe = requests.get(app.url + path, headers=headers, timeout=60,
                                     allow_redirects=False)
                if probe.status_code not in (200, 304):
                    raise RuntimeError(f"{name}: {path} answered {probe.status_code}")
                size = len(probe.content)
                floor_path = "/not-modified" if probe.status_code == 304 else f"/bytes/{size}"
                floor_script, floor_env = None, {}
            print(f"-- {name}: {size} bytes", flush=True)
            warm = max(2, duration // 5)
            wrk(floor.url + floor_path, warm, connections, script=floor_script, env=floor_env)
            floor_load = wrk(floor.url + floor_path, duration, connections,
                             script=floor_script, env=floor_env)
            wrk(app.url + path, warm, connections, headers, script, script_env)
            if post:
                before = database.count_registrations()
            app_load = wrk(app.url + path, duration, connections, headers, script, script_env)
            row = Row(name, target, size, app_load, floor_load)
            if post:
                time.sleep(1)
                stored = database.count_registrations() - before
                row.note = (f"{stored} registrations stored for {app_load.requests} "
                            "answered requests")
                if stored < app_load.requests - app_load.errors:
                    row.note += " (MISSING ROWS)"
            report.rows.append(row)
            print(f"   app {app_load.rps:.0f}/s, floor {floor_load.rps:.0f}/s, "
                  f"ratio {row.ratio:.2f}, p50 {app_load.p50_ms:.1f} ms, p99 "
                  f"{app_load.p99_ms:.1f} ms, errors {app_load.errors}", flush=True)

        report.checks["worker resident memory after the run (MB)"] = ", ".join(
            str(mb) for mb in app.worker_rss_mb())
        return report
    finally:
        for server in servers:
            server.stop()
        database.drop()
        shutil.rmtree(workdir, ignore_errors=True)


# --- output -----------------------------------------------------------------------------------


def markdown(report: Report) -> str:
    lines = [
        f"**{report.database}**, {report.started}: gunicorn 2 sync workers, wrk "
        f"{report.connections} connections, {report.duration} s per endpoint.",
        "",
        "| endpoint | bytes | eventsapp req/s | floor req/s | ratio | target | p50 ms | "
        "p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in report.rows:
        target = f"≥ {row.target} {row.verdict}" if row.target is not None else ""
        lines.append(
            f"| {row.name} | {row.size} | {row.app.rps:.0f} | {row.floor.rps:.0f} | "
            f"{row.ratio:.2f} | {target} | {row.app.p50_ms:.1f} | {row.app.p99_ms:.1f} | "
            f"{row.app.errors} |")
    lines.append("")
    for row in report.rows:
        if row.note:
            lines.append(f"- {row.name}: {row.note}")
    for name, value in report.checks.items():
        lines.append(f"- {name}: {value}")
    return "\n".join(lines) + "\n"


def update_readme(text: str, marker: str = "bench") -> None:
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    readme = README.read_text()
    if start not in readme:
        return
    head, rest = readme.split(start, 1)
    _, tail = rest.split(end, 1)
    README.write_text(f"{head}{start}\n{text}{end}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser(description="eventsapp benchmarks (see module doc)")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--only", default="",
                        help="comma-separated words of endpoint names; 'cost' or 'cluster' "
                             "runs only that part")
    parser.add_argument("--update-readme", action="store_true")
    parser.add_argument("--cost-sizes", default="2000,10000",
                        help="registrations for benchmarks.cost on PostgreSQL ('' skips it)")
    parser.add_argument("--cluster-ports", default=os.environ.get("BENCH_CLUSTER_PORTS", ""),
                        help='benchmarks.cluster: "nginx app1 app2" (free ports if unset)')
    parser.add_argument("--cluster-rounds", type=int, default=3)
    parser.add_argument("--feeds-duration", type=int, default=60,
                        help="benchmarks.cluster: seconds of the personal feeds' storm")
    parser.add_argument("--no-burst", action="store_true",
                        help="skip benchmarks.burst (2,000 registrations at once)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (make bench installs it: apt-get install wrk)")
    only = {word for word in args.only.split(",") if word}
    RESULTS.mkdir(parents=True, exist_ok=True)
    texts = []
    parts = {"cost", "cluster", "burst"}
    endpoints = not only or not only <= parts
    for kind in args.databases.split(",") if endpoints else []:
        report = run_database(kind, args.duration, args.connections, only)
        text = markdown(report)
        texts.append(text)
        print("\n" + text, flush=True)
        stamp = report.started.replace(":", "")
        (RESULTS / f"{stamp}-{kind}.md").write_text(text)
        (RESULTS / f"{stamp}-{kind}.json").write_text(json.dumps(
            asdict(report) | {"ratios": {r.name: round(r.ratio, 3) for r in report.rows}},
            indent=1))
    if "postgresql" in args.databases and args.cost_sizes and (not only or "cost" in only):
        from benchmarks import cost

        texts.append(cost.run([int(n) for n in args.cost_sizes.split(",")], 20))
        print("\n" + texts[-1], flush=True)
    if not args.no_burst and (not only or "burst" in only):
        from benchmarks import burst

        texts.append(burst.run(args.databases.split(",")))
        print("\n" + texts[-1], flush=True)
    if endpoints:
        (RESULTS / "latest.md").write_text("\n".join(texts))
    if args.update_readme and not only:
        update_readme("\n".join(texts))
    if not only or "cluster" in only:
        from benchmarks import cluster

        print("\n" + cluster.run(args.duration, args.cluster_rounds, args.feeds_duration,
                                 args.cluster_ports, args.update_readme), flush=True)


if __name__ == "__main__":
    main()
