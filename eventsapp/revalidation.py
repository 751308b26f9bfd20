"""Conditional GETs of the public calendars, answered before Flask.

Subscribed calendars poll /visits/<slug>/agenda.ics and /visits/<slug>/items/<id>.ics
every few minutes to hours, tens of thousands of them on a national tour, and almost
every poll carries If-None-Match with the ETag it already has. For those requests
Flask's whole request cycle (context, routing, hooks, the response object) costs
more than the answer, so this WSGI middleware answers them itself.

Per URL (scheme, host and path: the feed's links depend on them) it keeps what the
feed view last answered a conditional GET with: the visit, the stamp key the feed was
built from (services.stamps), the ETag, and the exact headers of that 304 as Flask
sent them, after every after_request hook. On each request it reads the visit's
stamp, the same one indexed read the view makes, and answers 304 with those headers
when the stamp and the ETag still match. Never stale: a change to the visit raises
its stamp, so the next request, in any worker, goes to Flask and gets the new bytes.
Anything else (no entry yet, another stamp or ETag, a query string, any other
method or header) goes to Flask, whose 304 renews the entry.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any, NamedTuple

from flask import Flask
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from werkzeug.http import parse_etags

from eventsapp.database import is_outage
from eventsapp.extensions import db
from eventsapp.services import stamps
from eventsapp.services.errors import NotFound

# Set by the feed view (views.feeds) on the request's environ: (validator, ETag).
ENVIRON_KEY = "eventsapp.feed_validator"

PUBLIC_FEED = re.compile(r"/visits/[^/]+/(?:agenda|items/\d+)\.ics")
MAX_ENTRIES = 4096  # URLs; each entry is a few hundred bytes


class Entry(NamedTuple):
    visit_id: int
    stamp_key: Hashable
    etag: str  # without quotes, as werkzeug's ETags compares it
    headers: list[tuple[str, str]]


class Revalidator:
    def __init__(self, app: Flask, wsgi_app: Callable):
        self.flask_app = app
        self.wsgi_app = wsgi_app
        self._entries: OrderedDict[tuple[str, str, str], Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._engine: Engine | None = None
        self.answered = 0  # 304s sent from here, for tests

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if (environ.get("REQUEST_METHOD") != "GET" or not PUBLIC_FEED.fullmatch(path)
                or environ.get("QUERY_STRING")):
            return self.wsgi_app(environ, start_response)
        key = (environ.get("wsgi.url_scheme", ""), environ.get("HTTP_HOST", ""),
               environ.get("SCRIPT_NAME", "") + path)
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        entry = self._still_valid(key, if_none_match) if if_none_match else None
        if entry is not None:
            start_response("304 NOT MODIFIED", list(entry.headers))
            self.answered += 1
            return []
        return self.wsgi_app(environ, self._recording(environ, key, start_response))

    def _still_valid(self, key: tuple[str, str, str], if_none_match: str) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or not parse_etags(if_none_match).contains(entry.etag):
            return None
        try:
            stamp = stamps.stamp_by_id(entry.visit_id, engine=self._get_engine())
        except NotFound:
            return None
        except DBAPIError as exc:
            if not is_outage(exc):
                raise
            return None  # to Flask, whose error handler answers 503
        return entry if stamp.key == entry.stamp_key else None

    def _recording(self, environ: dict[str, Any], key: tuple[str, str, str],
                   start_response: Callable) -> Callable:
        def record(status: str, headers: list[tuple[str, str]], exc_info=None):
            found = environ.get(ENVIRON_KEY)
            personal = any(name.lower() == "set-cookie" for name, _ in headers)
            if status.startswith("304") and found is not None and not personal:
                (visit_id, stamp_key), etag = found
                self._keep(key, Entry(visit_id, stamp_key, etag.strip('"'), list(headers)))
            return start_response(status, headers, exc_info)

        return record

    def _keep(self, key: tuple[str, str, str], entry: Entry) -> None:
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)

    def _get_engine(self) -> Engine:
        if self._engine is None:
            with self.flask_app.app_context():
                self._engine = db.engine
        return self._engine


def init_app(app: Flask) -> None:
    app.wsgi_app = Revalidator(app, app.wsgi_app)
