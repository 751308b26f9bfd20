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
    response = Response(document.body, mimetype="application/json",
                        headers={"Cache-Control": "public, max-age=300",
                                 "Access-Control-Allow-Origin": "*"})
    response.set_etag(document.etag.strip('"'))
    return response.make_conditional(request)
