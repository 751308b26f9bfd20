"""Machine-readable views: the agenda as JSON."""

from __future__ import annotations

import hashlib
import json

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
    body = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False).encode()
    etag = hashlib.sha256(body).hexdigest()[:40]
    headers = {"ETag": f'"{etag}"', "Cache-Control": "public, max-age=300",
               "Access-Control-Allow-Origin": "*"}
    if request.if_none_match.contains(etag):
        return Response(status=304, headers=headers)
    return Response(body, 200, headers, mimetype="application/json")
