"""The registration POST measured in this process: no server, no network.

    python -m benchmarks.post                        # SQLite and PostgreSQL, 300 POSTs
    python -m benchmarks.post --databases sqlite --posts 300

A fresh database is migrated and filled (benchmarks.dataset), then the Flask test
client reads the form once (for its CSRF token and cookie) and posts it --posts times,
each with a new address. Reported: the median and the 99th percentile of one POST,
POSTs per second, the median CPU time of this process for one POST (the figure
least moved by other load on the machine), and the SQL statements one POST sends
(BEGIN/COMMIT/ROLLBACK aside).
For comparing one change of the write path with the next; the load with real clients
is benchmarks.burst.
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
from pathlib import Path

from benchmarks.run import BIN, ROOT, Database


def measure(kind: str, posts: int) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"eventsapp-post-{kind}-"))
    database = Database(kind, workdir)
    secret = secrets.token_hex(32)
    env = {"SECRET_KEY": secret, "DATABASE_URL": database.url, "FLASK_APP": "eventsapp"}
    try:
        subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, check=True,  # noqa: S603
                       env={**os.environ, **env}, capture_output=True)
        info_path = workdir / "info.json"
        subprocess.run([sys.executable, "-m", "benchmarks.dataset", "--database-url",  # noqa: S603
                        database.url, "--out", str(info_path), "--secret-key", secret],
                       cwd=ROOT, check=True, env={**os.environ, **env})
        info = json.loads(info_path.read_text())
        return _post(database.url, secret, info, posts)
    finally:
        database.drop()
        shutil.rmtree(workdir, ignore_errors=True)


def _post(url: str, secret: str, info: dict, posts: int) -> dict:
    from sqlalchemy import event

    from eventsapp import create_app
    from eventsapp.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret, "TESTING": False,
                      "RATELIMIT_ENABLED": False, "SESSION_COOKIE_SECURE": False})
    client = app.test_client()
    path = f"/visits/{info['slug']}/register"
    page = client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    answers = {"single_choice": "All three days", "yes_no": "yes",
               "short_text": "The games studios"}
    form = {
        "csrf_token": token, "full_name": "Bench Delegate", "organisation": "Benchmarks",
        "job_title": "Policy adviser", "organisation_type": "government",
        "dietary": "Vegetarian", "consent_photography": "y", "privacy_accepted": "y",
        **{f"q_{q['id']}": answers[q["kind"]] for q in info["questions"]},
    }
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    times, cpu, per_post = [], [], []
    run = secrets.token_hex(3)
    for n in range(posts + 20):  # the first 20 warm up
        before = len(statements)
        started, started_cpu = time.perf_counter(), time.process_time()
        answer = client.post(path, data={**form, "email": f"post-{run}-{n}@load.example"})
        elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
        if answer.status_code != 303:
            raise RuntimeError(f"POST answered {answer.status_code}")
        if n >= 20:
            times.append(elapsed * 1000)
            cpu.append(elapsed_cpu * 1000)
            per_post.append(len(statements) - before)
    event.remove(engine, "before_cursor_execute", count)
    times.sort()
    return {"posts": posts, "median_ms": round(statistics.median(times), 2),
            "p99_ms": round(times[int(len(times) * 0.99) - 1], 2),
            "posts_per_s": round(len(times) / (sum(times) / 1000), 1),
            "cpu_median_ms": round(statistics.median(cpu), 2),
            "statements": statistics.median(per_post)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--posts", type=int, default=300)
    args = parser.parse_args()
    for kind in args.databases.split(","):
        print(kind, json.dumps(measure(kind, args.posts)), flush=True)


if __name__ == "__main__":
    main()
