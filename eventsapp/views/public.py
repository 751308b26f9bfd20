"""Public pages: the list of visits and a visit's agenda."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, render_template

from eventsapp.services import agenda, registration, showcase, visits
from eventsapp.services.errors import NotFound
from eventsapp.urls import absolute

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
    window, window_message = registration.registration_window(found)
    return render_template(
        "public/visit.html",
        visit=found,
        days=agenda.agenda_by_day(found),
        bookings=showcase.approved_bookings_by_item(found),
        window=window.value,
        window_message=window_message,
        places_left=registration.places_left(found),
        calendar_url=absolute(f"/visits/{found.slug}/agenda.ics"),
    )
