"""Paged lists: one page of a query, as Flask-SQLAlchemy's ``Pagination``."""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from eventsapp.extensions import db

PER_PAGE = 50


def paginate(stmt: Select, page: int, per_page: int = PER_PAGE) -> Pagination:
    """Page ``page`` of ``stmt``'s rows (a count and one page of rows, whatever the
    total). A page below 1 is the first and one past the end shows the last, so a
    stale link after deletions still lists something."""
    found = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    if found.pages and found.page > found.pages:
        found = db.paginate(stmt, page=found.pages, per_page=per_page, error_out=False)
    return found
