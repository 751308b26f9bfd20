"""The public side of a tour: its page, its calendars, registering, the delegate's
private page and personal feed."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.util import get_remote_address
from wtforms import SelectChoice

from eventsapp.calendar.views import document_or_404, feed_or_404
from eventsapp.errors import Conflict, NotFound, ValidationError
from eventsapp.extensions import limiter
from eventsapp.registration.models import RegistrationStatus
from eventsapp.registration.rules.capacity import waitlist_position
from eventsapp.registration.rules.common import Window, registration_window
from eventsapp.tours.forms import TourRegistrationForm
from eventsapp.tours.rules import feeds, reading, registering
from eventsapp.web.caching import shared_unless_personal

bp = Blueprint("tours", __name__)


def _public(slug: str):
    try:
        return reading.public_tour(slug)
    except NotFound:
        abort(404)


@bp.get("/tours/<slug>/")
def tour(slug: str):
    found = _public(slug)
    response = Response(render_template(
        "tours/tour.html", tour=found, visits=reading.public_visits(found),
        legs=found.live_legs, can_register=bool(reading.open_visits(found))))
    return shared_unless_personal(response)


@bp.get("/tours/<slug>/agenda.ics")
def agenda_ics(slug: str):
    return feed_or_404(feeds.tour_feed, slug)


@bp.get("/tours/<slug>/agenda.json")
def agenda_json(slug: str):
    return document_or_404(feeds.tour_json, slug)


def _open(visit) -> tuple[bool, str]:
    window, message = registration_window(visit)
    return window is Window.OPEN, message


def _show_errors(form, error, extra: dict[str, str]) -> None:
    fields = error.errors if isinstance(error, ValidationError) else {error.field: error.message}
    for name, message in fields.items():
        if name and name in form:
            form[name].errors = [*form[name].errors, message]
        else:
            extra[name or "form"] = message


@bp.route("/tours/<slug>/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTRATION_RATE_LIMIT"], methods=["POST"],
               key_func=get_remote_address)
def register(slug: str):
    found = _public(slug)
    visits = reading.open_visits(found)
    form = TourRegistrationForm()
    form.visits.choices = [SelectChoice(v.id, v.title) for v in visits]
    form.legs.choices = [SelectChoice(leg.id, leg.title) for leg in found.live_legs]
    extra: dict[str, str] = {}
    if form.validate_on_submit():
        try:
            outcome = registering.register(slug, form.delegate(),
                                           form.choices_from(request.form, visits))
        except NotFound:
            abort(404)
        except (ValidationError, Conflict) as exc:
            _show_errors(form, exc, extra)
        else:
            return redirect(url_for("tours.manage", token=outcome.manage_token,
                                    registered=1), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("tours/register.html", tour=found, visits=visits, form=form,
                           extra=extra, raw=request.form, opening={v.id: _open(v) for v in visits},
                           ), status


@bp.route("/tours/r/<token>", methods=["GET", "POST"])
def manage(token: str):
    try:
        delegate = registering.by_token(token)
    except NotFound:
        abort(404)
    found = delegate.tour
    visits = reading.open_visits(found)
    live = registering.live_registrations(delegate)
    shown = visits + [r.visit for r in live.values() if r.visit not in visits]
    form = TourRegistrationForm(obj=delegate if request.method == "GET" else None)
    form.visits.choices = [SelectChoice(v.id, v.title) for v in shown]
    form.legs.choices = [SelectChoice(leg.id, leg.title) for leg in found.live_legs]
    if request.method == "GET":
        form.visits.data = list(live)
        form.legs.data = [leg.id for leg in delegate.legs]
        form.privacy_accepted.data = True
    extra: dict[str, str] = {}
    if request.method == "POST" and form.validate_on_submit():
        try:
            registering.change(token, form.delegate(), form.choices_from(request.form, shown))
        except NotFound:
            abort(404)
        except (ValidationError, Conflict) as exc:
            _show_errors(form, exc, extra)
        else:
            flash("Your tour registration was saved.", "success")
            return redirect(url_for("tours.manage", token=token), 303)
    answers = {}
    for registration in live.values():
        answers.update(registration.answers or {})
    response = Response(render_template(
        "tours/manage.html", tour=found, delegate=delegate, live=live, visits=shown,
        form=form, extra=extra, raw=request.form if request.method == "POST" else None,
        answers=answers, statuses=RegistrationStatus, opening={v.id: _open(v) for v in shown},
        positions={r.visit_id: waitlist_position(r) for r in live.values()},
        registered=request.args.get("registered"),
        manage_url=registering.manage_url(delegate), feed_url=registering.feed_url(delegate),
        passenger_rule=reading.PASSENGER_RULE),
        status=422 if request.method == "POST" else 200)
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    response.cache_control.private = True
    response.cache_control.no_store = True
    return response


@bp.post("/tours/r/<token>/cancel")
def cancel(token: str):
    try:
        registering.cancel(token)
    except NotFound:
        abort(404)
    flash("Your tour registration is cancelled: your places went to the next people "
          "waiting.", "success")
    return redirect(url_for("tours.manage", token=token), 303)


@bp.get("/tours/feeds/<token>.ics")
def personal_feed(token: str):
    return feed_or_404(feeds.personal_feed, token)
