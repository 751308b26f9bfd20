"""The organiser's member businesses, on the organiser blueprint: the list, adding and
editing a business, inviting its people (a one-time set-password link by email),
resending or removing a login, and importing members from CSV.

Member businesses belong to the cluster, not to one visit: every organiser manages
them. Each view parses a form, calls one service function and turns its result or
its domain error into a page, a flash or a redirect.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from eventsapp.accounts.access import organiser_required
from eventsapp.errors import Conflict, ValidationError
from eventsapp.ids import ID
from eventsapp.members import rules as members_service
from eventsapp.members.forms import IMPORT_MAX_BYTES, BusinessForm, ImportForm, PersonForm
from eventsapp.members.rules import IMPORT_COLUMNS, BusinessInput
from eventsapp.web.organiser import call, form_page, show_errors

bp = Blueprint("members", __name__)


IMPORT_REQUEST_MAX = IMPORT_MAX_BYTES + 64 * 1024


def _business_input(form: BusinessForm) -> BusinessInput:
    return BusinessInput(
        name=form.name.data,
        website=form.website.data or "",
        sectors=form.sectors.data or "",
        description=form.description.data or "",
    )


def _person_form(**kwargs) -> PersonForm:
    # Prefixed: the business form on the same page also has a "name" field.
    return PersonForm(prefix="person", **kwargs)


@bp.get("/organiser/members/")
@organiser_required
def members():
    return render_template("members/list.html",
                           businesses=call(members_service.businesses))


@bp.route("/organiser/members/new", methods=["GET", "POST"])
@organiser_required
def new_business():
    form = BusinessForm()
    if form.validate_on_submit():
        try:
            business = call(members_service.save_business, _business_input(form))
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            flash(f"Added {business.name}. Now invite its people.", "success")
            return redirect(url_for("members.edit_business", business_id=business.id,
                                    _anchor="people"))
    return form_page("members/business_form.html", form=form, business=None)


def _business_page(business, form=None, person_form=None, status=None):
    return form_page(
        "members/business_form.html",
        status=status,
        business=business,
        form=form or BusinessForm(formdata=None, obj=business),
        person_form=person_form or _person_form(formdata=None),
    )


@bp.route(f"/organiser/members/<{ID}:business_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit_business(business_id: int):
    business = call(members_service.business, business_id)
    form = BusinessForm(obj=business)
    if form.validate_on_submit():
        try:
            business = call(members_service.save_business, _business_input(form), business_id)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            flash(f"Saved {business.name}.", "success")
            return redirect(url_for("members.members", _anchor=f"business-{business.id}"))
    return _business_page(business, form=form)


@bp.post(f"/organiser/members/<{ID}:business_id>/people")
@organiser_required
def invite_person(business_id: int):
    business = call(members_service.business, business_id)
    form = _person_form()
    if form.validate_on_submit():
        try:
            person = call(members_service.invite_person, business_id, form.name.data,
                           form.email.data)
        except (ValidationError, Conflict) as exc:
            show_errors(form, exc)
        else:
            flash(f"Invited {person.name or person.email}: they have been emailed a link to "
                  "set their password (valid for 7 days).", "success")
            return redirect(url_for("members.edit_business", business_id=business_id,
                                    _anchor="people"))
    return _business_page(business, person_form=form)


@bp.post(f"/organiser/members/people/<{ID}:user_id>/resend")
@organiser_required
def resend_invitation(user_id: int):
    try:
        person = call(members_service.resend_invitation, user_id)
    except Conflict as exc:
        flash(exc.message, "error")
        return redirect(url_for("members.members"))
    flash(f"Sent {person.email} a new link to set their password (valid for 7 days).",
          "success")
    return redirect(url_for("members.members", _anchor=f"business-{person.business_id}"))


@bp.post(f"/organiser/members/people/<{ID}:user_id>/remove")
@organiser_required
def remove_person(user_id: int):
    call(members_service.remove_person, user_id)
    flash("Removed the person's login: they can no longer log in. Their business's bookings "
          "stay.", "success")
    return redirect(url_for("members.members"))


@bp.url_value_preprocessor
def _limit_import_size(endpoint, _values):
    """Refuse an oversized import before its body is read. This runs before any
    before_request hook (CSRF reads the form), and only for the import page."""
    if endpoint == "members.import_members":
        request.max_content_length = IMPORT_REQUEST_MAX


@bp.errorhandler(413)
def _too_large(_error):
    if request.endpoint != "members.import_members":
        return render_template("web/error.html", code=413,
                               title="That upload is too large"), 413
    form = ImportForm(formdata=None)
    form.file.errors = [f"The file is larger than {IMPORT_MAX_BYTES // 1024 // 1024} MB, "
                        "the most that can be imported at once. Split it into smaller files."]
    return form_page("members/import.html", status=413, form=form, report=None,
                 columns=IMPORT_COLUMNS)


@bp.route("/organiser/members/import", methods=["GET", "POST"])
@organiser_required
def import_members():
    form = ImportForm()
    if form.validate_on_submit():
        try:
            report = call(members_service.import_members, form.file.data.read())
        except ValidationError as exc:
            form.file.errors = [*form.file.errors, *exc.errors.values()]
        else:
            return render_template("members/import.html", form=ImportForm(
                formdata=None), report=report, columns=IMPORT_COLUMNS)
    return form_page("members/import.html", form=form, report=None,
                 columns=IMPORT_COLUMNS)
