"""The impact report of a visit (page and CSV) and the button that asks confirmed
attendees for feedback once the visit is over."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for

from eventsapp.exports.impact_report import NO_RATINGS, RATING_VALUES, impact_csv
from eventsapp.models import utcnow
from eventsapp.services import feedback, impact
from eventsapp.services.errors import Conflict
from eventsapp.views.access import organiser_required
from eventsapp.views.organiser.blueprint import bp
from eventsapp.views.organiser.common import call

VISIT = "/visits/<slug>"


@bp.get(f"{VISIT}/report")
@organiser_required
def report(slug: str):
    visit, figures = call(impact.impact_report, slug)
    return render_template(
        "organiser/report.html",
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
    return Response(
        impact_csv(figures),
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{visit.slug}-impact-report.csv"',
            "Cache-Control": "no-store",
        },
    )


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
    return redirect(url_for(".report", slug=slug, _anchor="feedback"), 303)
