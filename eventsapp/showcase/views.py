"""The organiser's showcase pages, on the organiser blueprint: a visit's showcases
with their slot counts; one showcase's settings, slots, bookings (approve, decline,
assign a member) and its run sheet, printable and as CSV.

Each view parses a form, calls one service function and turns its result or its
domain error into a page, a flash or a redirect. A visit, showcase, slot or booking
the organiser does not organise is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for

from eventsapp.accounts.access import organiser_required
from eventsapp.agenda.models import ItemKind
from eventsapp.errors import Conflict, ValidationError
from eventsapp.ids import ID
from eventsapp.members import rules as members
from eventsapp.showcase import run_sheet as sheet
from eventsapp.showcase.forms import EQUIPMENT_LABELS, FORMAT_LABELS
from eventsapp.showcase.models import BookingFormat, BookingStatus
from eventsapp.showcase.organiser_forms import AssignForm, DecisionForm, SettingsForm
from eventsapp.showcase.rules import common as showcase_common
from eventsapp.showcase.rules import decisions, slots
from eventsapp.showcase.rules import reading as showcase_reading
from eventsapp.showcase.rules.common import BookingInput, ShowcaseSettings
from eventsapp.timezones import to_local
from eventsapp.visits import rules as visits
from eventsapp.web.filters import time_range
from eventsapp.web.organiser import call, csv_download, show_errors
from eventsapp.wording import count_noun

bp = Blueprint("showcase", __name__)


VISIT = "/organiser/visits/<slug>"


ONE = f"{VISIT}/showcases/<{ID}:item_id>"


BOOKING = f"{VISIT}/bookings/<{ID}:booking_id>"


STATUS_LABELS = {
    BookingStatus.PENDING: "Pending approval",
    BookingStatus.APPROVED: "Approved",
    BookingStatus.DECLINED: "Declined",
    BookingStatus.CANCELLED: "Cancelled",
}


def _showcase_url(slug: str, item_id: int, anchor: str | None = None) -> str:
    return url_for("showcase.showcase", slug=slug, item_id=item_id, _anchor=anchor)


def _slot_label(slot, visit) -> str:
    """'Thu 12 Jun 09:00–09:10 BST'."""
    return f"{to_local(slot.starts_at, visit.zone):%a %d %b} {time_range(slot, visit)}"


@dataclass(frozen=True)
class Counts:
    booked: int
    free: int
    blocked: int
    pending: int


def _counts(views) -> Counts:
    return Counts(
        booked=sum(1 for v in views if v.booking is not None),
        free=sum(1 for v in views if v.is_free),
        blocked=sum(1 for v in views if v.slot.blocked and v.booking is None),
        pending=sum(1 for v in views
                    if v.booking is not None and v.booking.status is BookingStatus.PENDING),
    )


@bp.get(f"{VISIT}/showcases")
@organiser_required
def showcases(slug: str):
    visit = call(visits.organiser_visit, slug)
    rows_ = []
    for item in visit.live_items:
        if item.kind is not ItemKind.SHOWCASE:
            continue
        showcase = slots.showcase_for_item(item.id)
        views = showcase_reading.slot_views(showcase) if showcase else []
        rows_.append((item, showcase, _counts(views)))
    return render_template("showcase/organiser/list.html", visit=visit, rows=rows_)


def _settings_data(showcase, visit) -> dict:
    if showcase is None:
        return {"slot_minutes": 10, "buffer_minutes": 2, "requires_approval": True,
                "deadline": None}
    deadline = showcase.booking_deadline
    return {
        "slot_minutes": showcase.slot_minutes,
        "buffer_minutes": showcase.buffer_minutes,
        "requires_approval": showcase.requires_approval,
        "deadline": to_local(deadline, visit.zone).replace(tzinfo=None) if deadline else None,
    }


def _assign_form(visit, views, **kwargs) -> AssignForm:
    return AssignForm(
        slots=[(v.slot.id, _slot_label(v.slot, visit)) for v in views if v.is_free],
        businesses=[(b.id, b.name) for b in call(members.businesses)],
        **kwargs,
    )


def _decision_prefix(approve: bool, booking_id: int) -> str:
    return f"{'approve' if approve else 'decline'}-{booking_id}"


def _decision_forms(bookings, failed: tuple[str, DecisionForm] | None
                    ) -> dict[str, DecisionForm]:
    """An approve and a decline form for every active booking, each with its own
    prefix so that every message box has its own label; a form that failed its
    checks comes back with what was typed."""
    forms = {
        _decision_prefix(approve, booking.id): DecisionForm(
            prefix=_decision_prefix(approve, booking.id), formdata=None, approve=approve)
        for booking in bookings if booking.is_active for approve in (True, False)
    }
    if failed is not None:
        forms[failed[0]] = failed[1]
    return forms


def _showcase_page(item, settings_form=None, assign_form=None, decision_form=None,
                   status=200):
    visit = item.visit
    showcase = slots.showcase_for_item(item.id)
    views = showcase_reading.slot_views(showcase) if showcase else []
    bookings = showcase_reading.bookings_for_showcase(showcase) if showcase else []
    if settings_form is None:
        settings_form = SettingsForm(zone_name=visit.timezone, formdata=None,
                                     data=_settings_data(showcase, visit))
    if assign_form is None:
        assign_form = _assign_form(visit, views, formdata=None, prefix="assign")
    return render_template(
        "showcase/organiser/showcase.html",
        visit=visit,
        item=item,
        showcase=showcase,
        views=views,
        counts=_counts(views),
        bookings=bookings,
        settings_form=settings_form,
        assign_form=assign_form,
        decision_forms=_decision_forms(bookings, decision_form),
        status_labels=STATUS_LABELS,
        format_labels=FORMAT_LABELS,
        equipment_labels=EQUIPMENT_LABELS,
    ), status


@bp.route(ONE, methods=["GET", "POST"])
@organiser_required
def showcase(slug: str, item_id: int):
    item = call(showcase_common.organiser_showcase_item, slug, item_id)
    if request.method == "GET":
        return _showcase_page(item)
    form = SettingsForm(zone_name=item.visit.timezone)
    status = 422
    if form.validate_on_submit():
        settings = ShowcaseSettings(
            slot_minutes=form.slot_minutes.data,
            buffer_minutes=form.buffer_minutes.data,
            requires_approval=form.requires_approval.data,
            deadline_local=form.deadline.data,
        )
        try:
            saved = call(slots.configure, slug, item_id, settings)
        except ValidationError as exc:
            show_errors(form, exc)
        except Conflict as exc:
            flash(exc.message, "error")
            status = 409
        else:
            flash(f"Saved the showcase settings: {count_noun(len(saved.slots), 'slot')}.",
                  "success")
            return redirect(_showcase_url(slug, item_id, "slots"))
    return _showcase_page(item, settings_form=form, status=status)


def _set_blocked(slug: str, item_id: int, slot_id: int, blocked: bool):
    try:
        call(slots.set_slot_blocked, slug, item_id, slot_id, blocked)
    except Conflict as exc:
        flash(exc.message, "error")
    else:
        flash("Blocked the slot: members cannot book it." if blocked
              else "Unblocked the slot: members can book it again.", "success")
    return redirect(_showcase_url(slug, item_id, f"slot-{slot_id}"))


@bp.post(f"{ONE}/slots/<{ID}:slot_id>/block")
@organiser_required
def block_slot(slug: str, item_id: int, slot_id: int):
    return _set_blocked(slug, item_id, slot_id, True)


@bp.post(f"{ONE}/slots/<{ID}:slot_id>/unblock")
@organiser_required
def unblock_slot(slug: str, item_id: int, slot_id: int):
    return _set_blocked(slug, item_id, slot_id, False)


def _decide(slug: str, booking_id: int, approve: bool):
    booking = call(decisions.organiser_booking, slug, booking_id)
    item = booking.slot.showcase.item
    item_id = item.id
    prefix = _decision_prefix(approve, booking_id)
    form = DecisionForm(prefix=prefix, approve=approve)
    if not form.validate_on_submit():
        return _showcase_page(item, decision_form=(prefix, form), status=422)
    try:
        decided = call(decisions.decide, slug, booking_id, approve,
                        form.message.data or "")
    except Conflict as exc:
        flash(exc.message, "error")
    else:
        verb = "Approved" if approve else "Declined"
        flash(f"{verb} the booking of {decided.business.name}; they have been emailed.",
              "success")
    return redirect(_showcase_url(slug, item_id, f"booking-{booking_id}"))


@bp.post(f"{BOOKING}/approve")
@organiser_required
def approve_booking(slug: str, booking_id: int):
    return _decide(slug, booking_id, True)


@bp.post(f"{BOOKING}/decline")
@organiser_required
def decline_booking(slug: str, booking_id: int):
    return _decide(slug, booking_id, False)


@bp.post(f"{ONE}/assign")
@organiser_required
def assign_member(slug: str, item_id: int):
    item = call(showcase_common.organiser_showcase_item, slug, item_id)
    showcase = slots.showcase_for_item(item.id)
    views = showcase_reading.slot_views(showcase) if showcase else []
    form = _assign_form(item.visit, views, prefix="assign")
    if form.validate_on_submit():
        data = BookingInput(
            title=form.title.data,
            description=form.description.data or "",
            format=BookingFormat(form.format.data),
            equipment=list(form.equipment.data or []),
            people=form.people.data or "",
        )
        try:
            booking = call(decisions.assign, slug, item_id, form.slot_id.data,
                            form.business_id.data, data)
        except ValidationError as exc:
            show_errors(form, exc)
        except Conflict as exc:
            flash(exc.message, "error")
        else:
            flash(f"Assigned {booking.business.name} to the slot at "
                  f"{_slot_label(booking.slot, booking.slot.showcase.item.visit)}; "
                  "the booking is approved and they have been emailed.", "success")
            return redirect(_showcase_url(slug, item_id, f"booking-{booking.id}"))
    return _showcase_page(item, assign_form=form, status=422)


def run_sheet_entry(booking, zone) -> sheet.RunSheetEntry:
    """One booking as a run sheet row (also used by the visit's run sheet)."""
    return sheet.RunSheetEntry(
        starts=to_local(booking.slot.starts_at, zone),
        ends=to_local(booking.slot.ends_at, zone),
        member=booking.business.name,
        title=booking.title,
        format=FORMAT_LABELS[booking.format],
        equipment=[EQUIPMENT_LABELS.get(e, e) for e in booking.equipment],
        people=booking.people_names,
        pending=booking.status is BookingStatus.PENDING,
    )


def _run_sheet(slug: str, item_id: int):
    item = call(showcase_common.organiser_showcase_item, slug, item_id)
    zone = item.visit.zone
    showcase = slots.showcase_for_item(item.id)
    views = showcase_reading.slot_views(showcase) if showcase else []
    entries = [run_sheet_entry(v.booking, zone) for v in views if v.booking is not None]
    return item, entries


@bp.get(f"{ONE}/run-sheet")
@organiser_required
def run_sheet(slug: str, item_id: int):
    item, entries = _run_sheet(slug, item_id)
    return render_template("showcase/organiser/run_sheet.html", visit=item.visit, item=item,
                           rows=sheet.rows(entries), header=sheet.HEADER,
                           pending_label=sheet.PENDING)


@bp.get(f"{ONE}/run-sheet.csv")
@organiser_required
def run_sheet_csv(slug: str, item_id: int):
    item, entries = _run_sheet(slug, item_id)
    return csv_download(sheet.run_sheet_csv(entries),
                        f"{item.visit.slug}-showcase-{item.id}-run-sheet.csv")
