"""Calendar files and feeds, answering conditional GETs with 304."""

from __future__ import annotations

from flask import Blueprint, abort, request
from werkzeug.http import http_date

from eventsapp import revalidation
from eventsapp.ids import ID
from eventsapp.services import calendar
from eventsapp.services.errors import NotFound
from eventsapp.urls import base_url

bp = Blueprint("feeds", __name__)

PUBLIC_MAX_AGE = 300
PRIVATE_MAX_AGE = 300


def calendar_response(feed: calendar.Feed):
    """200 with the body, or 304 when the client already has these bytes."""
    not_modified = False
    if request.if_none_match:
        not_modified = request.if_none_match.contains(feed.etag.strip('"'))
    elif request.if_modified_since and feed.last_modified is not None:
        not_modified = feed.last_modified.replace(microsecond=0) <= request.if_modified_since
    headers = {
        "ETag": feed.etag,
        "Cache-Control": (f"private, max-age={PRIVATE_MAX_AGE}" if feed.private
                          else f"public, max-age={PUBLIC_MAX_AGE}"),
        "Content-Disposition": f'attachment; filename="{feed.filename}"',
    }
    if feed.last_modified is not None:
        headers["Last-Modified"] = http_date(feed.last_modified)
    if feed.private:
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Robots-Tag"] = "noindex"
    if not_modified:
        if feed.validator is not None:  # the next such request is answered before Flask
            request.environ[revalidation.ENVIRON_KEY] = (feed.validator, feed.etag)
        return "", 304, headers
    headers["Content-Type"] = "text/calendar; charset=utf-8"
    return feed.body, 200, headers


@bp.get("/visits/<slug>/agenda.ics")
def visit_agenda(slug: str):
    try:
        return calendar_response(calendar.visit_feed(slug, base_url()))
    except NotFound:
        abort(404)


@bp.get(f"/visits/<slug>/items/<{ID}:item_id>.ics")
def item(slug: str, item_id: int):
    try:
        return calendar_response(calendar.item_feed(slug, item_id, base_url()))
    except NotFound:
        abort(404)


@bp.get("/feeds/<token>.ics")
def personal(token: str):
    try:
        return calendar_response(calendar.personal_feed(token, base_url()))
    except NotFound:
        abort(404)
