"""The organiser area: visits, venues and the agenda builder.

Each view parses a form, calls one service function and turns its result or its
domain error into a page, a flash or a redirect. A visit, venue or item the
organiser does not organise is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from eventsapp.accounts import rules as users
from eventsapp.accounts.access import organiser_required
from eventsapp.agenda import rules as agenda
from eventsapp.dbtypes import utcnow
from eventsapp.errors import Conflict, ValidationError
from eventsapp.ids import ID
from eventsapp.messages.rules import organiser_digest
from eventsapp.organisations import rules as organisations
from eventsapp.organisations.forms import CoOrganiserForm
from eventsapp.registration.rules import attendees
from eventsapp.timezones import all_zone_names
from eventsapp.visits import co_organisers, partner_link
from eventsapp.visits import rules as visits
from eventsapp.visits.forms import DuplicateVisitForm, NewVisitForm, VenueForm, VisitForm
from eventsapp.visits.groups import group_visits
from eventsapp.visits.models import VisitStatus
from eventsapp.visits.rules import VenueInput, VisitInput, duplicating, suggestions
from eventsapp.visits.views import bp
from eventsapp.web.organiser import actor, call, form_page, show_errors
from eventsapp.web.urls import absolute
from eventsapp.wording import count_noun


def _visit_url(slug: str, anchor: str | None = None) -> str:
    return url_for("visits.organiser_visit", slug=slug, _anchor=anchor)


@bp.get("/organiser/")
@organiser_required
def organiser_home():
    user = users.ensure_user_feed(actor())  # accounts made before feeds existed
    found = visits.visits_for_organiser(user)
    return render_template(
        "visits/organiser_home.html", visits=found, groups=group_visits(found, utcnow()),
        needs=organiser_digest.needs([visit.id for visit in found]),
        organisation=organisations.working_organisation(user),
        feed_url=absolute(url_for("calendar.personal", token=users.feed_token(user))),
    )


@bp.post("/organiser/calendar/reset")
@organiser_required
def reset_calendar():
    users.reset_user_feed(actor())
    flash(users.FEED_RESET_MESSAGE, "success")
    return redirect(url_for("visits.organiser_home", _anchor="calendar"), 303)


def _visit_input(form: VisitForm) -> VisitInput:
    return VisitInput(
        title=form.title.data,
        slug=form.slug.data or "",
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
    form = NewVisitForm(data=None if request.method == "POST"
                        else suggestions.new_visit_defaults(actor()))
    if form.validate_on_submit():
        try:
            visit = call(visits.create_visit, _visit_input(form))
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            flash(f"Created “{visit.title}”. Add its venues, then its agenda.", "success")
            _warn_if_past(visit)
            return redirect(_visit_url(visit.slug))
    if request.method == "POST" and not form.slug.data and form.title.data:
        form.slug.data = suggestions.unique_slug(form.title.data)  # shown for a second try
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
    links = {venue.id: absolute(url_for("dashboard.partner_run_sheet", token=token))
             for venue in found.venues if (token := partner_link.token(venue))}
    return render_template(
        "visits/organiser_visit.html",
        visit=found,
        partner_links=links,
        hosts_it=organisations.can_organise_in(actor(), found.organisation_id),
        co_form=CoOrganiserForm(prefix="co", formdata=None),
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


def _next_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


@bp.route("/organiser/visits/<slug>/duplicate", methods=["GET", "POST"])
@organiser_required
def duplicate_visit(slug: str):
    source = call(visits.organiser_visit, slug)
    form = DuplicateVisitForm(data=None if request.method == "POST" else {
        "title": source.title, "start_date": _next_year(source.start_date)})
    if form.validate_on_submit():
        try:
            copied = call(duplicating.duplicate_visit, slug, duplicating.DuplicateInput(
                title=form.title.data, slug=form.slug.data or "",
                start_date=form.start_date.data))
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            flash(f"Made “{copied.visit.title}”, a draft copy of “{source.title}”: "
                  f"{count_noun(copied.venues, 'venue')}, "
                  f"{count_noun(copied.items, 'agenda item')}, "
                  f"{count_noun(copied.questions, 'question')} and "
                  f"{count_noun(copied.showcases, 'showcase')}. Nobody's registration or "
                  "booking was copied.", "success")
            _warn_if_past(copied.visit)
            return redirect(_visit_url(copied.visit.slug), 303)
    return form_page("visits/duplicate_form.html", form=form, visit=source)


# --- who may change things in the organiser area ----------------------------------------------

# POSTs that change only the person's own things, open to every role.
PERSONAL = {"visits.reset_calendar"}


def _refuses_post(path: str, endpoint: str | None, view_args: dict | None,
                  visit=None) -> bool:
    """Whether a POST to this organiser address by the signed-in person is a 403: on a
    visit, unless they organise it (someone with no access at all is left to the view,
    which answers 404 as for a visit that does not exist); elsewhere, unless they may
    organise in the organisation they work in."""
    if (not path.startswith("/organiser/") or endpoint in PERSONAL
            or not current_user.is_authenticated or not current_user.is_organiser):
        return False
    slug = (view_args or {}).get("slug")
    if slug is not None:
        found = _asked()
        if slug not in found:
            level = (visits.access_to(current_user, visit) if visit is not None
                     and visit.slug == slug else visits.access(current_user, slug))
            found[slug] = level == visits.READ
        return found[slug]
    if endpoint and endpoint.startswith("organisations."):
        return False  # the owner's pages: their rules check for an owner
    found = _asked()
    if None not in found:
        working = organisations.working_organisation(current_user)
        found[None] = working is None or not organisations.can_organise_in(
            current_user, working.id)
    return found[None]


def _asked() -> dict[str | None, bool]:
    """Answers kept for this one request (a page may hold dozens of buttons), by visit
    slug (None: the organisation). Checked against the request because ``g`` outlives
    it where an app context is held open, as tests do."""
    here = request._get_current_object()
    kept = g.get("refused_posts")
    if kept is None or kept[0] is not here:
        kept = g.refused_posts = (here, {})
    return kept[1]


@bp.before_app_request
def _viewers_change_nothing():
    """A POST to the organiser area by someone who may only read there is a 403,
    before any view runs."""
    if request.method == "POST" and _refuses_post(request.path, request.endpoint,
                                                  request.view_args):
        abort(403)


@bp.app_template_global()
def may_post(action: str) -> bool:
    """Whether the signed-in person's POST to ``action`` would be accepted (the guard
    above): templates show change controls only then, so viewers see no button that
    would answer 403. Personal buttons (their own calendar) stay."""
    path = urlsplit(action).path
    try:
        endpoint, view_args = current_app.create_url_adapter(request).match(
            path, method="POST")
    except HTTPException:
        return True  # not a route of ours: the guard has no say on it
    return not _refuses_post(path, endpoint, view_args)


@bp.app_template_global()
def reads_only(visit=None) -> bool:
    """The page is a visit's organiser page its viewer is reading: they change nothing.
    ``visit``: the page's visit, already loaded (saves reading it again)."""
    return _refuses_post(request.path, request.endpoint, request.view_args, visit)


# --- a visit's co-organisers -----------------------------------------------------------------

CO_ORGANISERS = "/organiser/visits/<slug>/co-organisers"


@bp.post(CO_ORGANISERS)
@organiser_required
def add_co_organiser(slug: str):
    form = CoOrganiserForm(prefix="co")
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    else:
        try:
            user = call(co_organisers.add, slug, form.email.data)
        except ValidationError as exc:
            flash(exc.message, "error")
        else:
            flash(f"{user.email} is now a co-organiser of this visit.", "success")
    return redirect(url_for("visits.organiser_visit", slug=slug, _anchor="co-organisers"), 303)


@bp.post(f"{CO_ORGANISERS}/<{ID}:user_id>/remove")
@organiser_required
def remove_co_organiser(slug: str, user_id: int):
    user = call(co_organisers.remove, slug, user_id)
    flash(f"{user.email} no longer co-organises this visit.", "success")
    return redirect(url_for("visits.organiser_visit", slug=slug, _anchor="co-organisers"), 303)
