"""Engine behaviour that the capacity rules rely on.

SQLite: WAL journal, a busy timeout, foreign keys on, and write transactions begun
with BEGIN IMMEDIATE so two writers never both read and then deadlock on upgrade
(the recipe from SQLAlchemy's SQLite dialect documentation). A transaction is a
write transaction when the session asked for its connection with the execution
option ``eventsapp_write`` (see ``services.tx.begin_write``); read-only requests
keep SQLite's deferred BEGIN so they never wait for writers.
"""

from __future__ import annotations

import weakref

from sqlalchemy import Engine, event

WRITE_OPTION = "eventsapp_write"

_configured: weakref.WeakSet[Engine] = weakref.WeakSet()


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    if engine.dialect.name != "sqlite" or engine in _configured:
        return
    _configured.add(engine)
    in_memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        # Hand transaction control to the "begin" listener below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # Straight to the driver: this runs for every request that reads anything.
        statement = "BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE_OPTION) \
            else "BEGIN"
        conn.connection.driver_connection.execute(statement)
