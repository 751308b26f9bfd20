"""The attendee's registration form and the form to change their answers.

The shape of the input only: each answer present where needed, of the right type and
short enough for its column. Whether an invitation code is right, an email already
registered, or a choice one of a question's options is for ``registration.rules``
(registering, answers) to say.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from eventsapp.registration.models import ORGANISATION_TYPE_LABELS, Question, QuestionKind
from eventsapp.registration.rules.setup import QuestionSpec, RegistrationSetup
from eventsapp.visits.models import RegistrationAccess
from eventsapp.web.forms import clean_lines, clean_text, max_length

YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


def email_field(description: str) -> EmailField:
    """An attendee's email address: required, one line, at most 254 characters."""
    return EmailField(
        "Email",
        description=description,
        filters=[clean_text],
        validators=[
            DataRequired("Enter your email address"),
            max_length(254, "Email"),
            Email("Enter an email address like name@example.org"),
        ],
    )


class RequiredMark:
    """Marks a field required (the asterisk) where the service checks it."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


class DetailsForm(FlaskForm):
    """Everything an attendee tells us about themselves; also the edit form."""

    full_name = StringField(
        "Full name",
        filters=[clean_text],
        validators=[DataRequired("Enter your full name"), max_length(200, "Full name")],
    )
    email = email_field("We send your confirmation and your private link here.")
    organisation = StringField(
        "Organisation",
        filters=[clean_text],
        validators=[Optional(), max_length(200, "Organisation")],
    )
    job_title = StringField(
        "Job title",
        filters=[clean_text],
        validators=[Optional(), max_length(200, "Job title")],
    )
    organisation_type = SelectField(
        "Type of organisation",
        choices=[SelectChoice("", "Choose one (optional)")]
        + [SelectChoice(kind.value, label) for kind, label in ORGANISATION_TYPE_LABELS.items()],
        default="",
        # No Optional(): it would clear the "not one of the choices" error for "\r\n".
        invalid_choice_message="Choose one of the types listed",
    )
    dietary = TextAreaField(
        "Dietary requirements",
        description="For example vegetarian, halal, or a nut allergy.",
        filters=[clean_lines],
        validators=[Optional(), max_length(500, "Dietary requirements")],
    )
    access_needs = TextAreaField(
        "Access requirements",
        description="Anything that would help you take part, for example step-free "
        "routes, seating, or a hearing loop.",
        filters=[clean_lines],
        validators=[Optional(), max_length(1000, "Access requirements")],
    )
    consent_photography = BooleanField("I agree to be photographed and filmed during the visit")
    consent_share = BooleanField(
        "I agree that my name and organisation may be shared with the member businesses "
        "showcasing during the visit"
    )


class ListedChoices:
    """Every value one of the field's choices (set per form): anything else, a made-up
    or an overflowing id among them, is one message, never a lookup."""

    def __call__(self, form, field) -> None:
        allowed = {choice[0] for choice in field.choices or ()}
        if any(value not in allowed for value in field.data or ()):
            raise StopValidation("Choose sessions from the list")


class RegistrationForm(DetailsForm):
    class Meta:
        # CSRFProtect checks the token of every POST before the view runs and the page
        # renders csrf_token(): a field of its own would sign a new token for nothing.
        csrf = False

    privacy_accepted = BooleanField(
        "I have read and accept the privacy notice",
        [DataRequired("You must accept the privacy notice to register.")],
    )
    invitation_code = StringField(
        "Invitation code",
        description="The code from your invitation.",
        filters=[clean_text],
        validators=[RequiredMark(), max_length(64, "Invitation code")],
    )
    # The visit's sessions with limited places (registration_form sets the choices).
    sessions = SelectMultipleField(
        "Sessions with limited places",
        choices=[],
        validate_choice=False,
        validators=[ListedChoices()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    # A honeypot: hidden from people, filled in by form-filling robots.
    website = StringField("Leave this empty")


def question_field(question: Question | QuestionSpec) -> Field:
    """The form field for one of a visit's extra questions (named ``q_<id>``).

    Choices are not checked here: the service checks them, with its own messages.
    """
    validators = [RequiredMark()] if question.required else []
    common = dict(label=question.label, description=question.help_text, validators=validators)
    kind = question.kind
    if kind is QuestionKind.SHORT_TEXT:
        return StringField(filters=[clean_text], **common)
    if kind is QuestionKind.LONG_TEXT:
        return TextAreaField(filters=[clean_lines], **common)
    if kind is QuestionKind.SINGLE_CHOICE:
        choices = [SelectChoice(choice) for choice in question.choices]
        return RadioField(choices=choices, validate_choice=False, **common)
    if kind is QuestionKind.MULTIPLE_CHOICE:
        return SelectMultipleField(
            choices=[SelectChoice(choice) for choice in question.choices],
            validate_choice=False,
            widget=ListWidget(prefix_label=False),
            option_widget=CheckboxInput(),
            **common,
        )
    return RadioField(choices=YES_NO, validate_choice=False, **common)


def with_questions(base: type[DetailsForm],
                   questions: Iterable[Question | QuestionSpec]) -> type[DetailsForm]:
    """A subclass of ``base`` with one field per question, in the visit's order."""
    fields = {f"q_{question.id}": question_field(question) for question in questions}
    return type(f"{base.__name__}WithQuestions", (base,), fields)


def registration_form(setup: RegistrationSetup) -> RegistrationForm:
    """The registration form for a visit, bound to the request's data; the invitation
    code field only where registration is by invitation, the sessions field only where
    the visit has limited items and registering can sign up for them."""
    form = _registration_form_class(setup.questions)()
    if setup.visit.registration_access is not RegistrationAccess.INVITATION:
        del form.invitation_code
    if setup.sessions and setup.visit.registration_access is not RegistrationAccess.APPROVAL:
        form.sessions.choices = [(str(session.id), session.title) for session in setup.sessions]
    else:
        # Sessions are signed up for once a registration is confirmed or waiting: where
        # the organisers approve each one, from the private page afterwards.
        del form.sessions
    return form


def session_ids(form: RegistrationForm) -> list[int]:
    """The sessions ticked on a valid form, as ids."""
    return [int(value) for value in form.sessions.data or ()] if "sessions" in form else []


@lru_cache(maxsize=128)
def _registration_form_class(questions: tuple[QuestionSpec, ...]) -> type[RegistrationForm]:
    # Made once per set of questions (the copies are equal while nothing changes):
    # a form class costs more to make than the form.
    return with_questions(RegistrationForm, questions)


def answers_from(form: DetailsForm, questions: Iterable[Question | QuestionSpec]) -> dict:
    """The raw answers, keyed by question id, for the service to check."""
    answers: dict = {}
    for question in questions:
        data = form[f"q_{question.id}"].data
        if isinstance(data, list):
            data = [value for value in data if isinstance(value, str)]
        answers[question.key] = data
    return answers


def question_data(questions: Iterable[Question], answers: dict) -> dict:
    """Stored answers as form data, to pre-fill the edit form."""
    return {f"q_{question.id}": answers.get(question.key) for question in questions}


class LostLinkForm(FlaskForm):
    """The address a lost private link is emailed to."""

    email = email_field("The email address you registered with.")
