"""The several-servers shape under load: nginx in front of two gunicorn app servers
(2 sync workers each) on one PostgreSQL database and Redis, started by deploy/cluster.sh
exactly as `make cluster` starts it, on a database and in a directory of its own.

    python -m benchmarks.cluster                       # or: python -m benchmarks.run --only cluster
    python -m benchmarks.cluster --duration 10 --rounds 3 --feeds-duration 60 \\
        --ports "8270 8271 8272" --update-readme

1. The public agenda.ics through nginx, answered from its warm proxy_cache, against the
   same bytes sent by the same nginx as a static file (another location): target ≥ 0.8.
2. The same calendar through nginx with caching off, to one app server, against that
   server on its own port: what the proxy itself costs. And through nginx with caching
   off to both servers, as requests/s only.
3. 2,000 personal feeds (one per registration of the data set, benchmarks.dataset
   --feeds 2000), polled through nginx by 200 connections for 60 s, each request for a
   feed at random, each waiting up to 60 s for its answer (as nginx waits for an app
   server): requests/s, p50/p99, errors, and the CPU time each app server (its gunicorn
   master and workers) and nginx used, read from /proc/<pid>/stat.

Measurements 1 and 2 run --rounds times, interleaved, with 16 connections and a
warm-up before each; the round with the median requests/s is reported. Results go to
benchmarks/results/cluster.md and .json; --update-readme copies the table into the
README between its bench-cluster markers. The database (on BENCH_POSTGRES_URL's
server), the run's directory and its keys in Redis are removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
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

import requests
from sqlalchemy.engine import make_url

from benchmarks.run import (
    LUA,
    PG_ADMIN_URL,
    RESULTS,
    ROOT,
    USER_AGENT,
    Database,
    Load,
    update_readme,
    wrk,
)
from tests.live_server import ClusterScript, free_port

FEEDS = 2000
FEED_CONNECTIONS = 200
FEED_TIMEOUT = 60
CONNECTIONS = 16
STATIC_TARGET = 0.8
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Pair:
    name: str
    size: int
    load: Load
    reference_name: str = ""
    reference: Load | None = None
    target: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.reference is None or not self.reference.rps:
            return None
        return self.load.rps / self.reference.rps


@dataclass
class Cpu:
    name: str
    seconds: float
    share_of_a_core: float
    requests: int | None = None
    note: str = ""


@dataclass
class Report:
    started: str
    duration: int
    rounds: int
    feeds_duration: int
    cores: int
    load_before: str
    load_after: str = ""
    rows: list[Pair] = field(default_factory=list)
    cpu: list[Cpu] = field(default_factory=list)
    checks: dict[str, str] = field(default_factory=dict)


class Cluster(ClusterScript):
    """deploy/cluster.sh on the given ports, in `directory`, on `database`, with the
    benchmark's own locations in nginx."""

    def __init__(self, directory: Path, ports: list[int], database: Database, secret: str):
        super().__init__(ports[0], ports[1:], directory, make_url(database.url).database,
                         PG_ADMIN_URL.rsplit("/", 1)[0], {
                             "SECRET_KEY": secret,
                             "FLASK_DEBUG": "0",
                             "CALENDAR_MAX_AGE": "300",  # the default: longer than any run
                         })
        self.dir = directory

    def start(self) -> None:
        # Extra locations beside the app's (deploy/nginx/eventsapp.conf includes server.d).
        (self.dir / "server.d").mkdir(parents=True, exist_ok=True)
        (self.dir / "bench").mkdir(exist_ok=True)
        (self.dir / "server.d" / "bench.conf").write_text(f"""\
location = /bench/static/agenda.ics {{
    alias {self.dir}/bench/agenda.ics;
    default_type text/calendar;
}}
location /bench/uncached/ {{ proxy_cache off; proxy_pass http://eventsapp/; }}
location /bench/one-server/ {{ proxy_cache off; proxy_pass http://127.0.0.1:{self.app_ports[0]}/; }}
""")
        started = super().start()
        if started.returncode != 0:
            raise RuntimeError(f"deploy/cluster.sh start failed:\n{started.stdout}\n"
                               f"{started.stderr}")

    def processes(self, name: str) -> list[int]:
        """A PID file's process and its children (gunicorn's workers, nginx's)."""
        master = self.pid(name)
        out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True,  # noqa: S603, S607
                             text=True, check=False).stdout
        return [master, *(int(pid) for pid in out.split())]

    def feed_requests(self, port: int) -> int:
        log = self.dir / f"app-{port}-access.log"
        return sum('"GET /feeds/' in line for line in log.read_text().splitlines())


def cpu_ticks(pids: list[int]) -> dict[int, int]:
    """User and system time of each process still alive, in clock ticks."""
    ticks = {}
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after the command name, from field 3
        ticks[pid] = int(fields[11]) + int(fields[12])  # utime, stime
    return ticks


def fetch(url: str, **headers: str) -> requests.Response:
    response = requests.get(url, headers={"User-Agent": USER_AGENT, **headers}, timeout=60)
    response.raise_for_status()
    return response


def median_load(loads: list[Load]) -> Load:
    return sorted(loads, key=lambda load: load.rps)[len(loads) // 2]


def measure(url: str, duration: int, connections: int = CONNECTIONS, **options) -> Load:
    wrk(url, max(2, duration // 5), connections, **options)  # warm-up
    return wrk(url, duration, connections, **options)


def run_cluster(workdir: Path, ports: list[int], duration: int, rounds: int,
                feeds_duration: int) -> Report:
    report = Report(datetime.now(UTC).isoformat(timespec="seconds"), duration, rounds,
                    feeds_duration, os.cpu_count() or 0, _loadavg())
    database = Database("postgresql", workdir)
    secret = secrets.token_hex(32)
    cluster = Cluster(workdir / "cluster", ports, database, secret)
    try:
        print(f"== cluster: nginx on {cluster.url}, app servers on {cluster.app_ports}",
              flush=True)
        cluster.start()
        info_path = workdir / "info.json"
        subprocess.run([sys.executable, "-m", "benchmarks.dataset", "--database-url",  # noqa: S603
                        database.url, "--out", str(info_path), "--secret-key", secret,
                        "--feeds", str(FEEDS)],
                       cwd=ROOT, check=True, env={**cluster.env, "DATABASE_URL": database.url,
                                                  "RATELIMIT_ENABLED": "0"})  # serves nothing
        info = json.loads(info_path.read_text())
        slug = info["slug"]
        path = f"/visits/{slug}/agenda.ics"

        # What each route answers: the same bytes, from where each one says.
        body = fetch(cluster.url + path).content
        cached = fetch(cluster.url + path)
        if cached.headers.get("X-Cache-Status") != "HIT" or cached.content != body:
            raise RuntimeError(f"agenda.ics is not a HIT in nginx's cache: {cached.headers}")
        (cluster.dir / "bench" / "agenda.ics").write_bytes(body)
        routes = {
            "cached": cluster.url + path,
            "static": cluster.url + "/bench/static/agenda.ics",
            "nginx, one server": cluster.url + "/bench/one-server" + path,
            "direct": f"http://127.0.0.1:{cluster.app_ports[0]}{path}",
            "nginx, both servers": cluster.url + "/bench/uncached" + path,
        }
        for name, url in routes.items():
            answer = fetch(url)
            if answer.content != body:
                raise RuntimeError(f"{name}: {url} answered other bytes")
            if name != "cached" and answer.headers.get("X-Cache-Status", "") not in ("", "BYPASS"):
                raise RuntimeError(f"{name}: {url} went through the cache: {answer.headers}")

        loads: dict[str, list[Load]] = {name: [] for name in routes}
        for n in range(rounds):
            for name, url in routes.items():
                loads[name].append(measure(url, duration))
                print(f"   round {n + 1}, {name}: {loads[name][-1].rps:.0f}/s", flush=True)
        after = fetch(cluster.url + path)
        report.checks["agenda.ics still a HIT after the runs"] = after.headers.get(
            "X-Cache-Status", "")
        load = {name: median_load(runs) for name, runs in loads.items()}
        report.rows += [
            Pair("agenda.ics through nginx, warm proxy_cache", len(body), load["cached"],
                 "the same bytes, a static file in the same nginx", load["static"],
                 STATIC_TARGET),
            Pair("agenda.ics through nginx, caching off, to one app server", len(body),
                 load["nginx, one server"], "that app server on its own port", load["direct"]),
            Pair("agenda.ics through nginx, caching off, to both app servers", len(body),
                 load["nginx, both servers"]),
        ]
        report.checks["requests/s of each round (cached, static, nginx to one server, direct, "
                      "nginx to both)"] = "; ".join(
            ", ".join(f"{runs[n].rps:.0f}" for runs in loads.values()) for n in range(rounds))

        report.rows.append(personal_feeds(cluster, info, feeds_duration, report))
        report.load_after = _loadavg()
        return report
    finally:
        cluster.stop()
        database.drop()


def personal_feeds(cluster: Cluster, info: dict, duration: int, report: Report) -> Pair:
    tokens = info["feed_tokens"]
    if len(tokens) != FEEDS:
        raise RuntimeError(f"the data set has {len(tokens)} feed links, not {FEEDS}")
    paths = cluster.dir / "feeds.txt"
    paths.write_text("".join(f"/feeds/{token}.ics\n" for token in tokens))
    sizes = [len(fetch(cluster.url + f"/feeds/{token}.ics").content)
             for token in random.sample(tokens, 10)]
    # A calendar app waits for its answer; nginx gives up on an app server after 60 s
    # (proxy_read_timeout), so wrk waits as long: what does not come by then is an error.
    report.checks.update(feed_costs(cluster, info))
    script = {"script": LUA / "random_paths.lua", "env": {"BENCH_PATHS": str(paths)},
              "timeout": FEED_TIMEOUT}
    print(f"-- {FEEDS} personal feeds, {FEED_CONNECTIONS} connections, {duration} s",
          flush=True)
    wrk(cluster.url + "/feeds/x.ics", 5, FEED_CONNECTIONS, **script)  # warm-up

    groups = {f"app server {port}": cluster.processes(f"app-{port}")
              for port in cluster.app_ports}
    groups["nginx"] = cluster.processes("nginx")
    served = {port: cluster.feed_requests(port) for port in cluster.app_ports}
    before = {name: cpu_ticks(pids) for name, pids in groups.items()}
    started = time.monotonic()
    load = wrk(cluster.url + "/feeds/x.ics", duration, FEED_CONNECTIONS, **script)
    wall = time.monotonic() - started
    after = {name: cpu_ticks(pids) for name, pids in groups.items()}
    for name, pids in groups.items():
        seconds = sum(after[name].get(pid, 0) - ticks for pid, ticks in before[name].items())
        seconds /= CLOCK_TICKS
        port = int(name.rsplit(" ", 1)[1]) if name.startswith("app server") else None
        # A worker replaced mid-run takes its CPU time with it (nginx's cache loader
        # ends by design).
        gone = [pid for pid in before[name] if pid not in after[name]] if port else []
        report.cpu.append(Cpu(
            name, round(seconds, 1), round(seconds / wall, 2),
            cluster.feed_requests(port) - served[port] if port else None,
            f"{len(gone)} of {len(pids)} processes gone during the run" if gone else ""))
    print(f"   {load.rps:.0f}/s, p50 {load.p50_ms:.1f} ms, p99 {load.p99_ms:.1f} ms, errors "
          f"{load.errors}; " + ", ".join(f"{c.name} {c.seconds} s CPU" for c in report.cpu),
          flush=True)
    return Pair(f"{FEEDS:,} personal feeds at random, {FEED_CONNECTIONS} connections, "
                f"{duration} s, through nginx", round(statistics.mean(sizes)), load)


def feed_costs(cluster: Cluster, info: dict, sample: int = 20) -> dict[str, str]:
    """CPU time of one feed request on one app server, one client, for each kind: a
    registration whose feed counter was raised (its feed is put together for it alone)
    and one whose was not (its feed is made of pieces built once per version)."""
    tokens = info["feed_tokens"]
    changed = set(info["changed_feeds"])
    kinds = {"changed": [t for n, t in enumerate(tokens) if n in changed],
             "unchanged": [t for n, t in enumerate(tokens) if n not in changed]}
    server = f"http://127.0.0.1:{cluster.app_ports[0]}"
    costs = {}
    for kind, chosen in kinds.items():
        chosen = random.sample(chosen, min(sample, len(chosen)))
        if not chosen:
            continue
        pids = cluster.processes(f"app-{cluster.app_ports[0]}")
        before = cpu_ticks(pids)
        for token in chosen:
            fetch(f"{server}/feeds/{token}.ics")
        after = cpu_ticks(pids)
        spent = sum(after.get(pid, 0) - ticks for pid, ticks in before.items()) / CLOCK_TICKS
        costs[kind] = spent / len(chosen) * 1000
    return {"feeds whose registration's feed counter was raised (a sign-up waitlisted)":
            f"{len(changed):,} of {len(tokens):,}",
            "CPU a feed, one client, one app server (ms)": ", ".join(
                f"{kind} {ms:.1f}" for kind, ms in costs.items())}


def _loadavg() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


# --- output -----------------------------------------------------------------------------------


def markdown(report: Report) -> str:
    lines = [
        f"**Several servers** (`deploy/cluster.sh`, PostgreSQL), {report.started}: nginx "
        f"(2 worker processes) in front of two gunicorn app servers of 2 sync workers each, "
        f"Redis for the content cache; wrk {CONNECTIONS} connections, {report.duration} s "
        f"per measurement after a warm-up, the median of {report.rounds} interleaved rounds. "
        f"{report.cores} cores shared by wrk, nginx, the servers, PostgreSQL and whatever "
        f"else the machine runs (load average {report.load_before} at the start, "
        f"{report.load_after} at the end).",
        "",
        "| measurement | bytes | req/s | against | its req/s | ratio | target | p50 ms | "
        "p99 ms | errors |",
        "|---|---:|---:|---|---:|---:|---|---:|---:|---:|",
    ]
    for row in report.rows:
        ratio = f"{row.ratio:.2f}" if row.ratio is not None else ""
        target = ""
        if row.target is not None and row.ratio is not None:
            target = f"≥ {row.target} {'met' if row.ratio >= row.target else 'MISSED'}"
        reference = f"{row.reference.rps:.0f}" if row.reference else ""
        lines.append(
            f"| {row.name} | {row.size} | {row.load.rps:.0f} | {row.reference_name} | "
            f"{reference} | {ratio} | {target} | {row.load.p50_ms:.1f} | "
            f"{row.load.p99_ms:.1f} | {row.load.errors} |")
    lines.append("")
    if report.cpu:
        parts = []
        for cpu in report.cpu:
            served = f", {cpu.requests:,} feeds served" if cpu.requests is not None else ""
            note = f" ({cpu.note})" if cpu.note else ""
            per = (f", {cpu.seconds / cpu.requests * 1000:.1f} ms a feed"
                   if cpu.requests else "")
            parts.append(f"{cpu.name} {cpu.seconds} s ({cpu.share_of_a_core:.2f} of a core"
                         f"{served}{per}){note}")
        lines.append(f"- CPU during the feeds run: {'; '.join(parts)}.")
    for name, value in report.checks.items():
        lines.append(f"- {name}: {value}")
    return "\n".join(lines) + "\n"


def ports_from(text: str) -> list[int]:
    ports = [int(port) for port in text.split()] if text.strip() else []
    if ports and len(ports) != 3:
        raise SystemExit("cluster ports: three numbers (nginx, then the two app servers)")
    return ports or [free_port(), free_port(), free_port()]


def run(duration: int = 10, rounds: int = 3, feeds_duration: int = 60, ports: str = "",
        update: bool = False) -> str:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (make bench installs it: apt-get install wrk)")
    workdir = Path(tempfile.mkdtemp(prefix="eventsapp-bench-cluster-"))
    try:
        report = run_cluster(workdir, ports_from(ports), duration, rounds, feeds_duration)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    text = markdown(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "cluster.md").write_text(text)
    (RESULTS / "cluster.json").write_text(json.dumps(
        asdict(report) | {"ratios": {row.name: row.ratio for row in report.rows}}, indent=1))
    if update:
        update_readme(text, "bench-cluster")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--feeds-duration", type=int, default=60)
    parser.add_argument("--ports", default=os.environ.get("BENCH_CLUSTER_PORTS", ""),
                        help='"nginx app1 app2" (BENCH_CLUSTER_PORTS; free ports if unset)')
    parser.add_argument("--update-readme", action="store_true")
    args = parser.parse_args()
    print("\n" + run(args.duration, args.rounds, args.feeds_duration, args.ports,
                     args.update_readme), flush=True)


if __name__ == "__main__":
    main()
