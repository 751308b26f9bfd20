"""Locking the row whose capacity a write consumes.

PostgreSQL: SELECT ... FOR UPDATE, so concurrent writers queue on the row. SQLite
ignores FOR UPDATE; there the write transaction began with BEGIN IMMEDIATE
(``db.write``), which already serialises writers before they count.
"""

from __future__ import annotations

from sqlalchemy import select

from eventsapp.extensions import db


def lock(model, row_id: int):
    """Lock and (re)load one row; None when it does not exist."""
    stmt = (
        select(model)
        .where(model.id == row_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.session.scalar(stmt)
