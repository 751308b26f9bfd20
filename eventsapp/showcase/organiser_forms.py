"""The organiser's showcase forms: slot settings, decisions on bookings, assigning a
member to a slot. The shape of the input only.

The rules (a slot plan that fits the item, no plan change under bookings, a free
slot, one booking per business per visit) live in ``showcase.rules``; these forms
make sure each answer is present, of the right type and short enough.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from eventsapp.ids import optional_id
from eventsapp.showcase.forms import EQUIPMENT_LABELS, FORMAT_LABELS
from eventsapp.showcase.models import BookingFormat
from eventsapp.showcase.rules.common import DESCRIPTION_MAX
from eventsapp.web.forms import LOCAL_FORMATS, clean_lines, clean_text, max_length

MESSAGE_MAX = 2000



class SettingsForm(FlaskForm):
    slot_minutes = IntegerField(
        "Slot length (minutes)",
        invalid_value_message="Slot length must be a whole number of minutes, e.g. 10",
        validators=[InputRequired("Enter the slot length in minutes"),
                    NumberRange(1, 600, "Slot length must be between 1 and 600 minutes")],
    )
    buffer_minutes = IntegerField(
        "Buffer between slots (minutes)",
        description="Time to change over between two members, e.g. 2.",
        invalid_value_message="The buffer must be a whole number of minutes, e.g. 2",
        validators=[InputRequired("Enter the buffer in minutes (0 for none)"),
                    NumberRange(0, 240, "The buffer must be between 0 and 240 minutes")],
    )
    requires_approval = BooleanField("Bookings need an organiser's approval")
    deadline = DateTimeLocalField(
        "Booking deadline",
        format=LOCAL_FORMATS,
        description="After this, members can no longer book, move or cancel. Leave empty "
        "for no deadline.",
        invalid_value_message="Enter a date and time, e.g. 2030-06-01 17:00, or leave it empty",
        validators=[Optional()],
    )

    def __init__(self, *args, zone_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline.label.text = f"Booking deadline ({zone_name} time)"


class DecisionForm(FlaskForm):
    message = TextAreaField(
        "Message to the member (optional)",
        description="Emailed with the decision.",
        filters=[clean_lines],
        validators=[Optional(), max_length(MESSAGE_MAX, "The message")],
    )

    def __init__(self, *args, approve: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # Approve and Decline sit side by side: each box says which decision it goes with.
        decision = "approval" if approve else "decline"
        self.message.label.text = f"Message with the {decision} (optional)"
        self.message.description = f"Emailed to the member with the {decision}."


class AssignForm(FlaskForm):
    slot_id = SelectField(
        "Slot",
        coerce=optional_id,
        validate_choice=False,  # the service says whether the slot is free
        invalid_value_message="Choose a free slot",
        validators=[InputRequired("Choose a free slot")],
    )
    business_id = SelectField(
        "Member business",
        coerce=optional_id,
        validate_choice=False,
        invalid_value_message="Choose a member business",
        validators=[InputRequired("Choose a member business")],
    )
    title = StringField(
        "Title",
        filters=[clean_text],
        validators=[DataRequired("Give the showcase a title"), max_length(200, "Title")],
    )
    format = SelectField(
        "Format",
        choices=[SelectChoice(f.value, label) for f, label in FORMAT_LABELS.items()],
        default=BookingFormat.DEMO.value,
        invalid_choice_message="Choose one of the formats",
    )
    description = TextAreaField(
        "Description",
        filters=[clean_lines],
        validators=[Optional(), max_length(DESCRIPTION_MAX, "Description")],
    )
    equipment = SelectMultipleField(
        "Equipment needed",
        choices=[SelectChoice(e, label) for e, label in EQUIPMENT_LABELS.items()],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        invalid_choice_message="Choose equipment from the list",
    )
    people = TextAreaField(
        "People attending",
        description="One name per line.",
        filters=[clean_lines],
        validators=[Optional(), max_length(500, "People attending")],
    )

    def __init__(self, *args, slots: Iterable[tuple[int, str]],
                 businesses: Iterable[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.slot_id.choices = [
            SelectChoice("", "Choose a free slot"),
            *(SelectChoice(str(slot_id), label) for slot_id, label in slots),
        ]
        self.business_id.choices = [
            SelectChoice("", "Choose a member business"),
            *(SelectChoice(str(business_id), name) for business_id, name in businesses),
        ]
