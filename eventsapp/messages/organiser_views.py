"""The organiser's Messages pages: the messages sent for a visit and their delivery,
writing one (with a preview before it goes), and the visit's reminder settings.

Each view parses a form, calls one rule function and turns its result or its domain
error into a page, a flash or a redirect. A visit the organiser does not organise is
a 404, exactly like one that does not exist.
"""

from __future__ import annotations

import secrets

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from wtforms import SelectChoice

from eventsapp.accounts.access import organiser_required
from eventsapp.errors import ValidationError
from eventsapp.ids import ID
from eventsapp.messages.forms import MessageForm, ReminderForm
from eventsapp.messages.rules import audience as audiences
from eventsapp.messages.rules import reminders, sending
from eventsapp.visits import rules as visits
from eventsapp.web.headers import email_preview
from eventsapp.web.organiser import call, form_page, show_errors
from eventsapp.wording import count_noun

bp = Blueprint("messages", __name__)

VISIT = "/organiser/visits/<slug>"


@bp.get(f"{VISIT}/messages")
@organiser_required
def messages(slug: str):
    visit, lines = call(sending.messages_page, slug)
    return render_template("messages/list.html", visit=visit, lines=lines,
                           reminders=reminders.settings(visit))


@bp.get(f"{VISIT}/messages/<{ID}:message_id>")
@organiser_required
def message(slug: str, message_id: int):
    found = call(sending.message_detail, slug, message_id)
    return render_template("messages/detail.html", visit=found.visit, message=found,
                           state=sending.delivery_state)


@bp.route(f"{VISIT}/messages/new", methods=["GET", "POST"])
@organiser_required
def new_message(slug: str):
    visit = call(visits.organiser_visit, slug)
    form, sessions = _message_form(visit)
    if not form.draft_key.data:
        form.draft_key.data = secrets.token_urlsafe(24)
    preview = None
    if form.validate_on_submit():
        try:
            if request.form.get("action") == "send":
                sent = call(sending.send, slug, form.draft())
                flash(f"Your message is on its way to "
                      f"{count_noun(sent.recipient_count, 'person', 'people')}.", "success")
                return redirect(url_for("messages.message", slug=slug, message_id=sent.id), 303)
            preview = call(sending.preview, slug, form.draft())
        except ValidationError as exc:
            show_errors(form, exc)
            preview = None
    return form_page("messages/new.html", status=422 if form.errors else 200, visit=visit,
                     form=form, sessions=sessions, preview=preview)


@bp.post(f"{VISIT}/messages/preview")
@organiser_required
def preview_email(slug: str):
    """The example email of the message form's preview, alone, for the preview page's
    sandboxed iframe (the form posts here into it): its inline styles need a policy of
    their own, which the preview page itself must not have."""
    visit = call(visits.organiser_visit, slug)
    form, _ = _message_form(visit)
    html = None
    if form.validate_on_submit():
        try:
            example = call(sending.preview, slug, form.draft()).example
        except ValidationError:
            example = None
        html = example.html if example else None
    if html is None:
        response = make_response(render_template("messages/preview_missing.html"), 422)
    else:
        response = make_response(html)
    return email_preview(response)


def _message_form(visit) -> tuple[MessageForm, list]:
    form = MessageForm()
    sessions = audiences.limited_items(visit)
    form.item_id.choices = [SelectChoice("", "Choose a session")] + [
        SelectChoice(item.id, item.title) for item in sessions]
    return form, sessions


@bp.route(f"{VISIT}/reminders", methods=["GET", "POST"])
@organiser_required
def reminder_settings(slug: str):
    visit = call(visits.organiser_visit, slug)
    current = reminders.settings(visit)
    form = ReminderForm(data={"enabled": current.enabled,
                              "days_before": ", ".join(map(str, current.days_before))})
    if form.validate_on_submit():
        try:
            saved = call(reminders.update_settings, slug, form.enabled.data,
                         form.days_before.data or "")
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            said = describe(saved) if saved.enabled else "none will be sent."
            flash(f"Reminders saved: {said}", "success")
            return redirect(url_for("messages.messages", slug=slug), 303)
    return form_page("messages/reminders.html", visit=visit, form=form,
                     begins=reminders.begins_at(visit))


def describe(settings: reminders.Settings) -> str:
    days = [("the day before" if d == 1 else f"{d} days before") for d in settings.days_before]
    return ", ".join(days) + "."
