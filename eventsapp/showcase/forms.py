"""The member's showcase booking form: the shape of the input only.

Whether the slot is still free, the deadline not passed, or the business without a
booking for the visit is for ``showcase.rules`` to say; this form makes sure each
answer is present, one of the offered choices, and short enough for its column.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from eventsapp.showcase.models import EQUIPMENT, BookingFormat
from eventsapp.showcase.rules.common import DESCRIPTION_MAX
from eventsapp.web.forms import clean_lines, clean_text, max_length

FORMAT_LABELS = {
    BookingFormat.DEMO: "Demo",
    BookingFormat.PITCH: "Pitch",
    BookingFormat.SCREENING: "Screening",
    BookingFormat.INSTALLATION: "Installation",
}
EQUIPMENT_LABELS = {
    "power": "Power",
    "screen": "Screen",
    "table": "Table",
    "sound": "Sound",
    "network": "Network",
}
assert tuple(EQUIPMENT_LABELS) == EQUIPMENT

class OneOf:
    """A radio answer that must be one of its choices; one message for missing or odd."""

    field_flags = {"required": True}

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data not in {choice.value for choice in field.choices}:
            raise StopValidation(self.message)


class BookingForm(FlaskForm):
    title = StringField(
        "Title",
        description="What delegates will see on the agenda, e.g. “Clay printing in 3D”.",
        filters=[clean_text],
        validators=[DataRequired("Give your showcase a title"), max_length(200, "Title")],
    )
    description = TextAreaField(
        "Description",
        description=f"Up to {DESCRIPTION_MAX} characters: what you will show and why it "
        "matters.",
        filters=[clean_lines],
        validators=[Optional(), max_length(DESCRIPTION_MAX, "Description")],
    )
    format = RadioField(
        "Format",
        choices=[SelectChoice(value.value, label) for value, label in FORMAT_LABELS.items()],
        validate_choice=False,  # OneOf says it, once
        validators=[OneOf("Choose a format: demo, pitch, screening or installation")],
    )
    equipment = SelectMultipleField(
        "Equipment you need",
        description="Tick all that apply.",
        choices=[SelectChoice(value, label) for value, label in EQUIPMENT_LABELS.items()],
        invalid_choice_message="Choose equipment from the list (%(value)s is not on it)",
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    people = TextAreaField(
        "Names of the people attending",
        description="One name per line, up to 500 characters in all.",
        filters=[clean_lines],
        validators=[Optional(), max_length(500, "Names of the people attending")],
    )


def booking_data(booking) -> dict:
    """A stored booking as form data, to pre-fill the edit form."""
    return {
        "title": booking.title,
        "description": booking.description,
        "format": booking.format.value,
        "equipment": list(booking.equipment or []),
        "people": booking.people,
    }
