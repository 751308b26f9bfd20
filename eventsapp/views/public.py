"""Public pages: the list of visits and a visit's agenda."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, render_template

from eventsapp.services import agenda, visits
from eventsapp.services.errors import NotFound

bp = Blueprint("public", __name__)


@bp.get("/")
def index():
    return render_template(
        "public/index.html", visits=visits.published_upcoming_visits(datetime.now(UTC).date())
    )


@bp.get("/visits/<slug>/")
def visit(slug: str):
    try:
        found = visits.public_visit(slug)
    except NotFound:
        abort(404)
    return render_template(
        "public/visit.html", visit=found, days=agenda.agenda_by_day(found)
    )
