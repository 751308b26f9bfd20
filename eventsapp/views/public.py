"""Public pages: the list of visits and a visit's agenda."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, render_template
from markupsafe import Markup

from eventsapp.cache import visit_content
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
        found = visits.public_visit(slug, with_agenda=False)
    except NotFound:
        abort(404)
    window, window_message = registration.registration_window(found)
    return render_template(
        "public/visit.html",
        visit=found,
        agenda_html=visit_content.get(("visit page", found.id),
                                      (found.content_version, found.created_at),
                                      lambda: _agenda_html(slug)),
        window=window.value,
        window_message=window_message,
        places_left=registration.places_left(found),
        calendar_url=absolute(f"/visits/{found.slug}/agenda.ics"),
    )


def _agenda_html(slug: str) -> Markup:
    """The agenda and venues, rendered once per content version of the visit."""
    found = visits.public_visit(slug)
    return Markup(render_template(  # noqa: S704 - rendered by Jinja with autoescape
        "public/_visit_agenda.html",
        visit=found,
        days=agenda.agenda_by_day(found),
        bookings=showcase.approved_bookings_by_item(found),
    ))
