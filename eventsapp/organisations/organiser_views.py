"""The organisation's page (/organiser/organisation/): its details and people. Every
role reads it; owners change the details, invite colleagues, change roles and remove
people. Also the one rule every organiser POST passes first: viewers change nothing.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for

from eventsapp.accounts.access import organiser_required
from eventsapp.errors import Conflict, ValidationError
from eventsapp.ids import ID
from eventsapp.organisations import people
from eventsapp.organisations.forms import (
    ColleagueForm,
    OrganisationForm,
    RoleForm,
)
from eventsapp.organisations.models import OrganisationRole
from eventsapp.web.organiser import call, form_page, show_errors

bp = Blueprint("organisations", __name__)

PAGE = "/organiser/organisation/"
# The invitation's fields are named apart from the details form's on the same page
# ("name" twice would give two inputs one id, and the second label the wrong field).
COLLEAGUE = "colleague"
def _details_form(team) -> OrganisationForm:
    return OrganisationForm(formdata=None, obj=team.organisation)


def _page(team, form=None, colleague_form=None):
    return form_page("organisations/organisation.html", team=team,
                     form=form or _details_form(team),
                     colleague_form=colleague_form or ColleagueForm(formdata=None,
                                                                    prefix=COLLEAGUE),
                     roles=list(OrganisationRole))


@bp.route(PAGE, methods=["GET", "POST"])
@organiser_required
def organisation():
    team = call(people.team)
    form = OrganisationForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                call(people.update_details, people.OrganisationInput(
                    name=form.name.data, default_city=form.default_city.data or "",
                    default_host=form.default_host.data or "",
                    contact_email=form.contact_email.data or ""))
            except ValidationError as exc:
                show_errors(form, exc)
            else:
                flash("Saved the organisation's details.", "success")
                return redirect(url_for("organisations.organisation"), 303)
        return _page(team, form=form)
    return _page(team)


@bp.post(f"{PAGE}people")
@organiser_required
def invite():
    team = call(people.team)
    form = ColleagueForm(prefix=COLLEAGUE)
    if form.validate_on_submit():
        try:
            membership, invited = call(people.invite, form.name.data or "", form.email.data,
                                       OrganisationRole(form.role.data))
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            who = membership.user.name or membership.user.email
            if invited:
                flash(f"Invited {who} as {membership.role.value}: they have been emailed a "
                      "link to set their password (valid for 7 days).", "success")
            else:
                flash(f"Added {who} as {membership.role.value}: they already have a login.",
                      "success")
            return redirect(url_for("organisations.organisation", _anchor="people"), 303)
    return _page(team, colleague_form=form)


@bp.post(f"{PAGE}people/<{ID}:membership_id>/role")
@organiser_required
def change_role(membership_id: int):
    form = RoleForm()
    if not form.validate_on_submit():
        flash("Choose one of the roles.", "error")
    else:
        try:
            membership = call(people.change_role, membership_id, OrganisationRole(form.role.data))
        except Conflict as exc:
            flash(exc.message, "error")
        else:
            flash(f"{membership.user.email} is now {membership.role.value}.", "success")
    return redirect(url_for("organisations.organisation", _anchor="people"), 303)


@bp.post(f"{PAGE}people/<{ID}:membership_id>/resend")
@organiser_required
def resend(membership_id: int):
    try:
        membership = call(people.resend_invitation, membership_id)
    except Conflict as exc:
        flash(exc.message, "error")
    else:
        flash(f"Sent {membership.user.email} a new link to set their password (valid for "
              "7 days).", "success")
    return redirect(url_for("organisations.organisation", _anchor="people"), 303)


@bp.post(f"{PAGE}people/<{ID}:membership_id>/remove")
@organiser_required
def remove(membership_id: int):
    try:
        email = call(people.remove, membership_id)
    except Conflict as exc:
        flash(exc.message, "error")
    else:
        flash(f"Removed {email} from the organisation.", "success")
    return redirect(url_for("organisations.organisation", _anchor="people"), 303)
