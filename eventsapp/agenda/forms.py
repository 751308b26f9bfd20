"""The organiser's agenda item form: the shape of the input only.

Times are wall times in the visit's zone (``datetime-local`` inputs); whether they
exist on that day, and whether the end comes after the start, is for
``agenda.rules`` to say.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Optional

from eventsapp.agenda.models import ItemKind
from eventsapp.ids import optional_id
from eventsapp.web.forms import (
    LOCAL_FORMATS,
    capacity_range,
    clean_lines,
    clean_text,
    max_length,
    sensible_year,
)

KIND_LABELS = {
    ItemKind.TALK: "Talk",
    ItemKind.PANEL: "Panel",
    ItemKind.TOUR: "Tour",
    ItemKind.SHOWCASE: "Showcase",
    ItemKind.MEAL: "Meal",
    ItemKind.BREAK: "Break",
    ItemKind.TRAVEL: "Travel",
    ItemKind.NETWORKING: "Networking",
    ItemKind.OTHER: "Other",
}

class ItemForm(FlaskForm):
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        default=ItemKind.TALK.value,
        invalid_choice_message="Choose what kind of item this is",
        validators=[DataRequired("Choose what kind of item this is")],
    )
    title = StringField(
        "Title",
        filters=[clean_text],
        validators=[DataRequired("Enter a title"), max_length(200, "Title")],
    )
    starts_at = DateTimeLocalField(
        "Starts",
        format=LOCAL_FORMATS,
        invalid_value_message="Enter the start as a date and time, e.g. 2025-06-12 09:30",
        validators=[InputRequired("Enter when it starts"), sensible_year],
    )
    ends_at = DateTimeLocalField(
        "Ends",
        format=LOCAL_FORMATS,
        invalid_value_message="Enter the end as a date and time, e.g. 2025-06-12 10:15",
        validators=[InputRequired("Enter when it ends"), sensible_year],
    )
    venue_id = SelectField(
        "Venue",
        coerce=optional_id,
        invalid_value_message="Choose one of this visit's venues, or No venue",
        invalid_choice_message="Choose one of this visit's venues, or No venue",
    )
    hosts = TextAreaField(
        "Hosts",
        description="One per line, e.g. “Dr Ada Lovelace, Staffordshire University”.",
        filters=[clean_lines],
        validators=[Optional(), max_length(500, "Hosts")],
    )
    description = TextAreaField(
        "Description",
        filters=[clean_lines],
        validators=[Optional(), max_length(5000, "Description")],
    )
    capacity = IntegerField(
        "Capacity",
        description="Leave empty for no limit. With a limit, attendees sign up for a place.",
        invalid_value_message="Capacity must be a whole number, e.g. 40, "
        "or left empty for no limit",
        validators=[Optional(), capacity_range("Capacity")],
    )

    def __init__(self, *args, zone_name: str, venues: Iterable[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.starts_at.label.text = f"Starts ({zone_name} time)"
        self.ends_at.label.text = f"Ends ({zone_name} time)"
        self.venue_id.choices = [
            SelectChoice("", "No venue"),
            *(SelectChoice(str(venue_id), name) for venue_id, name in venues),
        ]


class AgendaImportForm(FlaskForm):
    file = FileField(
        "CSV file",
        description="UTF-8 CSV, at most 1 MB and 1,000 rows; the first row names the columns.",
        validators=[FileRequired("Choose a CSV file to import")],
    )


class ConfirmImportForm(FlaskForm):
    # The uploaded file, base64, checked again in full when it is saved.
    file_data = HiddenField(validators=[DataRequired("The file was lost: upload it again")])
