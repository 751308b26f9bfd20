"""The organiser area: visits, venues and the agenda builder.

Each view parses a form, calls one service function and turns its result or its
domain error into a page, a flash or a redirect. A visit, venue or item the
organiser does not organise is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from textwrap import shorten

from flask import flash, redirect, render_template, request, url_for

from eventsapp.forms.agenda import ItemForm
from eventsapp.forms.visits import VenueForm, VisitForm
from eventsapp.ids import ID
from eventsapp.models import ItemKind, ItemStatus, VisitStatus
from eventsapp.services import agenda, attendees, calendar, users, visits
from eventsapp.services.agenda import ItemInput
from eventsapp.services.errors import Conflict, ValidationError
from eventsapp.services.visits import VenueInput, VisitInput
from eventsapp.timezones import all_zone_names, to_local
from eventsapp.urls import absolute
from eventsapp.views.access import organiser_required
from eventsapp.views.organiser.blueprint import bp
from eventsapp.views.organiser.common import actor, call, form_page, show_errors

# --- helpers -----------------------------------------------------------------------------














def _visit_url(slug: str, anchor: str | None = None) -> str:
    return url_for(".visit", slug=slug, _anchor=anchor)


# --- visits ------------------------------------------------------------------------------


@bp.get("/")
@organiser_required
def index():
    user = calendar.ensure_user_feed(actor())  # accounts made before feeds existed
    return render_template(
        "organiser/index.html", visits=visits.visits_for_organiser(user),
        feed_url=absolute(url_for("feeds.personal", token=users.feed_token(user))),
    )


@bp.post("/calendar/reset")
@organiser_required
def reset_calendar():
    calendar.reset_user_feed(actor())
    flash("Your calendar link is new. The old link has stopped working: subscribe again "
          "with the link below.", "success")
    return redirect(url_for(".index", _anchor="calendar"), 303)


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


@bp.route("/visits/new", methods=["GET", "POST"])
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
    return form_page("organiser/visit_form.html", form=form, visit=None, zones=all_zone_names())


@bp.route("/visits/<slug>/edit", methods=["GET", "POST"])
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
    return form_page("organiser/visit_form.html", form=form, visit=visit, zones=all_zone_names())


def _warn_if_past(visit) -> None:
    warning = visits.past_dates_warning(visit)
    if warning:
        flash(warning, "warning")


@bp.get("/visits/<slug>/")
@organiser_required
def visit(slug: str):
    found = call(visits.organiser_visit_with_agenda, slug)
    return render_template(
        "organiser/visit.html",
        visit=found,
        days=agenda.agenda_by_day(found),
        warnings=agenda.agenda_warnings(found),
        counts=attendees.counts(found),
        is_over=visits.is_over(found),
    )


def _set_visit_status(slug: str, status: VisitStatus, message: str, **options):
    visit = call(visits.set_visit_status, slug, status, **options)
    flash(message.format(title=visit.title), "success")
    return redirect(_visit_url(visit.slug))


@bp.post("/visits/<slug>/publish")
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


@bp.post("/visits/<slug>/unpublish")
@organiser_required
def unpublish_visit(slug: str):
    return _set_visit_status(
        slug, VisitStatus.DRAFT, "“{title}” is a draft again: its public page is hidden."
    )


@bp.post("/visits/<slug>/cancel")
@organiser_required
def cancel_visit(slug: str):
    return _set_visit_status(
        slug, VisitStatus.CANCELLED, "Cancelled “{title}”: it shows as cancelled to everyone."
    )


# --- venues ------------------------------------------------------------------------------


def _venue_input(form: VenueForm) -> VenueInput:
    return VenueInput(
        name=form.name.data,
        address=form.address.data or "",
        latitude=form.latitude.data,
        longitude=form.longitude.data,
        access_notes=form.access_notes.data or "",
    )


@bp.route("/visits/<slug>/venues/new", methods=["GET", "POST"])
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
    return form_page("organiser/venue_form.html", form=form, visit=visit, venue=None)


@bp.route(f"/visits/<slug>/venues/<{ID}:venue_id>/edit", methods=["GET", "POST"])
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
    return form_page("organiser/venue_form.html", form=form, visit=visit, venue=venue)


@bp.post(f"/visits/<slug>/venues/<{ID}:venue_id>/delete")
@organiser_required
def delete_venue(slug: str, venue_id: int):
    try:
        call(visits.delete_venue, slug, venue_id)
    except Conflict as exc:
        flash(exc.message, "error")
    else:
        flash("Deleted the venue.", "success")
    return redirect(_visit_url(slug, "venues"))


# --- agenda items ------------------------------------------------------------------------


def _item_form(visit, **kwargs) -> ItemForm:
    return ItemForm(
        zone_name=visit.timezone, venues=[(v.id, v.name) for v in visit.venues], **kwargs
    )


def _item_input(form: ItemForm) -> ItemInput:
    return ItemInput(
        kind=ItemKind(form.kind.data),
        title=form.title.data,
        starts_local=form.starts_at.data,
        ends_local=form.ends_at.data,
        venue_id=form.venue_id.data,
        hosts=form.hosts.data or "",
        description=form.description.data or "",
        capacity=form.capacity.data,
    )


# Flashes travel in the session cookie, which browsers drop beyond 4 kB: the agenda
# page lists every warning, the flash only the first few.
FLASHED_WARNINGS = 3


def _flash_item_saved(item, verb: str) -> None:
    flash(f"{verb} “{item.title}”.", "success")
    warnings = [w for w in agenda.agenda_warnings(item.visit) if item.id in w.item_ids]
    for warning in warnings[:FLASHED_WARNINGS]:
        flash(shorten(warning.message, 300, placeholder="…"), "warning")
    if len(warnings) > FLASHED_WARNINGS:
        more = len(warnings) - FLASHED_WARNINGS
        flash(f"And {more} more: see “Things to check” on the agenda.", "warning")


def _new_item_defaults(visit) -> dict:
    """09:00–10:00 on the day asked for (?day=YYYY-MM-DD), else on the first day."""
    try:
        day = date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        day = visit.start_date
    if day not in visit.days:
        day = visit.start_date
    starts = datetime.combine(day, time(9, 0))
    return {"starts_at": starts, "ends_at": starts + timedelta(hours=1)}


@bp.route("/visits/<slug>/items/new", methods=["GET", "POST"])
@organiser_required
def new_item(slug: str):
    visit = call(visits.organiser_visit, slug)
    form = _item_form(visit, data=None if request.method == "POST" else _new_item_defaults(visit))
    if form.validate_on_submit():
        try:
            item = call(agenda.add_item, slug, _item_input(form))
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            _flash_item_saved(item, "Added")
            return redirect(_visit_url(slug, f"item-{item.id}"))
    return form_page("organiser/item_form.html", form=form, visit=visit, item=None)


def _item_data(item) -> dict:
    zone = item.visit.zone
    return {
        "kind": item.kind.value,
        "title": item.title,
        "starts_at": to_local(item.starts_at, zone).replace(tzinfo=None),
        "ends_at": to_local(item.ends_at, zone).replace(tzinfo=None),
        "venue_id": item.venue_id,
        "hosts": item.hosts,
        "description": item.description,
        "capacity": item.capacity,
    }


@bp.route(f"/visits/<slug>/items/<{ID}:item_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit_item(slug: str, item_id: int):
    item = call(agenda.organiser_item, slug, item_id)
    visit = item.visit
    form = _item_form(visit, data=_item_data(item))
    if form.validate_on_submit():
        try:
            item = call(agenda.update_item, slug, item_id, _item_input(form))
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            _flash_item_saved(item, "Saved")
            return redirect(_visit_url(slug, f"item-{item.id}"))
    return form_page("organiser/item_form.html", form=form, visit=visit, item=item)


@bp.post(f"/visits/<slug>/items/<{ID}:item_id>/duplicate")
@organiser_required
def duplicate_item(slug: str, item_id: int):
    copy = call(agenda.duplicate_item, slug, item_id)
    flash(f"Made a copy, “{copy.title}”, at the same time. Change what differs below.",
          "success")
    return redirect(url_for(".edit_item", slug=slug, item_id=copy.id))


@bp.post(f"/visits/<slug>/items/<{ID}:item_id>/cancel")
@organiser_required
def cancel_item(slug: str, item_id: int):
    item = call(agenda.set_item_status, slug, item_id, ItemStatus.CANCELLED)
    flash(f"Cancelled “{item.title}”: it stays on the agenda, marked Cancelled.", "success")
    return redirect(_visit_url(slug, f"item-{item.id}"))


@bp.post(f"/visits/<slug>/items/<{ID}:item_id>/reinstate")
@organiser_required
def reinstate_item(slug: str, item_id: int):
    item = call(agenda.set_item_status, slug, item_id, ItemStatus.CONFIRMED)
    flash(f"Reinstated “{item.title}”.", "success")
    return redirect(_visit_url(slug, f"item-{item.id}"))


@bp.post(f"/visits/<slug>/items/<{ID}:item_id>/delete")
@organiser_required
def delete_item(slug: str, item_id: int):
    call(agenda.delete_item, slug, item_id)
    flash("Deleted the agenda item.", "success")
    return redirect(_visit_url(slug, "agenda"))
