"""The attendee's feedback form after a visit, behind their private link:
/r/<token>/feedback. Like the rest of /r/<token>, never sent on and never kept."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from eventsapp.errors import Conflict, NotFound, ValidationError
from eventsapp.feedback import rules as feedback_service
from eventsapp.feedback.forms import feedback_form_for, feedback_input, stored_data
from eventsapp.web.filters import long_date, time_range

bp = Blueprint("feedback", __name__)


@bp.after_request
def private(response):
    """The private link is in the URL: never send it on, never keep the page."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_global("feedback_open")
def feedback_open(registration) -> bool:
    """For the attendee's page: whether to offer the feedback form."""
    return feedback_service.state_of(registration)[0] is feedback_service.State.OPEN


def _page(token: str):
    try:
        return feedback_service.feedback_page(token)
    except NotFound:
        abort(404)


def _labels(page) -> dict[int, str]:
    visit = page.registration.visit
    return {
        item.id: ", ".join(part for part in (
            long_date(item.starts_at.astimezone(visit.zone).date()),
            time_range(item, visit),
            item.venue.name if item.venue else "",
        ) if part)
        for item in page.items
    }


def _render(token: str, page, form=None, general_errors=(), status: int = 200):
    return render_template(
        "feedback/form.html",
        token=token,
        page=page,
        visit=page.registration.visit,
        form=form,
        item_fields=[form[feedback_service.item_field(item.id)] for item in page.items]
        if form else [],
        general_errors=list(general_errors),
    ), status


@bp.route("/r/<token>/feedback", methods=["GET", "POST"])
def form(token: str):
    page = _page(token)
    if page.state is not feedback_service.State.OPEN:
        return _render(token, page, status=409 if request.method == "POST" else 200)
    form_class = feedback_form_for(page.items, _labels(page))
    if request.method == "GET":
        return _render(token, page, form_class(formdata=None, data=stored_data(page.feedback)))
    form = form_class()
    general: list[str] = []
    if form.validate():
        try:
            saved = feedback_service.save_feedback(
                token, feedback_input(form, page.items, request.form))
        except NotFound:
            abort(404)
        except Conflict as exc:  # the visit was cancelled meanwhile, or the place
            flash(exc.message, "error")
            return redirect(url_for("feedback.form", token=token), 303)
        except ValidationError as exc:
            for name, message in exc.errors.items():
                if name in form:
                    form[name].errors = [*form[name].errors, message]
                elif message not in general:
                    general.append(message)
        else:
            flash("Thank you: your feedback is saved. You can change it here at any time."
                  if saved else "Your feedback is cleared.", "success")
            return redirect(url_for("feedback.form", token=token), 303)
    return _render(token, page, form, general, 422)
