"""Public pages: the list of visits and a visit's agenda."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, make_response, render_template
from markupsafe import Markup

from eventsapp.agenda import rules as agenda
from eventsapp.cache import built_once
from eventsapp.errors import NotFound
from eventsapp.registration.rules import common as registration_common
from eventsapp.registration.rules import limited_items
from eventsapp.showcase.rules import reading as showcase_reading
from eventsapp.visits import rules as visits
from eventsapp.visits import stamps
from eventsapp.web.caching import shared_unless_personal
from eventsapp.web.urls import absolute

bp = Blueprint("visits", __name__)


@bp.get("/")
def index():
    page = render_template(
        "visits/index.html", visits=visits.published_upcoming_visits(datetime.now(UTC).date())
    )
    return shared_unless_personal(make_response(page))


@bp.get("/visits/<slug>/")
def visit(slug: str):
    try:
        stamp = stamps.public_stamp(slug)
    except NotFound:
        abort(404)
    version = (stamp.version, stamp.created_at)
    # Places left on limited items move with every sign-up, which the content version
    # does not follow: such a visit's agenda is kept per version and places left.
    limited = built_once(("limited items", stamp.visit_id), version,
                         lambda: limited_items.has_limited_items(stamp.visit_id))
    places = limited_items.places_by_item(stamp.visit_id) if limited else {}
    found, agenda_html = built_once(
        ("visit page", stamp.visit_id), (*version, *sorted(places.items())),
        lambda: _visit_page(slug, places))
    window, window_message = registration_common.registration_window(found)
    page = render_template(
        "visits/visit.html",
        visit=found,
        agenda_html=Markup(agenda_html),  # noqa: S704 - rendered by our own template
        window=window.value,
        window_message=window_message,
        closes_at=registration_common.registration_closes_at(found),
        places_left=registration_common.places_left(found),
        calendar_url=absolute(f"/visits/{found.slug}/agenda.ics"),
    )
    return shared_unless_personal(make_response(page))


def _visit_page(slug: str, places: dict[int, int]) -> tuple[visits.VisitSnapshot, str]:
    """What the page shows of the visit, rendered once per content version and places
    left (item id: places): a copy of the visit's row, and the agenda and venues as HTML."""
    found = visits.public_visit(slug)
    agenda_html = render_template(
        "visits/_visit_agenda.html",
        visit=found,
        days=agenda.agenda_by_day(found),
        bookings=showcase_reading.approved_bookings_by_item(found),
        places=places,
    )
    return visits.snapshot(found), agenda_html
