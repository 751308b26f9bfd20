"""The organiser area: visits, venues and the agenda builder.

Each view parses a form, calls one service function and turns its result or its
domain error into a page, a flash or a redirect. A visit, venue or item the
organiser does not organise is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from eventsapp.accounts import rules as users
from eventsapp.accounts.access import organiser_required
from eventsapp.agenda import rules as agenda
from eventsapp.calendar import feeds as calendar
from eventsapp.dbtypes import utcnow
from eventsapp.errors import Conflict, ValidationError
from eventsapp.ids import ID
from eventsapp.messages.rules import organiser_digest
from eventsapp.registration.rules import attendees
from eventsapp.timezones import all_zone_names
from eventsapp.visits import rules as visits
from eventsapp.visits.forms import VenueForm, VisitForm
from eventsapp.visits.groups import group_visits
from eventsapp.visits.models import VisitStatus
from eventsapp.visits.rules import VenueInput, VisitInput
from eventsapp.visits.views import bp
from eventsapp.web.organiser import actor, call, form_page, show_errors
from eventsapp.web.urls import absolute


def _visit_url(slug: str, anchor: str | None = None) -> str:
    return url_for("visits.organiser_visit", slug=slug, _anchor=anchor)


@bp.get("/organiser/")
@organiser_required
def organiser_home():
    user = calendar.ensure_user_feed(actor())  # accounts made before feeds existed
    found = visits.visits_for_organiser(user)
    return render_template(
        "visits/organiser_home.html", visits=found, groups=group_visits(found, utcnow()),
        needs=organiser_digest.needs([visit.id for visit in found]),
        feed_url=absolute(url_for("calendar.personal", token=users.feed_token(user))),
    )


@bp.post("/organiser/calendar/reset")
@organiser_required
def reset_calendar():
    calendar.reset_user_feed(actor())
    flash("Your calendar link is new. The old link has stopped working: subscribe again "
          "with the link below.", "success")
    return redirect(url_for("visits.organiser_home", _anchor="calendar"), 303)


def _visit_input(form: VisitForm) -> VisitInput:
    return VisitInput(
        title=form.title.data,
        slug=form.slug.data,
        city=form.city.data,
        host=form.host.data,
        timezone=form.timezone.data,
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        summary=form.summary.data or "",
    )


@bp.route("/organiser/visits/new", methods=["GET", "POST"])
@organiser_required
def new_visit():
    form = VisitForm()
    if form.validate_on_submit():
        try:
            visit = visits.create_visit(actor(), _visit_input(form))
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            flash(f"Created “{visit.title}”. Add its venues, then its agenda.", "success")
            _warn_if_past(visit)
            return redirect(_visit_url(visit.slug))
    return form_page("visits/visit_form.html", form=form, visit=None, zones=all_zone_names())


@bp.route("/organiser/visits/<slug>/edit", methods=["GET", "POST"])
@organiser_required
def edit_visit(slug: str):
    visit = call(visits.organiser_visit, slug)
    form = VisitForm(obj=visit)
    if form.validate_on_submit():
        try:
            visit = call(visits.update_visit, slug, _visit_input(form))
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            flash("Saved the visit's details.", "success")
            _warn_if_past(visit)
            return redirect(_visit_url(visit.slug))
    return form_page("visits/visit_form.html", form=form, visit=visit, zones=all_zone_names())


def _warn_if_past(visit) -> None:
    warning = visits.past_dates_warning(visit)
    if warning:
        flash(warning, "warning")


@bp.get("/organiser/visits/<slug>/")
@organiser_required
def organiser_visit(slug: str):
    found = call(visits.organiser_visit_with_agenda, slug)
    return render_template(
        "visits/organiser_visit.html",
        visit=found,
        days=agenda.agenda_by_day(found),
        warnings=agenda.agenda_warnings(found),
        counts=attendees.counts(found),
        is_over=visits.is_over(found),
        needs=organiser_digest.needs([found.id])[found.id],
        unslotted=organiser_digest.showcases_without_slots(found.id),
    )


def _set_visit_status(slug: str, status: VisitStatus, message: str, **options):
    visit = call(visits.set_visit_status, slug, status, **options)
    flash(message.format(title=visit.title), "success")
    return redirect(_visit_url(visit.slug))


@bp.post("/organiser/visits/<slug>/publish")
@organiser_required
def publish_visit(slug: str):
    try:
        return _set_visit_status(
            slug, VisitStatus.PUBLISHED, "Published “{title}”: its page and agenda are public.",
            confirm_past=request.form.get("confirm_past") == "yes",
        )
    except visits.PastVisitNotConfirmed as exc:
        flash(exc.message, "error")
        return redirect(_visit_url(slug, "publish"), 303)


@bp.post("/organiser/visits/<slug>/unpublish")
@organiser_required
def unpublish_visit(slug: str):
    return _set_visit_status(
        slug, VisitStatus.DRAFT, "“{title}” is a draft again: its public page is hidden."
    )


@bp.post("/organiser/visits/<slug>/cancel")
@organiser_required
def cancel_visit(slug: str):
    return _set_visit_status(
        slug, VisitStatus.CANCELLED, "Cancelled “{title}”: it shows as cancelled to everyone."
    )


def _venue_input(form: VenueForm) -> VenueInput:
    return VenueInput(
        name=form.name.data,
        address=form.address.data or "",
        latitude=form.latitude.data,
        longitude=form.longitude.data,
        access_notes=form.access_notes.data or "",
    )


@bp.route("/organiser/visits/<slug>/venues/new", methods=["GET", "POST"])
@organiser_required
def new_venue(slug: str):
    visit = call(visits.organiser_visit, slug)
    form = VenueForm()
    if form.validate_on_submit():
        try:
            venue = call(visits.create_venue, slug, _venue_input(form))
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            flash(f"Added the venue {venue.name}.", "success")
            return redirect(_visit_url(slug, f"venue-{venue.id}"))
    return form_page("visits/venue_form.html", form=form, visit=visit, venue=None)


@bp.route(f"/organiser/visits/<slug>/venues/<{ID}:venue_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit_venue(slug: str, venue_id: int):
    venue = call(visits.organiser_venue, slug, venue_id)
    visit = venue.visit
    form = VenueForm(obj=venue)
    if form.validate_on_submit():
        try:
            venue = call(visits.update_venue, slug, venue_id, _venue_input(form))
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            flash(f"Saved the venue {venue.name}.", "success")
            return redirect(_visit_url(slug, f"venue-{venue.id}"))
    return form_page("visits/venue_form.html", form=form, visit=visit, venue=venue)


@bp.post(f"/organiser/visits/<slug>/venues/<{ID}:venue_id>/delete")
@organiser_required
def delete_venue(slug: str, venue_id: int):
    try:
        call(visits.delete_venue, slug, venue_id)
    except Conflict as exc:
        flash(exc.message, "error")
    else:
        flash("Deleted the venue.", "success")
    return redirect(_visit_url(slug, "venues"))


FLASHED_WARNINGS = 3
