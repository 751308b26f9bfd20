"""The floor: the least a Flask app can do for each benchmarked request.

Served by gunicorn with the same settings as eventsapp, in the same run:
  GET  /bytes/<n>   n bytes (the size of the endpoint's own response)
  GET  /not-modified a 304 with no body
  POST /insert      one row inserted and committed (SQLite file, or PostgreSQL
                    when FLOOR_DATABASE_URL is a postgresql:// URL), then a 303

    gunicorn "benchmarks.floor:create_app()"
"""

from __future__ import annotations

import os
import sqlite3

from flask import Flask, Response, g, redirect, request

TABLE = "CREATE TABLE IF NOT EXISTS floor_rows (id INTEGER PRIMARY KEY, email TEXT, body TEXT)"
PG_TABLE = "CREATE TABLE IF NOT EXISTS floor_rows (id SERIAL PRIMARY KEY, email TEXT, body TEXT)"


def _connect(url: str):
    if url.startswith("postgresql"):
        import psycopg

        conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        conn.execute(PG_TABLE)
        conn.commit()
        return conn, "%s"
    conn = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=15, isolation_level=None)
    conn.execute("PRAGMA synchronous=NORMAL")  # as eventsapp.db sets it
    return conn, "?"


def prepare(url: str) -> None:
    """Create the table (and WAL mode, which stays with the file) before the workers start."""
    conn, _ = _connect(url)
    if url.startswith("sqlite"):
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(TABLE)
    conn.close()


def create_app() -> Flask:
    app = Flask(__name__)
    url = os.environ.get("FLOOR_DATABASE_URL", "sqlite:////tmp/eventsapp-floor.sqlite3")
    sizes: dict[int, bytes] = {}
    state: dict = {}

    def connection():
        if "conn" not in state:  # one per worker process, opened after the fork
            state["conn"] = _connect(url)
        return state["conn"]

    @app.get("/bytes/<int:size>")
    def sized(size: int):
        body = sizes.get(size)
        if body is None:
            body = sizes[size] = b"x" * size
        return Response(body, mimetype="text/plain")

    @app.get("/not-modified")
    def not_modified():
        return Response(status=304, headers={"ETag": '"floor"'})

    @app.post("/insert")
    def insert():
        conn, mark = connection()
        sql = f"INSERT INTO floor_rows (email, body) VALUES ({mark}, {mark})"  # noqa: S608
        if mark == "?":
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(sql, (request.form.get("email", ""), request.get_data(as_text=True)))
            conn.execute("COMMIT")
        else:
            conn.execute(sql, (request.form.get("email", ""), request.get_data(as_text=True)))
            conn.commit()
        g.inserted = True
        return redirect("/bytes/0", 303)

    return app
