"""The organiser's registration forms: settings, extra questions, actions on one
registration, and adding a registration by hand. The shape of the input only.

The rules (registration closes after it opens, a capacity not below those already
confirmed, an invitation code when invitations are on, at least two options for a
choice question, a place being free) live in ``registration.rules.settings`` and
``registration.rules.attendees``; these forms make sure each answer is present, of the right
type and short enough for its column, and say the limit when it is not.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Optional

from eventsapp.registration.forms import DetailsForm, with_questions
from eventsapp.registration.models import OrganisationType, Question, QuestionKind
from eventsapp.visits.models import RegistrationAccess
from eventsapp.web.forms import (
    LOCAL_FORMATS,
    capacity_range,
    clean_lines,
    clean_text,
    max_length,
    sensible_year,
)

# status_reason holds 500 characters, and the services put a short preamble first.
REASON_MAX = 400

ACCESS_LABELS = {
    RegistrationAccess.OPEN: "Open: anyone with the link can register",
    RegistrationAccess.INVITATION: "Invitation code: people need the code to register",
    RegistrationAccess.APPROVAL: "Approval: an organiser approves each registration",
}

QUESTION_KIND_LABELS = {
    QuestionKind.SHORT_TEXT: "Short text",
    QuestionKind.LONG_TEXT: "Long text",
    QuestionKind.SINGLE_CHOICE: "Single choice",
    QuestionKind.MULTIPLE_CHOICE: "Multiple choice",
    QuestionKind.YES_NO: "Yes or no",
}


class SettingsForm(FlaskForm):
    opens_at = DateTimeLocalField(
        "Registration opens",
        format=LOCAL_FORMATS,
        description="Leave empty to open registration as soon as the visit is published.",
        invalid_value_message="Enter a date and time, e.g. 2030-05-01 09:00, or leave it empty",
        validators=[Optional(), sensible_year],
    )
    closes_at = DateTimeLocalField(
        "Registration closes",
        format=LOCAL_FORMATS,
        description="Leave empty to close registration when the visit starts (or ends, "
                    "with registration on the day).",
        invalid_value_message="Enter a date and time, e.g. 2030-06-10 17:00, or leave it empty",
        validators=[Optional(), sensible_year],
    )
    on_the_day = BooleanField(
        "Allow registration on the day: keep it open until the visit ends, not only until "
        "it starts"
    )
    capacity = IntegerField(
        "Places",
        description="How many people can be confirmed. Leave empty for no limit.",
        invalid_value_message="Places must be a whole number, e.g. 20, or left empty for no limit",
        validators=[Optional(), capacity_range("Places")],
    )
    waitlist_enabled = BooleanField(
        "Keep a waiting list when the visit is full (free places go to people in the order "
        "they joined it)"
    )
    access = RadioField(
        "Who may register",
        choices=[SelectChoice(access.value, label) for access, label in ACCESS_LABELS.items()],
        invalid_choice_message="Choose who may register",
        validators=[InputRequired("Choose who may register")],
    )
    invitation_code = StringField(
        "Invitation code",
        description="Needed when registration is by invitation code. Not case-sensitive.",
        filters=[clean_text],
        validators=[Optional(), max_length(64, "The invitation code")],
    )
    contact_email = EmailField(
        "Contact email",
        description="Shown to attendees in emails, for questions about the visit.",
        filters=[clean_text],
        validators=[
            Optional(),
            max_length(254, "The contact email"),
            Email("Enter an email address like visits@example.org"),
        ],
    )
    privacy_notice = TextAreaField(
        "Privacy notice",
        description="Shown beside the registration form. Leave empty to use the standard "
        "notice, which says what is collected, why, and that it is deleted after the visit.",
        filters=[clean_lines],
        validators=[Optional(), max_length(10_000, "The privacy notice")],
    )

    def __init__(self, *args, zone_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.opens_at.label.text = f"Registration opens ({zone_name} time)"
        self.closes_at.label.text = f"Registration closes ({zone_name} time)"


class QuestionForm(FlaskForm):
    kind = SelectField(
        "Kind of answer",
        choices=[SelectChoice(k.value, label) for k, label in QUESTION_KIND_LABELS.items()],
        default=QuestionKind.SHORT_TEXT.value,
        invalid_choice_message="Choose what kind of answer the question takes",
        validators=[DataRequired("Choose what kind of answer the question takes")],
    )
    label = StringField(
        "Question",
        filters=[clean_text],
        validators=[DataRequired("Enter the question"), max_length(300, "The question")],
    )
    help_text = StringField(
        "Help text",
        description="Optional: a hint shown under the question.",
        filters=[clean_text],
        validators=[Optional(), max_length(500, "The help text")],
    )
    required = BooleanField("An answer is required")
    options = TextAreaField(
        "Options",
        description="For single and multiple choice: one option per line, at least two.",
        filters=[clean_lines],
        validators=[Optional(), max_length(5_000, "The options")],
    )


# --- actions on one registration --------------------------------------------------------


class DeclineForm(FlaskForm):
    message = TextAreaField(
        "Message to the person (optional)",
        description="Emailed with the decision, e.g. why, or what else they could join.",
        filters=[clean_lines],
        validators=[Optional(), max_length(REASON_MAX, "The message")],
    )


class PromoteForm(FlaskForm):
    reason = StringField(
        "Reason",
        description="Kept with the registration, e.g. “speaker on the panel”.",
        filters=[clean_text],
        validators=[
            DataRequired("Give a reason; it is kept with the registration"),
            max_length(REASON_MAX, "The reason"),
        ],
    )
    over_capacity = BooleanField("Add a place (raise the capacity by one) if the visit is full")


class WaitlistForm(FlaskForm):
    reason = StringField(
        "Reason",
        description="Kept with the registration and told to the person.",
        filters=[clean_text],
        validators=[
            DataRequired("Give a reason; it is kept with the registration"),
            max_length(REASON_MAX, "The reason"),
        ],
    )


class CancelForm(FlaskForm):
    reason = StringField(
        "Reason (optional)",
        description="Kept with the registration.",
        filters=[clean_text],
        validators=[Optional(), max_length(REASON_MAX, "The reason")],
    )


# --- adding a registration by hand ----------------------------------------------------


class OrganiserRegistrationForm(DetailsForm):
    """The attendee's own details form (registration.forms), worded for an organiser
    who fills it in for someone else, with a choice about the email."""

    full_name = StringField(
        "Full name",
        filters=[clean_text],
        validators=[DataRequired("Enter the person's full name"), max_length(200, "Full name")],
    )
    email = EmailField(
        "Email",
        description="Their confirmation and private link go here.",
        filters=[clean_text],
        validators=[
            DataRequired("Enter the person's email address"),
            max_length(254, "Email"),
            Email("Enter an email address like name@example.org"),
        ],
    )
    consent_photography = BooleanField("They agree to be photographed and filmed")
    consent_share = BooleanField(
        "They agree to share their name and organisation with showcasing members"
    )
    send_email = BooleanField("Send the confirmation email with their private link",
                              default=True)

    @property
    def organisation_type_value(self) -> OrganisationType | None:
        value = self.organisation_type.data
        return OrganisationType(value) if value else None

    @property
    def question_fields(self):
        return [field for name, field in self._fields.items() if name.startswith("q_")]


def registration_form_for(questions: list[Question], **kwargs) -> OrganiserRegistrationForm:
    """The hand-registration form with a field for each of the visit's questions; whether
    a required one is answered is for the service to say."""
    return with_questions(OrganiserRegistrationForm, questions)(**kwargs)
