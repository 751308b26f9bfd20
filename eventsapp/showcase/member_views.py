"""The member area: open showcases, booking a slot, and the business's own bookings.

Each view parses a form, calls one service function and turns its result or its
domain error into a page, a flash or a redirect. A booking of another business is a
404, exactly like one that does not exist (``services.showcase.member_booking``).
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from eventsapp.accounts import rules as users
from eventsapp.accounts.access import member_required
from eventsapp.dbtypes import utcnow
from eventsapp.errors import Conflict, NotFound, ValidationError
from eventsapp.ids import ID, parse_id
from eventsapp.showcase.forms import EQUIPMENT_LABELS, FORMAT_LABELS, BookingForm, booking_data
from eventsapp.showcase.models import BookingFormat
from eventsapp.showcase.rules import booking as showcase_booking
from eventsapp.showcase.rules import common as showcase_common
from eventsapp.showcase.rules import reading as showcase_reading
from eventsapp.showcase.rules.common import BookingInput, SlotTaken
from eventsapp.web.urls import absolute

bp = Blueprint("member", __name__)


def business_required(view):
    """A member whose login is not linked to a business has nothing to do here yet."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_user.business_id is None:
            return render_template("showcase/member/no_business.html"), 403
        return view(*args, **kwargs)

    return wrapper


def _actor():
    return current_user._get_current_object()


def _not_found(error: NotFound):
    return render_template("web/error.html", code=404, title="Page not found",
                           detail=error.message), 404


def _booking_input(form: BookingForm) -> BookingInput:
    return BookingInput(
        title=form.title.data or "",
        description=form.description.data or "",
        format=BookingFormat(form.format.data),
        equipment=list(form.equipment.data or []),
        people=form.people.data or "",
    )


def _show_errors(form: BookingForm, error: ValidationError) -> None:
    for name, message in error.errors.items():
        target = form._fields.get(name, form.title)
        target.errors = [*target.errors, message]


def _slot_id_from_form() -> int | None:
    """The slot chosen in a move form, or None when it is not a slot id at all."""
    return parse_id(request.form.get("slot_id", ""))


def _context(**extra) -> dict:
    return dict(format_labels=FORMAT_LABELS, equipment_labels=EQUIPMENT_LABELS, now=utcnow(),
                **extra)


@bp.get("/member/")
@member_required
@business_required
def index():
    actor = users.ensure_user_feed(_actor())  # accounts made before feeds existed
    open_showcases = showcase_reading.open_showcases(actor.business.organisation_id)
    return render_template(
        "showcase/member/index.html",
        business=actor.business,
        feed_url=absolute(url_for("calendar.personal", token=users.feed_token(actor))),
        bookings=showcase_reading.bookings_for_business(actor.business_id),
        showcases=open_showcases,
        free_counts=showcase_reading.free_slot_counts([s.id for s in open_showcases]),
        **_context(),
    )


@bp.post("/member/calendar/reset")
@member_required
@business_required
def reset_calendar():
    users.reset_user_feed(_actor())
    flash(users.FEED_RESET_MESSAGE, "success")
    return redirect(url_for("member.index", _anchor="calendar"), 303)


@bp.get(f"/member/showcases/<{ID}:showcase_id>")
@member_required
@business_required
def showcase(showcase_id: int):
    actor = _actor()
    try:
        found = showcase_reading.member_showcase(actor, showcase_id)
    except NotFound as exc:
        return _not_found(exc)
    return render_template(
        "showcase/member/showcase.html",
        showcase=found,
        item=found.item,
        visit=found.item.visit,
        slots=showcase_reading.slot_views(found),
        closed=showcase_reading.booking_closed_reason(found),
        mine=showcase_reading.active_booking_for_visit(actor.business_id, found.item.visit_id),
        **_context(),
    )


def _book_page(slot, form: BookingForm, status: int = 200, message: str | None = None,
               free_slots=None):
    actor = _actor()
    found = slot.showcase
    visit = found.item.visit
    mine = showcase_reading.active_booking_for_visit(actor.business_id, visit.id)
    if free_slots is None:
        free_slots = showcase_common.free_slots(found.id)
    return render_template(
        "showcase/member/book.html",
        slot=slot,
        showcase=found,
        item=found.item,
        visit=visit,
        form=form,
        message=message,
        closed=showcase_reading.booking_closed_reason(found),
        mine=mine,
        slot_is_free=any(free.id == slot.id for free in free_slots),
        free_slots=free_slots,
        **_context(),
    ), status


@bp.route(f"/member/slots/<{ID}:slot_id>/book", methods=["GET", "POST"])
@member_required
@business_required
def book(slot_id: int):
    try:
        slot = showcase_reading.member_slot(_actor(), slot_id)
    except NotFound as exc:
        return _not_found(exc)
    form = BookingForm()
    if request.method == "GET":
        return _book_page(slot, form)
    if form.validate():
        try:
            booking = showcase_booking.book(_actor(), slot_id, _booking_input(form))
        except SlotTaken as exc:
            return _book_page(slot, form, 409, exc.message, exc.free_slots)
        except Conflict as exc:
            return _book_page(slot, form, 409, exc.message)
        except NotFound as exc:
            return _not_found(exc)
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            if booking.status.value == "pending":
                flash("Thank you: your booking is received. The organisers approve each "
                      "showcase booking and will email you.", "success")
            else:
                flash("Your showcase slot is booked. We have emailed the details.", "success")
            return redirect(url_for("member.booking", booking_id=booking.id), 303)
    return _book_page(slot, form, 422)


def _own_booking(booking_id: int):
    try:
        return showcase_reading.member_booking(_actor(), booking_id)
    except NotFound:
        abort(404)


def _booking_page(booking, form: BookingForm | None = None, status: int = 200,
                  message: str | None = None):
    found = booking.slot.showcase
    closed = showcase_reading.booking_closed_reason(found)
    changeable = booking.is_active and closed is None
    if form is None and changeable:
        form = BookingForm(data=booking_data(booking))
    return render_template(
        "showcase/member/booking.html",
        booking=booking,
        showcase=found,
        item=found.item,
        visit=found.item.visit,
        form=form if changeable else None,
        closed=closed,
        message=message,
        **_context(),
    ), status


@bp.route(f"/member/bookings/<{ID}:booking_id>", methods=["GET", "POST"])
@member_required
@business_required
def booking(booking_id: int):
    found = _own_booking(booking_id)
    if request.method == "GET":
        return _booking_page(found)
    form = BookingForm()
    if form.validate():
        try:
            showcase_booking.update_booking(_actor(), booking_id, _booking_input(form))
        except NotFound:
            abort(404)
        except Conflict as exc:
            return _booking_page(_own_booking(booking_id), form, 409, exc.message)
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            flash("Your booking details are saved.", "success")
            return redirect(url_for("member.booking", booking_id=booking_id), 303)
    return _booking_page(_own_booking(booking_id), form, 422)


def _move_page(booking, status: int = 200, message: str | None = None, free_slots=None):
    found = booking.slot.showcase
    return render_template(
        "showcase/member/move.html",
        booking=booking,
        showcase=found,
        item=found.item,
        visit=found.item.visit,
        free_slots=showcase_common.free_slots(found.id) if free_slots is None else free_slots,
        closed=showcase_reading.booking_closed_reason(found) if booking.is_active
        else "This booking is no longer active.",
        message=message,
        **_context(),
    ), status


@bp.route(f"/member/bookings/<{ID}:booking_id>/move", methods=["GET", "POST"])
@member_required
@business_required
def move(booking_id: int):
    found = _own_booking(booking_id)
    if request.method == "GET":
        return _move_page(found)
    slot_id = _slot_id_from_form()
    if slot_id is None:
        return _move_page(found, 422, "Choose one of the free slots.")
    try:
        moved = showcase_booking.move(_actor(), booking_id, slot_id)
    except SlotTaken as exc:
        return _move_page(_own_booking(booking_id), 409, exc.message, exc.free_slots)
    except Conflict as exc:
        return _move_page(_own_booking(booking_id), 409, exc.message)
    except NotFound as exc:
        return _not_found(exc)
    flash("Your booking has moved to the new slot. We have emailed the details.", "success")
    return redirect(url_for("member.booking", booking_id=moved.id), 303)


@bp.post(f"/member/bookings/<{ID}:booking_id>/cancel")
@member_required
@business_required
def cancel(booking_id: int):
    _own_booking(booking_id)
    try:
        showcase_booking.cancel(_actor(), booking_id)
    except NotFound:
        abort(404)
    except Conflict as exc:
        return _booking_page(_own_booking(booking_id), status=409, message=exc.message)
    flash("Your booking is cancelled and the slot is free for others.", "success")
    return redirect(url_for("member.index"), 303)
