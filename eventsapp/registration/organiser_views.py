"""The organiser's registration pages, on the organiser blueprint: settings and extra
questions, the registrations table, one registration and the actions on it, adding
someone by hand, the CSV export, the catering and access summary, and purging
personal data once the visit is over.

Each view parses a form, calls one service function and turns its result or its
domain error into a page, a flash or a redirect. A visit or registration the
organiser does not organise is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)

from eventsapp.accounts.access import organiser_required
from eventsapp.errors import Conflict, ValidationError
from eventsapp.extensions import db
from eventsapp.ids import ID
from eventsapp.registration.forms import answers_from
from eventsapp.registration.models import QuestionKind, Registration, RegistrationStatus
from eventsapp.registration.organiser_forms import (
    QUESTION_KIND_LABELS,
    CancelForm,
    DeclineForm,
    PromoteForm,
    QuestionForm,
    SettingsForm,
    WaitlistForm,
    registration_form_for,
)
from eventsapp.registration.rules import attendees, capacity
from eventsapp.registration.rules import settings as settings_service
from eventsapp.registration.rules.answers import display_answer
from eventsapp.registration.rules.common import AttendeeDetails, registration_closes_at
from eventsapp.registration.rules.settings import QuestionInput, SettingsInput
from eventsapp.registration.views import bp
from eventsapp.spreadsheet import csv_chunks
from eventsapp.timezones import to_local
from eventsapp.visits import rules as visits
from eventsapp.visits.models import RegistrationAccess
from eventsapp.web.organiser import call, csv_download, form_page, requested_page, show_errors
from eventsapp.wording import count_noun, possessive

VISIT = "/organiser/visits/<slug>"


ONE = f"{VISIT}/registrations/<{ID}:registration_id>"


QUESTION = f"{VISIT}/registration/questions/<{ID}:question_id>"


STATUS_FILTERS = {
    "confirmed": (RegistrationStatus.CONFIRMED, "Confirmed"),
    "waitlisted": (RegistrationStatus.WAITLISTED, "Waiting list"),
    "pending_approval": (RegistrationStatus.PENDING_APPROVAL, "Awaiting approval"),
    "cancelled": (RegistrationStatus.CANCELLED, "Cancelled"),
}


SEARCH_MAX = 200


def _visit(slug: str):
    return call(visits.organiser_visit, slug)


def _registration(slug: str, registration_id: int):
    visit = _visit(slug)
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.visit_id != visit.id:
        abort(404)
    return visit, registration


def _local_today(visit):
    return datetime.now(visit.zone).date()


def _settings_data(visit) -> dict:
    def wall(instant):
        return to_local(instant, visit.zone).replace(tzinfo=None) if instant else None

    return {
        "opens_at": wall(visit.registration_opens_at),
        "closes_at": wall(visit.registration_closes_at),
        "on_the_day": visit.registration_on_the_day,
        "capacity": visit.capacity,
        "waitlist_enabled": visit.waitlist_enabled,
        "access": visit.registration_access.value,
        "invitation_code": visit.invitation_code or "",
        "contact_email": visit.contact_email,
        "privacy_notice": visit.privacy_notice,
    }


def _settings_input(form: SettingsForm) -> SettingsInput:
    return SettingsInput(
        opens_local=form.opens_at.data,
        closes_local=form.closes_at.data,
        on_the_day=form.on_the_day.data,
        capacity=form.capacity.data,
        waitlist_enabled=form.waitlist_enabled.data,
        access=RegistrationAccess(form.access.data),
        invitation_code=form.invitation_code.data or "",
        contact_email=form.contact_email.data or "",
        privacy_notice=form.privacy_notice.data or "",
    )


def _settings_page(visit, form=None, question_form=None):
    if form is None:
        form = SettingsForm(zone_name=visit.timezone, formdata=None, data=_settings_data(visit))
    if question_form is None:
        question_form = QuestionForm(prefix="question", formdata=None)
    return form_page(
        "registration/organiser/settings.html",
        visit=visit,
        form=form,
        question_form=question_form,
        counts=attendees.counts(visit),
        questions=list(visit.questions),
        kind_labels=QUESTION_KIND_LABELS,
        closes_at=registration_closes_at(visit),
        closes_on_the_day=visit.registration_on_the_day,
        now=datetime.now(UTC),
    )


def _settings_url(slug: str, anchor: str | None = None) -> str:
    return url_for("registration.registration_settings", slug=slug, _anchor=anchor)


@bp.route(f"{VISIT}/registration", methods=["GET", "POST"])
@organiser_required
def registration_settings(slug: str):
    visit = _visit(slug)
    if request.method == "GET":
        return _settings_page(visit)
    form = SettingsForm(zone_name=visit.timezone)
    if form.validate_on_submit():
        try:
            call(settings_service.update_settings, slug, _settings_input(form))
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            flash("Saved the registration settings.", "success")
            return redirect(_settings_url(slug))
    return _settings_page(visit, form=form)


def _question_input(form: QuestionForm) -> QuestionInput:
    return QuestionInput(
        kind=QuestionKind(form.kind.data),
        label=form.label.data,
        help_text=form.help_text.data or "",
        required=form.required.data,
        options=form.options.data or "",
    )


@bp.post(f"{VISIT}/registration/questions")
@organiser_required
def add_question(slug: str):
    visit = _visit(slug)
    form = QuestionForm(prefix="question")
    if form.validate_on_submit():
        try:
            question = call(settings_service.add_question, slug, _question_input(form))
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            flash(f"Added the question “{question.label}”.", "success")
            return redirect(_settings_url(slug, "questions"))
    return _settings_page(visit, question_form=form)


@bp.route(f"{QUESTION}/edit", methods=["GET", "POST"])
@organiser_required
def edit_question(slug: str, question_id: int):
    question = call(settings_service.organiser_question, slug, question_id)
    visit = question.visit
    form = QuestionForm(prefix="question", obj=question if request.method == "GET" else None)
    if request.method == "GET":
        form.kind.data = question.kind.value
    if form.validate_on_submit():
        try:
            question = call(settings_service.update_question, slug, question_id,
                             _question_input(form))
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            flash(f"Saved the question “{question.label}”.", "success")
            return redirect(_settings_url(slug, f"question-{question_id}"))
    return form_page("registration/organiser/question_form.html", question_form=form,
                 visit=visit, question=question)


@bp.post(f"{QUESTION}/delete")
@organiser_required
def delete_question(slug: str, question_id: int):
    call(settings_service.delete_question, slug, question_id)
    flash("Deleted the question. Answers already given to it are no longer shown.", "success")
    return redirect(_settings_url(slug, "questions"))


def _move_question(slug: str, question_id: int, offset: int):
    call(settings_service.move_question, slug, question_id, offset)
    return redirect(_settings_url(slug, f"question-{question_id}"))


@bp.post(f"{QUESTION}/move-up")
@organiser_required
def move_question_up(slug: str, question_id: int):
    return _move_question(slug, question_id, -1)


@bp.post(f"{QUESTION}/move-down")
@organiser_required
def move_question_down(slug: str, question_id: int):
    return _move_question(slug, question_id, +1)


@bp.get(f"{VISIT}/registrations")
@organiser_required
def registrations(slug: str):
    visit = _visit(slug)
    status_key = request.args.get("status", "")
    status = STATUS_FILTERS[status_key][0] if status_key in STATUS_FILTERS else None
    search = " ".join(request.args.get("q", "").replace("\x00", "").split())[:SEARCH_MAX]
    page, positions = attendees.registrations_page(visit, status, search, requested_page())
    return render_template(
        "registration/organiser/list.html",
        visit=visit,
        page=page,
        rows=page.items,
        positions=positions,
        counts=attendees.counts(visit),
        filters=STATUS_FILTERS,
        status_key=status_key if status else "",
        search=search,
        ended=_local_today(visit) > visit.end_date,
    )


@bp.get(f"{VISIT}/registrations.csv")
@organiser_required
def registrations_csv(slug: str):
    visit = _visit(slug)
    header, rows = attendees.export_rows(visit)
    # Sent while it is made: the rows are read in batches inside the request's context.
    return csv_download(stream_with_context(csv_chunks(header, rows)),
                        f"{visit.slug}-registrations.csv")


@bp.get(f"{VISIT}/catering")
@organiser_required
def catering(slug: str):
    visit = _visit(slug)
    return render_template("registration/organiser/catering.html", visit=visit,
                           summary=attendees.catering_summary(visit))


@bp.post(f"{VISIT}/purge")
@organiser_required
def purge_registrations(slug: str):
    visit = _visit(slug)
    try:
        erased = call(attendees.purge_personal_data, slug, _local_today(visit))
    except Conflict as exc:
        flash(exc.message, "error")
    else:
        flash(f"Erased the personal data of {count_noun(erased, 'registration')}. The "
              "anonymous rows stay, so the counts are kept.", "success")
    return redirect(url_for("registration.registrations", slug=slug))


@bp.route(f"{VISIT}/registrations/new", methods=["GET", "POST"])
@organiser_required
def new_registration(slug: str):
    visit = _visit(slug)
    questions = list(visit.questions)
    form = registration_form_for(questions)
    if form.validate_on_submit():
        details = AttendeeDetails(
            full_name=form.full_name.data,
            email=form.email.data,
            organisation=form.organisation.data or "",
            job_title=form.job_title.data or "",
            organisation_type=form.organisation_type_value,
            dietary=form.dietary.data or "",
            access_needs=form.access_needs.data or "",
            consent_photography=form.consent_photography.data,
            consent_share=form.consent_share.data,
            answers=answers_from(form, questions),
        )
        try:
            added = call(attendees.add_by_hand, slug, details, send_email=form.send_email.data)
        except (ValidationError, Conflict) as exc:
            show_errors(form, exc)
        else:
            flash(f"Added {added.full_name}: {_status_phrase(added)}"
                  + (" They have been emailed." if form.send_email.data else ""), "success")
            return redirect(url_for("registration.registration", slug=slug,
                                    registration_id=added.id))
    return form_page("registration/organiser/new.html", visit=visit, form=form)


def _status_phrase(registration: Registration) -> str:
    status = registration.status
    if status is RegistrationStatus.WAITLISTED:
        position = capacity.waitlist_position(registration)
        return f"on the waiting list at position {position}."
    return {
        RegistrationStatus.CONFIRMED: "confirmed.",
        RegistrationStatus.PENDING_APPROVAL: "awaiting approval.",
        RegistrationStatus.CANCELLED: "cancelled.",
    }[status]


def _registration_page(visit, registration, **forms):
    questions = list(visit.questions)
    context = {
        "decline_form": DeclineForm(prefix="decline", formdata=None),
        "promote_form": PromoteForm(prefix="promote", formdata=None),
        "waitlist_form": WaitlistForm(prefix="waitlist", formdata=None),
        "cancel_form": CancelForm(prefix="cancel", formdata=None),
    }
    context.update(forms)
    return form_page(
        "registration/organiser/detail.html",
        visit=visit,
        registration=registration,
        position=capacity.waitlist_position(registration),
        answers=[(q, display_answer(q, registration.answers)) for q in questions],
        **context,
    )


def _back(slug: str, registration_id: int):
    return redirect(url_for("registration.registration", slug=slug,
                            registration_id=registration_id))


@bp.get(ONE)
@organiser_required
def registration(slug: str, registration_id: int):
    visit, found = _registration(slug, registration_id)
    return _registration_page(visit, found)


def _name(registration: Registration) -> str:
    return registration.full_name or "this person"


def _emailed(registration: Registration) -> str:
    return " They have been emailed." if registration.email else ""


def _act(slug: str, registration_id: int, form, name: str, service, *args, done):
    """Run one action from the registration page. A form that fails its checks, or a
    refusal, comes back on the page with what was typed; success is flashed.
    ``done(registration, status_before)`` says what happened."""
    visit, found = _registration(slug, registration_id)
    before = found.status
    if form is None or form.validate_on_submit():
        try:
            changed = call(service, slug, registration_id, *args)
        except (ValidationError, Conflict) as exc:
            if form is None:
                flash(exc.message, "error")
                return _back(slug, registration_id)
            show_errors(form, exc)
        else:
            flash(done(changed, before), "success")
            return _back(slug, registration_id)
    return _registration_page(visit, found, **{name: form})


def _freed(before: RegistrationStatus) -> str:
    if before is RegistrationStatus.CONFIRMED:
        return " Their place went to the first person on the waiting list, if anyone was waiting."
    return ""


@bp.post(f"{ONE}/approve")
@organiser_required
def approve_registration(slug: str, registration_id: int):
    return _act(slug, registration_id, None, "", attendees.approve,
                done=lambda r, _b: f"Approved {_name(r)}: {_status_phrase(r)}{_emailed(r)}")


@bp.post(f"{ONE}/decline")
@organiser_required
def decline_registration(slug: str, registration_id: int):
    form = DeclineForm(prefix="decline")
    return _act(slug, registration_id, form, "decline_form", attendees.decline,
                form.message.data or "",
                done=lambda r, _b: f"Declined {possessive(_name(r))} registration.{_emailed(r)}")


@bp.post(f"{ONE}/promote")
@organiser_required
def promote_registration(slug: str, registration_id: int):
    form = PromoteForm(prefix="promote")
    return _act(slug, registration_id, form, "promote_form", attendees.promote,
                form.reason.data or "", form.over_capacity.data,
                done=lambda r, _b: f"Promoted {_name(r)} from the waiting list: "
                f"confirmed.{_emailed(r)}")


@bp.post(f"{ONE}/move-to-waitlist")
@organiser_required
def waitlist_registration(slug: str, registration_id: int):
    form = WaitlistForm(prefix="waitlist")
    return _act(slug, registration_id, form, "waitlist_form", attendees.move_to_waitlist,
                form.reason.data or "",
                done=lambda r, b: f"Moved {_name(r)} to the waiting list: "
                f"{_status_phrase(r)}{_emailed(r)}{_freed(b)}")


@bp.post(f"{ONE}/cancel")
@organiser_required
def cancel_registration(slug: str, registration_id: int):
    form = CancelForm(prefix="cancel")
    return _act(slug, registration_id, form, "cancel_form", attendees.cancel_registration,
                form.reason.data or "",
                done=lambda r, b: f"Cancelled {possessive(_name(r))} registration."
                f"{_emailed(r) if b is not RegistrationStatus.CANCELLED else ''}{_freed(b)}")


@bp.post(f"{ONE}/resend")
@organiser_required
def resend_registration(slug: str, registration_id: int):
    return _act(slug, registration_id, None, "", attendees.resend_confirmation,
                done=lambda r, _b: f"Sent {_name(r)} their registration email again, "
                "with their private link.")
