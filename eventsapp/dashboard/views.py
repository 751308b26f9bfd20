"""The organiser's view of a visit at a glance, on the organiser blueprint: the
dashboard (charts drawn on the server, each followed by a table of its numbers) and
the printable run sheet of the whole visit.

A visit the organiser does not organise is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)

from eventsapp.accounts.access import organiser_required
from eventsapp.dashboard import charts, impact
from eventsapp.dashboard import rules as dashboard_service
from eventsapp.dashboard import run_sheet as run_sheet_service
from eventsapp.dashboard.impact_report import NO_RATINGS, RATING_VALUES, impact_csv
from eventsapp.dashboard.rules import Dashboard
from eventsapp.dbtypes import utcnow
from eventsapp.errors import Conflict, NotFound
from eventsapp.feedback import rules as feedback
from eventsapp.ids import ID
from eventsapp.showcase.run_sheet import rows as run_sheet_rows
from eventsapp.showcase.views import run_sheet_entry
from eventsapp.visits import partner_link
from eventsapp.web.organiser import call, csv_download

bp = Blueprint("dashboard", __name__)


VISIT = "/organiser/visits/<slug>"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _charts(dash: Dashboard) -> dict:
    """The dashboard's pictures; the template puts a table of the same numbers after each."""
    capacity = dash.capacity
    places = "no limit on places" if capacity is None else f"of {_plural(capacity, 'place')}"
    found = {
        "places": charts.stacked_bar(
            [charts.Segment("Confirmed", dash.confirmed, "confirmed"),
             charts.Segment("Waiting list", dash.waitlisted, "waiting"),
             charts.Segment("Awaiting approval", dash.pending_approval, "pending")],
            chart_id="chart-places", title="Confirmed against capacity",
            desc=f"{dash.confirmed} confirmed {places}; {dash.waitlisted} on the waiting "
                 f"list; {dash.pending_approval} awaiting approval.",
            marker=capacity, marker_label=f"Capacity {capacity}",
            no_marker_label="No limit on places"),
        "checkins": charts.stacked_bar(
            [charts.Segment("Checked in", dash.checked_in, "confirmed"),
             charts.Segment("Not yet", dash.not_checked_in, "free")],
            chart_id="chart-checkins", title="Check-ins",
            desc=f"{dash.checked_in} of {dash.confirmed} confirmed attendees checked in."),
        "types": charts.bar_chart(
            dash.organisation_types, chart_id="chart-types",
            title="Types of organisation",
            desc="; ".join(f"{label}: {count}" for label, count in dash.organisation_types)
                 + "."),
    }
    if dash.by_day:
        first, last = dash.by_day[0], dash.by_day[-1]
        found["over_time"] = charts.line_chart(
            [(f"{d.day:%d %b}", d.total) for d in dash.by_day],
            chart_id="chart-over-time", title="Registrations over time",
            desc=f"{_plural(last.total, 'registration')} received from "
                 f"{first.day:%d %B %Y} to {last.day:%d %B %Y}, counted per day.")
    found["showcases"] = {
        s.item_id: charts.stacked_bar(
            [charts.Segment("Approved", s.approved, "confirmed"),
             charts.Segment("Pending approval", s.pending, "pending"),
             charts.Segment("Free", s.free, "free"),
             charts.Segment("Blocked", s.blocked, "blocked")],
            chart_id=f"chart-showcase-{s.item_id}", title=f"Slots of {s.title}",
            desc=f"{s.approved} approved, {s.pending} pending approval, {s.free} free, "
                 f"{s.blocked} blocked, of {_plural(s.slots, 'slot')}.")
        for s in dash.showcases if s.slots
    }
    return found


@bp.get(f"{VISIT}/dashboard")
@organiser_required
def dashboard(slug: str):
    dash = call(dashboard_service.visit_dashboard, slug)
    return render_template("dashboard/dashboard.html", visit=dash.visit, dash=dash,
                           charts=_charts(dash))


@bp.get(f"{VISIT}/run-sheet")
@organiser_required
def visit_run_sheet(slug: str):
    sheet = call(run_sheet_service.visit_run_sheet, slug)
    return render_template("dashboard/run_sheet.html", visit=sheet.visit, days=sheet.days,
                           bookings=_booking_rows(sheet))


def _booking_rows(sheet) -> dict:
    zone = sheet.visit.zone
    return {
        entry.item.id: run_sheet_rows(run_sheet_entry(b, zone) for b in entry.bookings)
        for _, entries in sheet.days for entry in entries if entry.bookings
    }


PARTNER_LINK = f"{VISIT}/venues/<{ID}:venue_id>/partner-link"


@bp.post(PARTNER_LINK)
@organiser_required
def make_partner_link(slug: str, venue_id: int):
    venue = call(partner_link.make, slug, venue_id)
    flash(f"The read-only run-sheet link for {venue.name} is ready: copy it below and send "
          "it to the venue.", "success")
    return redirect(url_for("visits.organiser_visit", slug=slug, _anchor=f"venue-{venue_id}"),
                    303)


@bp.post(f"{PARTNER_LINK}/revoke")
@organiser_required
def revoke_partner_link(slug: str, venue_id: int):
    venue = call(partner_link.revoke, slug, venue_id)
    flash(f"Revoked the run-sheet link for {venue.name}: it no longer opens anything.",
          "success")
    return redirect(url_for("visits.organiser_visit", slug=slug, _anchor=f"venue-{venue_id}"),
                    303)


@bp.get("/partner/<token>/run-sheet")
def partner_run_sheet(token: str):
    """What a venue partner's link opens: no login, read only, that venue's items."""
    try:
        venue = partner_link.venue_for(token)
    except NotFound:
        abort(404)
    sheet = run_sheet_service.venue_run_sheet(venue)
    response = make_response(render_template(
        "dashboard/run_sheet.html", visit=sheet.visit, days=sheet.days, venue=venue,
        bookings=_booking_rows(sheet)))
    # A private link: never cached by a shared cache, never indexed.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get(f"{VISIT}/report")
@organiser_required
def report(slug: str):
    visit, figures = call(impact.impact_report, slug)
    return render_template(
        "dashboard/report.html",
        visit=visit,
        report=figures,
        rating_values=RATING_VALUES,
        no_ratings=NO_RATINGS,
        refusal=feedback.request_refusal(visit),
        requested_label=feedback.requested_label(visit) if visit.feedback_requested_at else "",
        opens_on=feedback.opens_on(visit),
    )


@bp.get(f"{VISIT}/report.csv")
@organiser_required
def report_csv(slug: str):
    visit, figures = call(impact.impact_report, slug)
    return csv_download(impact_csv(figures), f"{visit.slug}-impact-report.csv")


@bp.post(f"{VISIT}/report/request-feedback")
@organiser_required
def request_feedback(slug: str):
    try:
        asked = call(feedback.request_feedback, slug, utcnow())
    except Conflict as exc:
        flash(exc.message, "error")
    else:
        people = "attendee" if asked == 1 else "attendees"
        flash(f"Asked {asked} confirmed {people} for feedback: the emails are on their way, "
              "each with the person's private link to the feedback form.", "success")
    return redirect(url_for("dashboard.report", slug=slug, _anchor="feedback"), 303)
