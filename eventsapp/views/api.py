"""Machine-readable views: the agenda as JSON."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from eventsapp.services import calendar
from eventsapp.services.errors import NotFound
from eventsapp.urls import base_url

bp = Blueprint("api", __name__)


@bp.get("/visits/<slug>/agenda.json")
def agenda(slug: str):
    try:
        document = calendar.agenda_json(slug, base_url())
    except NotFound:
        abort(404)
    headers = {"ETag": document.etag, "Cache-Control": "public, max-age=300",
               "Access-Control-Allow-Origin": "*"}
    if request.if_none_match.contains(document.etag.strip('"')):
        return Response(status=304, headers=headers)
    return Response(document.body, 200, headers, mimetype="application/json")
