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
from collections.abc import Callable

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


# Called with each statement read_one sends (tests count statements here as well as
# through the engine's events, which a DBAPI cursor does not fire).
raw_statement_listeners: list[Callable[[str], None]] = []


def read_rows(engine: Engine, sql: str, params: tuple) -> list[tuple]:
    """Rows from a short read on a pooled DBAPI connection, outside any session.

    For the lookups every feed request makes (a visit's stamp, an attendee's feed
    token), where the ORM session's own cost would be most of the request. ``sql``
    uses ``?`` placeholders. The read sees what is committed: the connection is in
    autocommit mode (SQLite's always is here, see above; PostgreSQL's for this read).
    """
    if engine.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    for listener in raw_statement_listeners:
        listener(sql)
    connection = engine.raw_connection()
    # PostgreSQL: one statement in autocommit mode, so no BEGIN before it and no
    # ROLLBACK when the pool takes the connection back (a round trip each).
    autocommit = getattr(connection.driver_connection, "autocommit", None) is False
    try:
        if autocommit:
            connection.driver_connection.autocommit = True
        cursor = connection.cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchall()
        finally:
            cursor.close()
    finally:
        if autocommit:
            connection.driver_connection.autocommit = False
        connection.close()


def read_one(engine: Engine, sql: str, params: tuple) -> tuple | None:
    rows = read_rows(engine, sql, params)
    return rows[0] if rows else None
