"""Check-in on the day, on the organiser blueprint: the desk (search, one tap to check
someone in or undo, live counts), the counts as JSON for the desk's script, and the
page a scanned QR code opens.

Every button is a plain POST form that redirects back, keeping the search, so the desk
works without JavaScript; static/js/checkin.js submits the same forms with fetch and
asks for JSON, to update the row in place. GET never changes anything.
"""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for

from eventsapp.accounts.access import organiser_required
from eventsapp.checkin import rules as checkin
from eventsapp.errors import Conflict
from eventsapp.ids import ID
from eventsapp.visits import rules as visits
from eventsapp.web.filters import local_time, zone_label
from eventsapp.web.organiser import call

bp = Blueprint("checkin", __name__)


DESK = "/organiser/visits/<slug>/check-in"


ONE = f"{DESK}/<{ID}:registration_id>"


@bp.app_template_global("checkin_code")
def checkin_code(registration) -> str | None:
    """For the attendee's private page: their check-in QR code (confirmed only)."""
    return checkin.qr_code(registration)


SCANNED = f"{DESK}/<{ID}:registration_id>-<sig>"


SEARCH_MAX = 200


def _search_term(values) -> str:
    return " ".join(values.get("q", "").replace("\x00", "").split())[:SEARCH_MAX]


def _wants_json() -> bool:
    """The desk's script asks for JSON alone; a form post (or "*/*") takes the redirect."""
    accept = request.accept_mimetypes
    return accept.quality("application/json") > accept.quality("text/html")


def _name(entry) -> str:
    return entry.registration.full_name or "This registration"


def _message(outcome, undo: bool = False) -> tuple[str, str]:
    entry = outcome.entry
    if undo:
        if outcome.changed:
            return f"Undone: {_name(entry)} is no longer checked in.", "success"
        return f"{_name(entry)} was not checked in.", "warning"
    visit = entry.registration.visit
    when = entry.checked_in_at
    at = f"{local_time(when, visit)} {zone_label(when, visit)}"
    by = entry.checked_in_by or "an organiser"
    if outcome.changed:
        return f"Checked in {_name(entry)} at {at}.", "success"
    return f"{_name(entry)} was already checked in at {at} by {by}.", "warning"


def _counts_data(counts) -> dict:
    return {"checked_in": counts.checked_in, "confirmed": counts.confirmed}


@bp.get(DESK)
@organiser_required
def check_in_desk(slug: str):
    visit = call(visits.organiser_visit, slug)
    q = _search_term(request.args)
    return render_template(
        "checkin/desk.html",
        visit=visit,
        q=q,
        entries=checkin.search(visit, q),
        counts=checkin.counts(visit),
    )


@bp.get(f"{DESK}/counts.json")
@organiser_required
def check_in_counts(slug: str):
    visit = call(visits.organiser_visit, slug)
    response = jsonify(_counts_data(checkin.counts(visit)))
    response.headers["Cache-Control"] = "no-store"
    return response


def _desk_action(slug: str, registration_id: int, service, undo: bool):
    """Check in or undo from the desk: back to the desk with the search kept, or, for
    the desk's script, the row as it now is and the counts, as JSON."""
    q = _search_term(request.form)
    try:
        outcome = call(service, slug, registration_id)
    except Conflict as exc:
        if _wants_json():
            return jsonify({"message": exc.message, "category": "error"}), 409
        flash(exc.message, "error")
        return redirect(url_for("checkin.check_in_desk", slug=slug, q=q or None))
    message, category = _message(outcome, undo)
    if _wants_json():
        visit = outcome.entry.registration.visit
        row = render_template("checkin/_row.html", visit=visit, entry=outcome.entry,
                              q=q)
        return jsonify({"message": message, "category": category, "row": row,
                        "counts": _counts_data(checkin.counts(visit))})
    flash(message, category)
    return redirect(url_for("checkin.check_in_desk", slug=slug, q=q or None,
                            _anchor=f"registration-{registration_id}"))


@bp.post(ONE)
@organiser_required
def check_in(slug: str, registration_id: int):
    return _desk_action(slug, registration_id, checkin.check_in, undo=False)


@bp.post(f"{ONE}/undo")
@organiser_required
def undo_check_in(slug: str, registration_id: int):
    return _desk_action(slug, registration_id, checkin.undo_check_in, undo=True)


def _scanned_entry(slug: str, registration_id: int, sig: str):
    return call(checkin.scanned, slug, registration_id, sig)


@bp.get(SCANNED)
@organiser_required
def scanned(slug: str, registration_id: int, sig: str):
    renamed = checkin.renamed_slug(registration_id, sig, slug)
    if renamed is not None:  # a code printed before the visit's address changed
        return redirect(url_for("checkin.scanned", slug=renamed, registration_id=registration_id,
                                sig=sig))
    entry = _scanned_entry(slug, registration_id, sig)
    visit = entry.registration.visit
    return render_template("checkin/scanned.html", visit=visit, entry=entry,
                           sig=sig, counts=checkin.counts(visit))


def _scanned_action(slug: str, registration_id: int, sig: str, service, undo: bool):
    # The link is checked again: a POST to an altered link is a 404 like its page.
    _scanned_entry(slug, registration_id, sig)
    try:
        outcome = call(service, slug, registration_id)
    except Conflict as exc:
        flash(exc.message, "error")
    else:
        flash(*_message(outcome, undo))
    return redirect(url_for("checkin.scanned", slug=slug, registration_id=registration_id, sig=sig))


@bp.post(SCANNED)
@organiser_required
def scanned_check_in(slug: str, registration_id: int, sig: str):
    return _scanned_action(slug, registration_id, sig, checkin.check_in, undo=False)


@bp.post(f"{SCANNED}/undo")
@organiser_required
def scanned_undo(slug: str, registration_id: int, sig: str):
    return _scanned_action(slug, registration_id, sig, checkin.undo_check_in, undo=True)
