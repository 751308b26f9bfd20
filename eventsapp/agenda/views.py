"""The organiser area: visits, venues and the agenda builder.

Each view parses a form, calls one service function and turns its result or its
domain error into a page, a flash or a redirect. A visit, venue or item the
organiser does not organise is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

import base64
from textwrap import shorten

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from eventsapp.accounts.access import organiser_required
from eventsapp.agenda import rules as agenda
from eventsapp.agenda.forms import AgendaImportForm, ConfirmImportForm, ItemForm
from eventsapp.agenda.models import ItemKind, ItemStatus
from eventsapp.agenda.rules import ItemInput, importing, next_item
from eventsapp.errors import ValidationError
from eventsapp.ids import ID
from eventsapp.spreadsheet import to_csv
from eventsapp.timezones import to_local
from eventsapp.visits import rules as visits
from eventsapp.web.organiser import call, form_page, show_errors
from eventsapp.wording import count_noun

bp = Blueprint("agenda", __name__)


def _agenda_url(slug: str, anchor: str | None = None) -> str:
    return url_for("agenda.agenda_page", slug=slug, _anchor=anchor)


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


def _new_item_choice(visit) -> next_item.ItemDefaults:
    """What the form opens with: ?day=YYYY-MM-DD, ?kind=… and ?after=<item id> (the item
    just saved) choose it; see agenda.rules.next_item."""
    after = next_item.live_item(visit, request.args.get("after", ""))
    kind = request.args.get("kind", "")
    day = next_item.choose_day(visit, request.args.get("day"), after)
    return next_item.item_defaults(
        visit, day, ItemKind(kind) if kind in ItemKind.__members__.values() else None, after
    )


def _defaults_data(found: next_item.ItemDefaults) -> dict:
    return {"kind": found.kind.value, "starts_at": found.starts_local,
            "ends_at": found.ends_local, "venue_id": found.venue_id}


@bp.get("/organiser/visits/<slug>/agenda")
@organiser_required
def agenda_page(slug: str):
    """The agenda builder: the items day by day with their controls and warnings."""
    found = call(visits.organiser_visit_with_agenda, slug)
    return render_template(
        "agenda/agenda.html", visit=found, days=agenda.agenda_by_day(found),
        warnings=agenda.agenda_warnings(found),
        added=request.args.get("added", type=int),  # the item just added: offer the next
    )


@bp.route("/organiser/visits/<slug>/items/new", methods=["GET", "POST"])
@organiser_required
def new_item(slug: str):
    visit = call(visits.organiser_visit, slug)
    found = _new_item_choice(visit)
    form = _item_form(visit, data=None if request.method == "POST" else _defaults_data(found))
    if form.validate_on_submit():
        try:
            item = call(agenda.add_item, slug, _item_input(form))
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            _flash_item_saved(item, "Added")
            return redirect(url_for("agenda.agenda_page", slug=slug, added=item.id,
                                    _anchor=f"item-{item.id}"))
    return form_page(
        "agenda/item_form.html", form=form, visit=visit, item=None, day=found.day,
        days_defaults=next_item.days_defaults(visit, found.kind),
        kind_minutes={kind.value: int(length.total_seconds() // 60)
                      for kind, length in next_item.kind_lengths(visit).items()},
    )


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
            return redirect(_agenda_url(slug, f"item-{item.id}"))
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
    return redirect(_agenda_url(slug, f"item-{item.id}"))


@bp.post(f"/organiser/visits/<slug>/items/<{ID}:item_id>/reinstate")
@organiser_required
def reinstate_item(slug: str, item_id: int):
    item = call(agenda.set_item_status, slug, item_id, ItemStatus.CONFIRMED)
    flash(f"Reinstated “{item.title}”.", "success")
    return redirect(_agenda_url(slug, f"item-{item.id}"))


@bp.post(f"/organiser/visits/<slug>/items/<{ID}:item_id>/delete")
@organiser_required
def delete_item(slug: str, item_id: int):
    call(agenda.delete_item, slug, item_id)
    flash("Deleted the agenda item.", "success")
    return redirect(_agenda_url(slug, "agenda"))


# --- CSV import and export -----------------------------------------------------------

IMPORT_ENDPOINTS = {"agenda.import_agenda", "agenda.confirm_import"}
# The file, plus the form around it; base64 in the confirmation form adds a third.
IMPORT_REQUEST_MAX = importing.MAX_BYTES * 4 // 3 + 64 * 1024


@bp.url_value_preprocessor
def _limit_import_size(endpoint, _values):
    """Refuse an oversized upload before its body is read (this runs before CSRF reads
    the form), and let the confirmation carry the whole file back."""
    if endpoint in IMPORT_ENDPOINTS:
        request.max_content_length = IMPORT_REQUEST_MAX
        request.max_form_memory_size = IMPORT_REQUEST_MAX


def _import_page(visit, form, preview=None, confirm=None, status=None):
    return form_page("agenda/import.html", status=status, visit=visit, form=form,
                     preview=preview, confirm=confirm, columns=importing.COLUMNS,
                     max_rows=importing.MAX_ROWS)


@bp.errorhandler(413)
def _too_large(_error):
    if request.endpoint not in IMPORT_ENDPOINTS:
        return render_template("web/error.html", code=413,
                               title="That upload is too large"), 413
    visit = call(visits.organiser_visit, request.view_args["slug"])
    form = AgendaImportForm(formdata=None)
    form.file.errors = [f"The file is larger than {importing.MAX_BYTES // 1024 // 1024} MB, "
                        "the most that can be imported at once. Split it into smaller files."]
    return _import_page(visit, form, status=413)


@bp.route("/organiser/visits/<slug>/agenda/import", methods=["GET", "POST"])
@organiser_required
def import_agenda(slug: str):
    """Upload: the preview lists every row and its problems; nothing is saved yet."""
    visit = call(visits.organiser_visit, slug)
    form = AgendaImportForm()
    if form.validate_on_submit():
        raw = form.file.data.read()
        preview = call(importing.organiser_preview, slug, raw)
        confirm = None
        if preview.ok:
            confirm = ConfirmImportForm(formdata=None,
                                        data={"file_data": base64.b64encode(raw).decode("ascii")})
        return _import_page(visit, AgendaImportForm(formdata=None), preview, confirm,
                            status=200 if preview.ok else 422)
    return _import_page(visit, form)


@bp.post("/organiser/visits/<slug>/agenda/import/confirm")
@organiser_required
def confirm_import(slug: str):
    visit = call(visits.organiser_visit, slug)
    form = ConfirmImportForm()
    raw = None
    if form.validate_on_submit():
        try:
            raw = base64.b64decode(form.file_data.data, validate=True)
        except ValueError:
            raw = None
    if raw is None:
        flash("The file was lost on the way: nothing was saved. Upload it again.", "error")
        return redirect(url_for("agenda.import_agenda", slug=slug), 303)
    try:
        added = call(importing.import_agenda, slug, raw)
    except importing.ImportRefused as exc:  # the visit changed since the preview
        return _import_page(visit, AgendaImportForm(formdata=None), exc.preview, status=422)
    flash(f"Imported {count_noun(len(added), 'agenda item')}.", "success")
    return redirect(_agenda_url(slug, "agenda"), 303)


@bp.get("/organiser/visits/<slug>/agenda.csv")
@organiser_required
def export_agenda(slug: str):
    visit = call(visits.organiser_visit_with_agenda, slug)
    body = to_csv(importing.COLUMNS, importing.agenda_rows(visit))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{visit.slug}-agenda.csv"',
        "Cache-Control": "private, no-store",
    })
