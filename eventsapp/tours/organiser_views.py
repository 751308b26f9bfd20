"""The convenor's side: tours, their visits in order, travel legs, the dashboard.
A tour of another organisation is a 404; a viewer's POST is a 403."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from wtforms import SelectChoice

from eventsapp.accounts.access import organiser_required
from eventsapp.errors import Conflict, Forbidden, NotFound, ValidationError
from eventsapp.ids import ID
from eventsapp.organisations.rules import can_organise_in
from eventsapp.spreadsheet import to_csv
from eventsapp.tours.forms import AddVisitForm, LegForm, NewTourForm, TourForm
from eventsapp.tours.rules import access, building, reading
from eventsapp.tours.views import bp
from eventsapp.web.organiser import actor, csv_download, form_page, show_errors


def _call(rule, *args, **kwargs):
    try:
        return rule(actor(), *args, **kwargs)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)


def _tour_url(slug: str, anchor: str | None = None) -> str:
    return url_for("tours.organiser_tour", slug=slug, _anchor=anchor)


@bp.route("/organiser/tours/", methods=["GET", "POST"])
@organiser_required
def organiser_tours():
    form = NewTourForm()
    convening = access.convening_organisations(actor())
    form.organisation_id.choices = [SelectChoice(o.id, o.name) for o in convening]
    if request.method == "POST":
        if not convening:
            abort(403)
        if form.validate_on_submit():
            try:
                tour = building.create_tour(actor(), form.organisation_id.data, form.fields())
            except (ValidationError, Conflict) as exc:
                show_errors(form, exc)
            else:
                flash(f"Tour “{tour.title}” created. Add its visits and travel legs.",
                      "success")
                return redirect(_tour_url(tour.slug), 303)
    return form_page("tours/organiser_tours.html", tours=access.convenor_tours(actor()),
                     form=form, convening=convening)


@bp.route("/organiser/tours/<slug>/", methods=["GET", "POST"])
@organiser_required
def organiser_tour(slug: str):
    tour = _call(access.readable_tour, slug)
    form = TourForm(obj=tour if request.method == "GET" else None)
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                tour = _call(building.update_tour, slug, form.fields())
            except (ValidationError, Conflict) as exc:
                show_errors(form, exc)
            else:
                flash("Tour saved.", "success")
                return redirect(_tour_url(tour.slug), 303)
        _call(access.convened_tour, slug)  # a viewer's POST is refused before anything
    visits = [s.visit for s in tour.live_stops]
    return form_page("tours/organiser_tour.html", tour=tour, form=form,
                     add_form=AddVisitForm(formdata=None),
                     leg_form=LegForm(formdata=None).with_visits(visits),
                     can_change=can_organise_in(actor(), tour.organisation_id))


@bp.post("/organiser/tours/<slug>/visits")
@organiser_required
def add_visit(slug: str):
    tour = _call(access.convened_tour, slug)
    add_form = AddVisitForm()
    if add_form.validate_on_submit():
        try:
            _call(building.add_visit, slug, add_form.visit_slug.data)
        except (ValidationError, Conflict) as exc:
            show_errors(add_form, exc)
        else:
            flash("Visit added to the tour.", "success")
            return redirect(_tour_url(slug, "visits"), 303)
    visits = [s.visit for s in tour.live_stops]
    return form_page("tours/organiser_tour.html", tour=tour, form=TourForm(obj=tour,
                     formdata=None), add_form=add_form,
                     leg_form=LegForm(formdata=None).with_visits(visits), can_change=True)


@bp.post(f"/organiser/tours/<slug>/visits/<{ID}:stop_id>/remove")
@organiser_required
def remove_visit(slug: str, stop_id: int):
    _call(building.remove_visit, slug, stop_id)
    flash("Visit taken off the tour. Its events leave the tour's calendar as cancelled.",
          "success")
    return redirect(_tour_url(slug, "visits"), 303)


@bp.post(f"/organiser/tours/<slug>/visits/<{ID}:stop_id>/move")
@organiser_required
def move_visit(slug: str, stop_id: int):
    _call(building.move_visit, slug, stop_id, -1 if request.form.get("to") == "up" else 1)
    return redirect(_tour_url(slug, "visits"), 303)


@bp.post("/organiser/tours/<slug>/legs")
@organiser_required
def add_leg(slug: str):
    tour = _call(access.convened_tour, slug)
    visits = [s.visit for s in tour.live_stops]
    leg_form = LegForm().with_visits(visits)
    if leg_form.validate_on_submit():
        try:
            _call(building.add_leg, slug, leg_form.fields())
        except (ValidationError, Conflict) as exc:
            show_errors(leg_form, exc)
        else:
            flash("Travel leg added.", "success")
            return redirect(_tour_url(slug, "legs"), 303)
    return form_page("tours/organiser_tour.html", tour=tour,
                     form=TourForm(obj=tour, formdata=None),
                     add_form=AddVisitForm(formdata=None), leg_form=leg_form, can_change=True)


@bp.route(f"/organiser/tours/<slug>/legs/<{ID}:leg_id>", methods=["GET", "POST"])
@organiser_required
def edit_leg(slug: str, leg_id: int):
    tour = _call(access.convened_tour, slug)
    leg = next((leg for leg in tour.live_legs if leg.id == leg_id), None)
    if leg is None:
        abort(404)
    visits = [s.visit for s in tour.live_stops]
    leg_form = LegForm(obj=leg if request.method == "GET" else None).with_visits(visits)
    if request.method == "GET":
        leg_form.departs_at.data = leg.departs_at.astimezone(leg.zone).replace(tzinfo=None)
        leg_form.arrives_at.data = leg.arrives_at.astimezone(leg.zone).replace(tzinfo=None)
        leg_form.mode.data = leg.mode.value
    elif leg_form.validate_on_submit():
        try:
            _call(building.update_leg, slug, leg_id, leg_form.fields())
        except (ValidationError, Conflict) as exc:
            show_errors(leg_form, exc)
        else:
            flash("Travel leg saved.", "success")
            return redirect(_tour_url(slug, "legs"), 303)
    return form_page("tours/leg_form.html", tour=tour, leg=leg, form=leg_form)


@bp.post(f"/organiser/tours/<slug>/legs/<{ID}:leg_id>/delete")
@organiser_required
def delete_leg(slug: str, leg_id: int):
    try:
        _call(building.delete_leg, slug, leg_id)
    except Conflict as exc:
        flash(exc.message, "error")
    else:
        flash("Travel leg removed: subscribed calendars drop it.", "success")
    return redirect(_tour_url(slug, "legs"), 303)


@bp.get("/organiser/tours/<slug>/dashboard")
@organiser_required
def dashboard(slug: str):
    tour = _call(access.readable_tour, slug)
    return render_template("tours/dashboard.html", board=reading.dashboard(tour))


@bp.get(f"/organiser/tours/<slug>/legs/<{ID}:leg_id>/passengers.csv")
@organiser_required
def passengers_csv(slug: str, leg_id: int):
    """A leg's passenger list for the coach company or the rail booking: anyone of the
    convenor may read it (viewers too); formulas are neutralised (eventsapp.spreadsheet)."""
    tour = _call(access.readable_tour, slug)
    try:
        leg, rows = reading.passenger_list(tour, leg_id)
    except NotFound:
        abort(404)
    day = leg.departs_at.astimezone(leg.zone).date().isoformat()
    return csv_download(to_csv(reading.PASSENGER_HEADER, rows),
                        f"{tour.slug}-{day}-{leg.mode.value}-leg-{leg.id}-passengers.csv")
