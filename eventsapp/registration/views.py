"""The attendee's side of registration: the form, and the private page behind /r/<token>.

No accounts: the private link is the key, so every page here is sent with
``Referrer-Policy: no-referrer`` and ``Cache-Control: no-store``.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter.util import get_remote_address

from eventsapp.accounts import rules as users
from eventsapp.errors import Conflict, NotFound, ValidationError
from eventsapp.extensions import limiter
from eventsapp.ids import ID
from eventsapp.registration.forms import (
    DetailsForm,
    LostLinkForm,
    answers_from,
    question_data,
    registration_form,
    session_ids,
    with_questions,
)
from eventsapp.registration.models import OrganisationType, RegistrationStatus, SignupStatus
from eventsapp.registration.rules import capacity, limited_items, notices, own_page, registering
from eventsapp.registration.rules import common as registration_common
from eventsapp.registration.rules import itinerary as itinerary_service
from eventsapp.registration.rules import lost_link as lost_link_rules
from eventsapp.registration.rules import setup as registration_setup
from eventsapp.registration.rules.answers import clean_answers, display_answer
from eventsapp.registration.rules.common import (
    AttendeeDetails,
    RegistrationClosed,
    Window,
)
from eventsapp.visits import rules as visits
from eventsapp.visits.models import RegistrationAccess
from eventsapp.web import ratelimits

bp = Blueprint("registration", __name__)


PRIVATE_LINK_SENT = "We have emailed you a private link to this page."


OUTCOME_MESSAGES = {
    RegistrationStatus.CONFIRMED: "You're registered: your place is confirmed.",
    RegistrationStatus.WAITLISTED: "The visit is full: you're on the waiting list at "
                                   "position {position}.",
    RegistrationStatus.PENDING_APPROVAL: "Thank you: the organisers will review your "
                                         "registration and email you.",
}


@bp.context_processor
def registration_dates():
    return {"registration_closes_at": registration_common.registration_closes_at,
            "visit_is_over": visits.is_over}


@bp.after_request
def private(response):
    """The private link is in the URL: never send it on, never keep the page."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _details(form: DetailsForm, questions, privacy_accepted: bool) -> AttendeeDetails:
    kind = form.organisation_type.data
    return AttendeeDetails(
        full_name=form.full_name.data or "",
        email=form.email.data or "",
        organisation=form.organisation.data or "",
        job_title=form.job_title.data or "",
        organisation_type=OrganisationType(kind) if kind else None,
        dietary=form.dietary.data or "",
        access_needs=form.access_needs.data or "",
        consent_photography=bool(form.consent_photography.data),
        consent_share=bool(form.consent_share.data),
        privacy_accepted=privacy_accepted,
        answers=answers_from(form, questions),
    )


def _add_errors(form: DetailsForm, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        target = form._fields.get(name, form.full_name)
        if message not in target.errors:
            target.errors = [*target.errors, message]


def _form_is_valid(form: DetailsForm, questions) -> bool:
    """The form's own checks and, at the same time, the answers to the extra
    questions, so that every mistake is shown at once."""
    valid = form.validate()
    if not valid:
        _, answer_errors = clean_answers(questions, answers_from(form, questions))
        _add_errors(form, answer_errors)
    return valid


@bp.route("/visits/<slug>/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTRATION_RATE_LIMIT"], methods=["POST"],
               key_func=get_remote_address)
def register(slug: str):
    try:
        setup = registration_setup.setup_for(slug)
    except NotFound:
        abort(404)
    visit = setup.visit  # a copy of the visit's row, which the pages here show
    posted = request.method == "POST"
    window, message = registration_common.registration_window(visit)
    if window is not Window.OPEN:
        return _closed(visit, window, message, 409 if posted else 200)

    # Counted for the form page only; a POST that succeeds never shows it.
    places_left = None if posted else registration_common.places_left(visit)
    if (not posted and places_left == 0 and not visit.waitlist_enabled
            and visit.registration_access is not RegistrationAccess.APPROVAL):
        return render_template("registration/full.html", visit=visit,
                               message="Sorry, this visit is full and has no waiting list.")

    questions = setup.questions
    form = registration_form(setup)
    invited = visit.registration_access is RegistrationAccess.INVITATION
    if invited and not posted:
        form.invitation_code.data = (request.args.get("code") or "")[:64]
    if posted and (form.website.data or "").strip():
        # A robot filled the honeypot: tell it nothing and keep nothing.
        return render_template("registration/thanks.html", visit=visit)
    if posted and _form_is_valid(form, questions):
        try:
            outcome = _submit(slug, setup, form)
        except NotFound:
            abort(404)
        except RegistrationClosed as exc:
            return _closed(visit, exc.window, exc.message, 409)
        except ValidationError as exc:
            setup, form = _current_form(slug, setup, form)
            visit, questions = setup.visit, setup.questions
            _add_errors(form, exc.errors)
        except Conflict as exc:
            if exc.field not in ("email", "sessions"):
                return render_template("registration/full.html", visit=visit,
                                       message=exc.message), 409
            _add_errors(form, {exc.field: exc.message})
        else:
            return _registered(outcome)
    return render_template(
        "registration/register.html",
        visit=visit,
        form=form,
        questions=questions,
        places_left=registration_common.places_left(visit) if posted else places_left,
        **_sessions(setup, form),
    ), (422 if posted else 200)


def _sessions(setup, form) -> dict:
    """What the form shows of the sessions it offers: each with its places left."""
    if "sessions" not in form:
        return {"sessions": []}
    places = limited_items.places_by_item(setup.visit.id)
    return {"sessions": [(session, places.get(session.id, session.capacity))
                         for session in setup.sessions]}


def _submit(slug: str, setup, form: DetailsForm):
    """Register what the form, read with ``setup``, holds."""
    invited = setup.visit.registration_access is RegistrationAccess.INVITATION
    return registering.register(
        slug,
        _details(form, setup.questions, privacy_accepted=bool(form.privacy_accepted.data)),
        invitation_code=(form.invitation_code.data or "") if invited else "",
        item_ids=session_ids(form),
    )


def _current_form(slug: str, setup, form: DetailsForm):
    """The setup and form as they are now, with what was sent: register() checked the
    answers against the questions it read, which an organiser may have changed since
    this request read its copy (the form then shows the new question and its message)."""
    try:
        current = registration_setup.setup_for(slug)
    except NotFound:
        abort(404)
    if current.questions == setup.questions:
        return setup, form
    form = registration_form(current)
    _form_is_valid(form, current.questions)
    return current, form


def _registered(outcome):
    # The private page says how it went (from the registration itself), so this POST
    # writes no flashed message into the session cookie.
    return redirect(url_for("registration.manage", token=outcome.manage_token, welcome=1), 303)


def _closed(visit, window: Window, message: str, status: int):
    return render_template(
        "registration/closed.html", visit=visit, window=window, message=message
    ), status


lost_link_per_address = limiter.shared_limit(
    lambda: current_app.config["LOST_LINK_RATE_LIMIT_PER_ADDRESS"], "lost-link-address",
    key_func=get_remote_address, methods=["POST"])


lost_link_per_email = limiter.shared_limit(
    lambda: current_app.config["LOST_LINK_RATE_LIMIT_PER_EMAIL"], "lost-link-email",
    key_func=ratelimits.posted_email_key, methods=["POST"])


@bp.route("/visits/<slug>/lost-link", methods=["GET", "POST"])
@lost_link_per_address
@lost_link_per_email
def lost_link(slug: str):
    """Ask for a visit's private link again. The answer is the same whether or not the
    address is registered: a redirect to this page, saying that it may have been sent."""
    try:
        visit = registration_setup.setup_for(slug).visit
    except NotFound:
        abort(404)
    form = LostLinkForm()
    if form.validate_on_submit():
        try:
            lost_link_rules.send_visit_link(slug, form.email.data)
        except NotFound:
            abort(404)
        return redirect(url_for("registration.lost_link", slug=slug, sent=1), 303)
    return render_template("registration/lost_link.html", visit=visit, form=form,
                           sent=bool(request.args.get("sent"))), (
        422 if request.method == "POST" else 200)


@bp.route("/lost-link", methods=["GET", "POST"])
@lost_link_per_address
@lost_link_per_email
def lost_links():
    """Ask for the private links of all one's registrations (from a broken /r/ link,
    which names no visit): the same answer whether or not there are any."""
    form = LostLinkForm()
    if form.validate_on_submit():
        lost_link_rules.send_all_links(form.email.data)
        return redirect(url_for("registration.lost_links", sent=1), 303)
    return render_template("registration/lost_link.html", visit=None, form=form,
                           sent=bool(request.args.get("sent"))), (
        422 if request.method == "POST" else 200)


def _registration_or_404(token: str):
    try:
        return registration_common.registration_for_token(token)
    except NotFound:
        abort(404)


def _edit_form_class(registration):
    return with_questions(DetailsForm, registration.visit.questions)


def _stored_details(registration) -> dict:
    """What the attendee told us, as edit-form data."""
    kind = registration.organisation_type
    return {
        "full_name": registration.full_name,
        "email": registration.email,
        "organisation": registration.organisation,
        "job_title": registration.job_title,
        "organisation_type": kind.value if kind else "",
        "dietary": registration.dietary,
        "access_needs": registration.access_needs,
        "consent_photography": registration.consent_photography,
        "consent_share": registration.consent_share,
        **question_data(registration.visit.questions, registration.answers),
    }


def _render_manage(token: str, registration, form: DetailsForm | None = None, status=200,
                   welcome: bool = False):
    visit = registration.visit
    if form is None and registration.is_live:
        form = _edit_form_class(registration)(data=_stored_details(registration))
    answers = [(question.label, display_answer(question, registration.answers))
               for question in visit.questions]
    position = capacity.waitlist_position(registration)
    outcome = OUTCOME_MESSAGES.get(registration.status) if welcome else None
    return render_template(
        "registration/manage.html",
        token=token,
        registration=registration,
        visit=visit,
        welcome=f"{outcome.format(position=position)} {PRIVATE_LINK_SENT}" if outcome else None,
        position=position,
        answers=answers,
        form=form if registration.is_live else None,
        items=limited_items.limited_items(registration),
        can_sign_up=registration.status in (RegistrationStatus.CONFIRMED,
                                            RegistrationStatus.WAITLISTED),
        feed_url=notices.feed_url(registration) if registration.is_live else None,
    ), status


@bp.get("/r/<token>")
def manage(token: str):
    """The private page; ``?welcome=1`` (where registering leads) says how it went."""
    return _render_manage(token, _registration_or_404(token),
                          welcome=bool(request.args.get("welcome")))


@bp.post("/r/<token>/edit")
def edit(token: str):
    registration = _registration_or_404(token)
    if not registration.is_live:
        flash("This registration is cancelled and can no longer be changed.", "error")
        return redirect(url_for("registration.manage", token=token), 303)
    questions = list(registration.visit.questions)
    form = _edit_form_class(registration)()
    if _form_is_valid(form, questions):
        try:
            # The privacy notice was accepted when registering.
            own_page.update_details(token, _details(form, questions, privacy_accepted=True))
        except NotFound:
            abort(404)
        except ValidationError as exc:
            _add_errors(form, exc.errors)
        except Conflict as exc:
            if exc.field != "email":
                flash(exc.message, "error")
                return redirect(url_for("registration.manage", token=token), 303)
            _add_errors(form, {"email": exc.message})
        else:
            flash("Your answers are saved.", "success")
            return redirect(url_for("registration.manage", token=token), 303)
    return _render_manage(token, _registration_or_404(token), form, 422)


@bp.post(f"/r/<token>/items/<{ID}:item_id>/signup")
def sign_up(token: str, item_id: int):
    try:
        outcome = limited_items.sign_up(token, item_id)
    except NotFound:
        abort(404)
    except Conflict as exc:
        flash(exc.message, "error")
    else:
        title = outcome.signup.item.title
        if outcome.signup.status is SignupStatus.CONFIRMED:
            flash(f"You have a place on “{title}”.", "success")
        else:
            flash(f"“{title}” is full: you're on its waiting list at position "
                  f"{outcome.position}.", "success")
    return redirect(url_for("registration.manage", token=token, _anchor="sessions"), 303)


@bp.post(f"/r/<token>/items/<{ID}:item_id>/leave")
def leave(token: str, item_id: int):
    try:
        limited_items.leave(token, item_id)
    except NotFound:
        abort(404)
    flash(f"You have left “{limited_items.item_title(item_id)}”.", "success")
    return redirect(url_for("registration.manage", token=token, _anchor="sessions"), 303)


@bp.post("/r/<token>/calendar/reset")
def reset_calendar(token: str):
    try:
        own_page.reset_feed(token)
    except NotFound:
        abort(404)
    flash(users.FEED_RESET_MESSAGE, "success")
    return redirect(url_for("registration.manage", token=token, _anchor="calendar"), 303)


@bp.post("/r/<token>/cancel")
def cancel(token: str):
    try:
        own_page.cancel(token)
    except NotFound:
        abort(404)
    flash("Your registration is cancelled. Thank you for letting us know.", "success")
    return redirect(url_for("registration.manage", token=token), 303)


@bp.post("/r/<token>/erase")
def erase(token: str):
    visit = _registration_or_404(token).visit
    title, slug = visit.title, visit.slug
    try:
        own_page.erase(token)
    except NotFound:
        abort(404)
    return render_template("registration/erased.html", visit_title=title, visit_slug=slug)


bp.after_request(private)


@bp.get("/r/<token>/itinerary")
def itinerary(token: str):
    try:
        found = itinerary_service.attendee_itinerary(token)
    except NotFound:
        return render_template(
            "web/error.html", code=404, title="No itinerary at this link",
            detail="This private link does not open a registration. It may have been "
                   "mistyped, or the registration's data may have been erased at the "
                   "attendee's request."), 404
    return render_template("registration/itinerary.html", token=token, it=found,
                           visit=found.visit, registration=found.registration)
