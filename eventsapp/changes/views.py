"""The organiser's change log of a visit and its pending change notices, on the
organiser blueprint: the log (newest first, by area, 50 a page), a preview of the
digests that would go out, and "notify now"."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from eventsapp.accounts.access import organiser_required
from eventsapp.changes.rules import notices as change_notices
from eventsapp.visits.models import ChangeArea
from eventsapp.web.organiser import call, requested_page
from eventsapp.wording import count_noun

bp = Blueprint("changes", __name__)


CHANGES = "/organiser/visits/<slug>/changes"


AREAS = {area.value: area for area in ChangeArea}


@bp.get(CHANGES)
@organiser_required
def changes(slug: str):
    area = AREAS.get(request.args.get("area", ""))
    found = call(change_notices.changes_page, slug, area, requested_page())
    return render_template("changes/log.html", visit=found.visit, log=found,
                           areas=list(ChangeArea))


@bp.get(f"{CHANGES}/preview")
@organiser_required
def changes_preview(slug: str):
    found = call(change_notices.preview, slug)
    return render_template("changes/preview.html", visit=found.visit,
                           pending=found.pending, digests=found.digests)


@bp.post(f"{CHANGES}/notify")
@organiser_required
def notify_changes(slug: str):
    result = call(change_notices.notify_now, slug)
    if not result.changes:
        flash("There were no changes waiting to be sent.", "success")
    elif not result.emails:
        flash("Nobody needed telling: the changes waiting were undone, or concern nobody.",
              "success")
    else:
        on_the_way = "is on its way" if result.emails == 1 else "are on their way"
        flash(f"Sent the changes: {count_noun(result.emails, 'email')} {on_the_way}.",
              "success")
    return redirect(url_for("changes.changes", slug=slug), 303)
