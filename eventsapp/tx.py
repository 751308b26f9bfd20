"""Transaction helpers: every write use case starts with ``begin_write``."""

from __future__ import annotations

from eventsapp.db import WRITE_OPTION
from eventsapp.extensions import db


def begin_write() -> None:
    """Start a write transaction.

    Any read transaction the request already has is ended first (nothing is pending:
    views never change models), so that on SQLite the write begins with
    BEGIN IMMEDIATE and takes the write lock before it reads what it will change.
    Objects loaded earlier are expired and reload inside the new transaction.
    """
    session = db.session()  # the request's Session; the scoped proxy has no in_transaction()
    if session.in_transaction():
        session.rollback()
    session.connection(execution_options={WRITE_OPTION: True})
