"""Database ids read from requests: in URLs and in forms, one range check.

Every id column is a 32-bit integer on PostgreSQL (SQLite keeps 64 bits), so a
bigger number cannot name a row; sent to the database it is an error (a 500), not
"no such thing". ``parse_id`` is the one check: routes use the ``id`` converter
(``<id:item_id>``, via ``ID``), whose out-of-range ids are a 404 like any unknown id;
forms use ``optional_id`` as a field's ``coerce``, whose out-of-range ids are the
field's error.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.routing import BaseConverter, ValidationError

MAX_ID = 2**31 - 1
# The converter's name, for route strings: f"/items/<{ID}:item_id>".
ID = "id"


def parse_id(raw: object) -> int | None:
    """The id in ``raw`` (surrounding spaces allowed), or None when it is not one:
    ASCII digits only (``isdigit()`` alone passes "²", which ``int()`` refuses), and
    at most ``MAX_ID``."""
    if not isinstance(raw, str):
        return None
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > len(str(MAX_ID)):
        return None
    value = int(raw)
    return value if value <= MAX_ID else None


def optional_id(value) -> int | None:
    """WTForms ``coerce`` for a select of ids: '' (the placeholder) is None, anything
    else must be an id (ValueError, the field's invalid-value message, otherwise)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) and not isinstance(value, bool):  # a default, not input
        value = str(value)
    parsed = parse_id(value)
    if parsed is None:
        raise ValueError("not an id")
    return parsed


class IdConverter(BaseConverter):
    """``<id:name>``: an id in a URL path, else the route does not match (404)."""

    regex = r"\d+"
    part_isolating = True

    def to_python(self, value: str) -> int:
        parsed = parse_id(value)
        if parsed is None:
            raise ValidationError()
        return parsed

    def to_url(self, value) -> str:
        return str(int(value))


def init_app(app: Flask) -> None:
    """Before any blueprint: a rule finds its converter when it is added."""
    app.url_map.converters[ID] = IdConverter
