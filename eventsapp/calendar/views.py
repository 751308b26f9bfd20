"""Calendar files and feeds, answering conditional GETs with 304 (Werkzeug's
``make_conditional``: If-None-Match compared weakly, then If-Modified-Since)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, request

from eventsapp.calendar import feeds as calendar
from eventsapp.errors import NotFound
from eventsapp.ids import ID
from eventsapp.web.caching import shared_calendar
from eventsapp.web.urls import base_url

bp = Blueprint("calendar", __name__)


PRIVATE_MAX_AGE = 300


def calendar_response(feed: calendar.Feed) -> Response:
    """200 with the body, or 304 when the client already has these bytes."""
    response = Response(feed.body, mimetype="text/calendar")
    response.set_etag(feed.etag.strip('"'))
    if feed.last_modified is not None:
        response.last_modified = feed.last_modified
    if feed.private:
        response.headers["Cache-Control"] = f"private, max-age={PRIVATE_MAX_AGE}"
    else:
        shared_calendar(response)
    response.headers["Content-Disposition"] = f'attachment; filename="{feed.filename}"'
    if feed.private:
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex"
    return response.make_conditional(request)


def feed_or_404(build: Callable[..., calendar.Feed], *args) -> Response:
    """``build(*args, base_url)``'s feed as a conditional response; 404 when it finds
    nothing (tours answer their feeds through this too)."""
    try:
        return calendar_response(build(*args, base_url()))
    except NotFound:
        abort(404)


def document_or_404(build: Callable[..., calendar.Document], *args) -> Response:
    """A public agenda as JSON: the same for everyone, open to other sites' scripts,
    cached like the public calendars, 304 when unchanged."""
    try:
        document = build(*args, base_url())
    except NotFound:
        abort(404)
    response = Response(document.body, mimetype="application/json",
                        headers={"Access-Control-Allow-Origin": "*"})
    shared_calendar(response)
    response.set_etag(document.etag.strip('"'))
    return response.make_conditional(request)


@bp.get("/visits/<slug>/agenda.ics")
def visit_agenda(slug: str):
    return feed_or_404(calendar.visit_feed, slug)


@bp.get(f"/visits/<slug>/items/<{ID}:item_id>.ics")
def item(slug: str, item_id: int):
    return feed_or_404(calendar.item_feed, slug, item_id)


@bp.get("/feeds/<token>.ics")
def personal(token: str):
    return feed_or_404(calendar.personal_feed, token)


@bp.get("/visits/<slug>/agenda.json")
def agenda_json(slug: str):
    return document_or_404(calendar.agenda_json, slug)
