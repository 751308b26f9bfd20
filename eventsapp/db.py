"""Engine behaviour that the capacity rules rely on.

SQLite: WAL journal, a busy timeout, foreign keys on, and write transactions begun
with BEGIN IMMEDIATE so two writers never both read and then deadlock on upgrade
(the recipe from SQLAlchemy's SQLite dialect documentation). A transaction is a
write transaction when the session asked for its connection with the execution
option ``eventsapp_write`` (see ``write`` below); read-only requests
keep SQLite's deferred BEGIN so they never wait for writers. A writer that finds
another one busy waits up to the busy timeout; PostgreSQL is the database for many
writers.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from eventsapp.extensions import db

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
        write = conn.get_execution_options().get(WRITE_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


# --- the database out of reach ---------------------------------------------------------------

# SQLite's primary result codes that mean the file cannot be used just now (opened, read,
# or locked past the busy timeout), not that a statement is wrong.
_SQLITE_UNAVAILABLE = {5, 6, 10, 14}  # SQLITE_BUSY, _LOCKED, _IOERR, _CANTOPEN
# PostgreSQL SQLSTATEs of a server that is going away or refusing connections (class
# 08 is "connection exception").
_POSTGRES_UNAVAILABLE = {"57P01", "57P02", "57P03", "53300"}


def is_outage(error: DBAPIError) -> bool:
    """Whether ``error`` says the database cannot be reached or used just now (the site
    is briefly unavailable) rather than that a statement or the schema is wrong (a bug:
    no such table, a bad parameter, a constraint), which must stay an error."""
    if error.connection_invalidated:
        return True  # SQLAlchemy's own verdict: the connection is gone
    if not isinstance(error, OperationalError):
        return False
    orig = error.orig
    sqlite_code = getattr(orig, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return sqlite_code & 0xFF in _SQLITE_UNAVAILABLE
    if hasattr(orig, "sqlstate"):  # psycopg: no SQLSTATE when there was no server to ask
        state = orig.sqlstate
        return state is None or state.startswith("08") or state in _POSTGRES_UNAVAILABLE
    return False


def describe_outage(error: DBAPIError) -> str:
    """The driver's message on one line, for the log."""
    message = " ".join(str(error.orig).split())
    return f"{type(error.orig).__name__}: {message}"[:500]


@contextmanager
def write() -> Iterator[Session]:
    """The one write transaction: ``with write(): ...`` begins it (BEGIN IMMEDIATE on
    SQLite), commits when the block ends and rolls back on any exception.

    A read transaction the request already has is ended first (views never change
    models), so on SQLite the write takes the lock before it reads what it changes;
    objects loaded earlier are expired and reload inside the new transaction.
    """
    session = db.session()  # the request's Session; the scoped proxy has no in_transaction()
    if session.in_transaction():
        session.rollback()
    session.connection(execution_options={WRITE_OPTION: True})
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    session.commit()
