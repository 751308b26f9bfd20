"""An attendee's printable itinerary, behind their private link (/r/<token>/itinerary).

Like every page behind the private link it is sent with ``Referrer-Policy:
no-referrer`` and ``Cache-Control: no-store``. An unknown or erased link is a 404
that says so; a cancelled registration gets a message instead of an itinerary.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from eventsapp.services import itinerary as itinerary_service
from eventsapp.services.errors import NotFound
from eventsapp.views.registration import private

bp = Blueprint("itinerary", __name__)
bp.after_request(private)


@bp.get("/r/<token>/itinerary")
def itinerary(token: str):
    try:
        found = itinerary_service.attendee_itinerary(token)
    except NotFound:
        return render_template(
            "errors/error.html", code=404, title="No itinerary at this link",
            detail="This private link does not open a registration. It may have been "
                   "mistyped, or the registration's data may have been erased at the "
                   "attendee's request."), 404
    return render_template("registration/itinerary.html", token=token, it=found,
                           visit=found.visit, registration=found.registration)
