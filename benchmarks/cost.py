"""Cost that grows with the data: the organiser's pages at 2,000 and 10,000 registrations.

    python -m benchmarks.cost                       # PostgreSQL, 2,000 and 10,000
    python -m benchmarks.cost --sizes 2000,10000 --requests 20

For each size: a fresh PostgreSQL database is migrated and filled (benchmarks.dataset
with that many registrations, the same 300 items), eventsapp is served by gunicorn
as in benchmarks.run, and one client times each page in turn (median of --requests
after a warm-up). A search or a first page should cost the same whatever the total
(targets: the larger size within 1.3 times the smaller); the CSV is linear, with a
ceiling of 300 ms for 10,000 rows. The figures are reported, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

from benchmarks.run import BIN, RESULTS, ROOT, USER_AGENT, Database, Server, _login

GROWTH_TARGET = 1.3  # search and page 1: larger size / smaller size
CSV_CEILING_MS = 300  # the CSV of 10,000 rows
PAGES = [
    # (name, path under the visit's organiser URL, what the target is)
    ("check-in desk search for one name", "/check-in?q=Delegate+0042", "flat"),
    ("registrations page 1", "/registrations", "flat"),
    ("registrations search", "/registrations?q=delegate0042%40", "flat"),
    ("dashboard", "/dashboard", ""),
    ("impact report", "/report", ""),
    ("registrations CSV", "/registrations.csv", "csv"),
]


def time_pages(size: int, requests_per_page: int) -> dict[str, dict]:
    workdir = Path(tempfile.mkdtemp(prefix="eventsapp-cost-"))
    database = Database("postgresql", workdir)
    secret = os.urandom(32).hex()
    env = {"SECRET_KEY": secret, "DATABASE_URL": database.url, "FLASK_APP": "eventsapp",
           "SESSION_COOKIE_SECURE": "0", "FLASK_DEBUG": "0"}
    server = None
    try:
        print(f"== {size} registrations: migrating and building the data set", flush=True)
        subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, check=True,  # noqa: S603
                       env={**os.environ, **env}, capture_output=True)
        info_path = workdir / "info.json"
        subprocess.run([sys.executable, "-m", "benchmarks.dataset", "--database-url",  # noqa: S603
                        database.url, "--out", str(info_path), "--secret-key", secret,
                        "--registrations", str(size)],
                       cwd=ROOT, check=True, env={**os.environ, **env})
        info = json.loads(info_path.read_text())
        engine = create_engine(database.url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))  # statistics now, not when autovacuum comes by
        engine.dispose()
        server = Server("eventsapp:create_app()", env)
        session = requests.Session()
        session.headers.update({"User-Agent": USER_AGENT, "Cookie": _login(
            server, info["organiser"]["email"], info["organiser"]["password"])})
        base = f"{server.url}/organiser/visits/{info['slug']}"
        figures = {}
        for name, path, _target in PAGES:
            times, answer = [], None
            for n in range(requests_per_page + 3):
                started = time.perf_counter()
                answer = session.get(base + path, timeout=60)
                if n >= 3:  # after a warm-up
                    times.append((time.perf_counter() - started) * 1000)
                if answer.status_code != 200:
                    raise RuntimeError(f"{name}: {path} answered {answer.status_code}")
            figures[name] = {"median_ms": round(statistics.median(times), 1),
                             "max_ms": round(max(times), 1), "bytes": len(answer.content)}
            print(f"   {name}: median {figures[name]['median_ms']} ms", flush=True)
        return figures
    finally:
        if server is not None:
            server.stop()
        database.drop()
        shutil.rmtree(workdir, ignore_errors=True)


def markdown(sizes: list[int], figures: dict[int, dict[str, dict]], requests_per_page: int
             ) -> str:
    small, large = sizes[0], sizes[-1]
    lines = [
        f"**Cost with the data** (PostgreSQL, gunicorn 2 sync workers, one client, median "
        f"of {requests_per_page} requests, ms):",
        "",
        "| page | " + " | ".join(f"{size:,}" for size in sizes) + " | growth | target |",
        "|---|" + "---:|" * len(sizes) + "---:|---|",
    ]
    for name, _path, target in PAGES:
        medians = [figures[size][name]["median_ms"] for size in sizes]
        growth = medians[-1] / medians[0] if medians[0] else 0.0
        if target == "flat":
            verdict = f"≤ {GROWTH_TARGET}× {'met' if growth <= GROWTH_TARGET else 'MISSED'}"
        elif target == "csv" and large >= 10_000:
            ok = figures[large][name]["median_ms"] <= CSV_CEILING_MS
            verdict = f"≤ {CSV_CEILING_MS} ms at {large:,} {'met' if ok else 'MISSED'}"
        else:
            verdict = ""
        lines.append(f"| {name} | " + " | ".join(f"{m:.1f}" for m in medians)
                     + f" | {growth:.2f}× | {verdict} |")
    lines.append("")
    lines.append(f"Sizes {small:,} and {large:,} registrations on the same 300 items.")
    return "\n".join(lines) + "\n"


def run(sizes: list[int], requests_per_page: int) -> str:
    figures = {size: time_pages(size, requests_per_page) for size in sizes}
    text = markdown(sizes, figures, requests_per_page)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "cost.md").write_text(text)
    (RESULTS / "cost.json").write_text(json.dumps(figures, indent=1))
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,10000")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    args = parser.parse_args()
    print("\n" + run([int(size) for size in args.sizes.split(",")], args.requests), flush=True)


if __name__ == "__main__":
    main()
