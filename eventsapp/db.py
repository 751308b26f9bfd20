"""Engine behaviour that the capacity rules rely on.

SQLite: WAL journal, a busy timeout, foreign keys on, and write transactions begun
with BEGIN IMMEDIATE so two writers never both read and then deadlock on upgrade
(the recipe from SQLAlchemy's SQLite dialect documentation). A transaction is a
write transaction when the session asked for its connection with the execution
option ``eventsapp_write`` (see ``write`` below); read-only requests
keep SQLite's deferred BEGIN so they never wait for writers.

Writers of one SQLite file take turns through an flock on ``<file>-writers.lock``
before BEGIN IMMEDIATE (``WriterTurns``): the next writer, in any worker, starts the
moment the last one's connection goes back to the pool, where SQLite's own busy
handler would sleep 1, 2, 5 ms... between tries. SQLite's locks still decide; the
turns only stop writers sleeping longer than they must.
"""

from __future__ import annotations

import fcntl
import os
import threading
import weakref
from collections.abc import Callable, Iterator
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

    turns = None if in_memory else WriterTurns(f"{engine.url.database}-writers.lock")

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # Straight to the driver: this runs for every request that reads anything.
        if not conn.get_execution_options().get(WRITE_OPTION):
            conn.connection.driver_connection.execute("BEGIN")
            return
        if turns is not None:
            turns.take(conn.connection.info)
        conn.connection.driver_connection.execute("BEGIN IMMEDIATE")

    if turns is not None:
        # Back in the pool means committed or rolled back: the next writer's turn.
        event.listen(engine, "checkin", lambda _dbapi, record: turns.give_back(record.info))
        event.listen(engine, "close", lambda _dbapi, record: turns.forget(record.info))


class WriterTurns:
    """An flock that a pooled connection holds from its write transaction's BEGIN
    until it is back in the pool. Each connection opens the lock file once (flocks
    taken through different opens exclude each other, threads of one process too).

    The wait is in the kernel, woken the moment the turn is given back. A stuck
    writer would hold SQLite's write lock anyway; gunicorn's worker timeout ends it
    and the kernel drops its flock. A thread that already holds a turn (a second
    write connection inside a write) does not wait for another: it is left to
    SQLite's busy timeout, as without turns, instead of waiting on itself.
    """

    HELD = "eventsapp_writer_turn"
    FD = "eventsapp_writer_lock_fd"

    def __init__(self, path: str):
        self.path = path
        self._mine = threading.local()

    def take(self, info: dict) -> None:
        if getattr(self._mine, "held", 0):
            return
        fd = info.get(self.FD)
        if fd is None:
            fd = info[self.FD] = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        info[self.HELD] = True
        self._mine.held = 1

    def give_back(self, info: dict) -> None:
        if info.pop(self.HELD, False):
            fcntl.flock(info[self.FD], fcntl.LOCK_UN)
            self._mine.held = 0

    def forget(self, info: dict) -> None:
        self.give_back(info)
        fd = info.pop(self.FD, None)
        if fd is not None:
            os.close(fd)


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
    try:
        return _read_rows(engine, sql, params)
    except engine.dialect.loaded_dbapi.Error as exc:
        # As the engine wraps the errors of its own statements, so that one handler
        # (views.errors) sees every database error, with the dialect's verdict on a
        # lost connection where the error alone tells.
        raise DBAPIError.instance(
            sql, params, exc, engine.dialect.loaded_dbapi.Error, dialect=engine.dialect,
            connection_invalidated=engine.dialect.is_disconnect(exc, None, None),
        ) from exc


def _read_rows(engine: Engine, sql: str, params: tuple) -> list[tuple]:
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
        try:
            if autocommit:
                connection.driver_connection.autocommit = False
        finally:
            connection.close()  # back to the pool even when the server went away


def read_one(engine: Engine, sql: str, params: tuple) -> tuple | None:
    rows = read_rows(engine, sql, params)
    return rows[0] if rows else None


class Prepared:
    """A Core statement compiled once per dialect and run straight on the DBAPI cursor
    of a connection the caller holds, inside the caller's transaction.

    For the writes that must cost least (the registration POST): a Core execute spends
    about 40 µs on bookkeeping around SQLite's few microseconds of work. What SQLAlchemy
    would do with the values is still done: the SQL is its own compilation of the
    statement, and every value goes through its column type's bind processor (UTC
    instants, enums, JSON). Results come back as the driver returns them, so select
    only columns whose raw values are what the caller wants (integers, text).
    Statements are reported to ``raw_statement_listeners``, as ``read_rows``'s are.
    """

    def __init__(self, statement, column_keys: list[str] | None = None):
        self.statement = statement
        self.column_keys = column_keys
        self._compiled: dict[type, tuple] = {}

    def execute(self, connection, params: dict):
        """Run on a SQLAlchemy Connection's DBAPI connection; returns the DBAPI cursor
        (fetch before the next statement). Errors are the driver's own, e.g.
        ``connection.dialect.dbapi.IntegrityError``."""
        dialect = connection.dialect
        compiled, names, processors = self._compile(dialect)
        values = compiled.construct_params(params)
        for name, process in processors.items():
            values[name] = process(values[name])
        for listener in raw_statement_listeners:
            listener(compiled.string)
        cursor = connection.connection.cursor()
        cursor.execute(compiled.string,
                       [values[name] for name in names] if names is not None else values)
        return cursor

    def fetch_one(self, connection, params: dict) -> tuple | None:
        """The first row, as the driver returns it (None when there is none)."""
        cursor = self.execute(connection, params)
        try:
            return cursor.fetchone()
        finally:
            cursor.close()

    def _compile(self, dialect) -> tuple:
        found = self._compiled.get(type(dialect))
        if found is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=self.column_keys)
            if getattr(compiled, "insert_prefetch", None) or getattr(
                    compiled, "update_prefetch", None):
                raise ValueError("give every column a value: defaults are not computed here")
            processors = {}
            for bind, name in compiled.bind_names.items():  # names as compiled
                process = bind.type.dialect_impl(dialect).bind_processor(dialect)
                if process is not None:
                    processors[name] = process
            found = (compiled, compiled.positiontup, processors)
            self._compiled[type(dialect)] = found
        return found


class PreparedInsert(Prepared):
    """An INSERT of one row into ``table`` as a Prepared statement: every column but an
    autoincrementing key is written, a value not given takes the column's default (as
    a Core insert would) or NULL, and the new key comes back by RETURNING."""

    def __init__(self, table):
        key = table.autoincrement_column
        columns = [column for column in table.columns if column is not key]
        statement = table.insert()
        if key is not None:
            statement = statement.returning(key)
        super().__init__(statement, [column.key for column in columns])
        self._defaults = {column.key: column.default for column in columns}
        self._returns_key = key is not None

    def insert(self, connection, values: dict):
        """The new row's key (None for a table without an autoincrementing one)."""
        row = dict(values)
        for name, default in self._defaults.items():
            if name not in row:
                row[name] = None if default is None else (
                    default.arg(None) if default.is_callable else default.arg)
        cursor = self.execute(connection, row)
        found = cursor.fetchone() if self._returns_key else None
        cursor.close()
        return found[0] if found else None


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
