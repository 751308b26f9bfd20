"""The organiser area: visits, venues and the agenda builder.

Each view parses a form, calls one service function and turns its result or its
domain error into a page, a flash or a redirect. A visit, venue or item the
organiser does not organise is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from textwrap import shorten

from flask import Blueprint, flash, redirect, request, url_for

from eventsapp.accounts.access import organiser_required
from eventsapp.agenda import rules as agenda
from eventsapp.agenda.forms import ItemForm
from eventsapp.agenda.models import ItemKind, ItemStatus
from eventsapp.agenda.rules import ItemInput
from eventsapp.errors import ValidationError
from eventsapp.ids import ID
from eventsapp.timezones import to_local
from eventsapp.visits import rules as visits
from eventsapp.web.organiser import call, form_page, show_errors

bp = Blueprint("agenda", __name__)


def _visit_url(slug: str, anchor: str | None = None) -> str:
    return url_for("visits.organiser_visit", slug=slug, _anchor=anchor)


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


@bp.route("/organiser/visits/<slug>/items/new", methods=["GET", "POST"])
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
    return form_page("agenda/item_form.html", form=form, visit=visit, item=None)


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


@bp.route(f"/organiser/visits/<slug>/items/<{ID}:item_id>/edit", methods=["GET", "POST"])
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
    return form_page("agenda/item_form.html", form=form, visit=visit, item=item)


@bp.post(f"/organiser/visits/<slug>/items/<{ID}:item_id>/duplicate")
@organiser_required
def duplicate_item(slug: str, item_id: int):
    copy = call(agenda.duplicate_item, slug, item_id)
    flash(f"Made a copy, “{copy.title}”, at the same time. Change what differs below.",
          "success")
    return redirect(url_for("agenda.edit_item", slug=slug, item_id=copy.id))


@bp.post(f"/organiser/visits/<slug>/items/<{ID}:item_id>/cancel")
@organiser_required
def cancel_item(slug: str, item_id: int):
    item = call(agenda.set_item_status, slug, item_id, ItemStatus.CANCELLED)
    flash(f"Cancelled “{item.title}”: it stays on the agenda, marked Cancelled.", "success")
    return redirect(_visit_url(slug, f"item-{item.id}"))


@bp.post(f"/organiser/visits/<slug>/items/<{ID}:item_id>/reinstate")
@organiser_required
def reinstate_item(slug: str, item_id: int):
    item = call(agenda.set_item_status, slug, item_id, ItemStatus.CONFIRMED)
    flash(f"Reinstated “{item.title}”.", "success")
    return redirect(_visit_url(slug, f"item-{item.id}"))


@bp.post(f"/organiser/visits/<slug>/items/<{ID}:item_id>/delete")
@organiser_required
def delete_item(slug: str, item_id: int):
    call(agenda.delete_item, slug, item_id)
    flash("Deleted the agenda item.", "success")
    return redirect(_visit_url(slug, "agenda"))
