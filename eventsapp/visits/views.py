"""Public pages: the list of visits and a visit's agenda."""

from __future__ import annotations

import functools
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
from eventsapp.visits.models import Visit
from eventsapp.web.caching import is_shared_request, shared_unless_personal
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
    loaded = functools.cache(lambda: visits.public_visit(slug))  # read once, only when building
    found = built_once(("visit", stamp.visit_id), version,
                       lambda: visits.snapshot(loaded()))
    # Places left on limited items move with every sign-up, which the content version
    # does not follow: such a visit's agenda is kept per version and places left.
    limited = built_once(("limited items", stamp.visit_id), version,
                         lambda: limited_items.has_limited_items(stamp.visit_id))
    places = limited_items.places_by_item(stamp.visit_id) if limited else {}
    content = (*version, *sorted(places.items()))
    window, window_message = registration_common.registration_window(found)
    context = {
        "window": window.value,
        "window_message": window_message,
        "closes_at": registration_common.registration_closes_at(found),
        "places_left": registration_common.places_left(found),
        "calendar_url": absolute(f"/visits/{found.slug}/agenda.ics"),
    }

    def render() -> str:
        agenda_html = built_once(("visit agenda", stamp.visit_id), content,
                                 lambda: _agenda_html(loaded(), places))
        return render_template("visits/visit.html", visit=found,
                               agenda_html=Markup(agenda_html),  # noqa: S704 - our template
                               **context)

    if not is_shared_request():
        return shared_unless_personal(make_response(render()))
    # The same for every visitor without a session: the whole page is kept, keyed by
    # everything it shows (the content, places left, the registration window, the host).
    page = built_once(("visit page", stamp.visit_id),
                      (*content, *(str(value) for value in context.values())),
                      lambda: render().encode())
    return shared_unless_personal(make_response(page))


def _agenda_html(found: Visit, places: dict[int, int]) -> str:
    """The agenda and venues as HTML, rendered once per content version and places left
    (item id: places)."""
    return render_template(
        "visits/_visit_agenda.html",
        visit=found,
        days=agenda.agenda_by_day(found),
        bookings=showcase_reading.approved_bookings_by_item(found),
        places=places,
    )
