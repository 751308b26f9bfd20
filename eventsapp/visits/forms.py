"""Organiser forms for a visit's details and its venues: the shape of the input only.

The rules (slug format and uniqueness, known time zone, dates in order, coordinates
in range) live in ``visits.rules``; these forms only make sure each answer is
present, short enough for its column and of the right type.
"""

from __future__ import annotations

import math
from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, FloatField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from eventsapp.web.forms import clean_lines, clean_text, max_length, sensible_year

# A delegation visit lasts a day or two; a longer span is a mistyped year.
MAX_VISIT_DAYS = 31


def lowercase(value):
    """A web address is lower case whatever was typed (None, an empty form, stays)."""
    return value.lower() if isinstance(value, str) else value


def finite_number(message: str):
    """Refuse 'inf' and 'nan', which Python reads as floats; junk is reported by the field."""

    def check(form, field) -> None:
        if field.data is not None and not math.isfinite(field.data):
            raise ValidationError(message)

    return check


class VisitForm(FlaskForm):
    title = StringField(
        "Title",
        filters=[clean_text],
        validators=[DataRequired("Enter a title"), max_length(200, "Title")],
    )
    slug = StringField(
        "Web address",
        description="The visit's page will be /visits/<this>/. Lowercase letters, digits "
        "and hyphens, e.g. cic-stoke. Links already shared stop working if you change it.",
        filters=[clean_text, lowercase],
        validators=[DataRequired("Enter a web address"), max_length(80, "Web address")],
    )
    city = StringField(
        "City",
        filters=[clean_text],
        validators=[DataRequired("Enter the city"), max_length(100, "City")],
    )
    host = StringField(
        "Host",
        description="The cluster or organisation hosting the visit.",
        filters=[clean_text],
        validators=[DataRequired("Enter the host"), max_length(200, "Host")],
    )
    timezone = StringField(
        "Time zone",
        default="Europe/London",
        description="Every time on the agenda is in this zone. Start typing a city, "
        "e.g. Europe/London.",
        filters=[clean_text],
        validators=[DataRequired("Enter the time zone"), max_length(64, "Time zone")],
    )
    start_date = DateField(
        "First day",
        invalid_value_message="Enter the first day as a date, e.g. 2025-06-12",
        validators=[InputRequired("Enter the first day"), sensible_year],
    )
    end_date = DateField(
        "Last day",
        invalid_value_message="Enter the last day as a date, e.g. 2025-06-13",
        validators=[InputRequired("Enter the last day"), sensible_year],
    )
    summary = TextAreaField(
        "Summary",
        description="A few sentences for the public page.",
        filters=[clean_lines],
        validators=[Optional(), max_length(5000, "Summary")],
    )

    def validate_end_date(self, field) -> None:
        start: date | None = self.start_date.data
        end: date | None = field.data
        if start and end and (end - start).days >= MAX_VISIT_DAYS:
            raise ValidationError(f"A visit can last at most {MAX_VISIT_DAYS} days")


class VenueForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[clean_text],
        validators=[DataRequired("Enter the venue's name"), max_length(200, "Name")],
    )
    address = TextAreaField(
        "Address",
        filters=[clean_lines],
        validators=[Optional(), max_length(500, "Address")],
    )
    latitude = FloatField(
        "Latitude",
        description="Optional, with the longitude: puts the venue on the map, e.g. 53.0027.",
        invalid_value_message="Latitude must be a number between -90 and 90, e.g. 53.0027",
        validators=[
            Optional(),
            finite_number("Latitude must be a number between -90 and 90, e.g. 53.0027"),
        ],
    )
    longitude = FloatField(
        "Longitude",
        description="e.g. -2.1794",
        invalid_value_message="Longitude must be a number between -180 and 180, e.g. -2.1794",
        validators=[
            Optional(),
            finite_number("Longitude must be a number between -180 and 180, e.g. -2.1794"),
        ],
    )
    access_notes = TextAreaField(
        "Access notes",
        description="Step-free access, entrances, parking, who to ask for on arrival.",
        filters=[clean_lines],
        validators=[Optional(), max_length(2000, "Access notes")],
    )


class NewVisitForm(VisitForm):
    slug = StringField(
        "Web address",
        description="The visit's page will be /visits/<this>/. Lowercase letters, digits "
        "and hyphens, e.g. cic-stoke. Leave it empty to make one from the title.",
        filters=[clean_text, lowercase],
        validators=[Optional(), max_length(80, "Web address")],
    )


class DuplicateVisitForm(FlaskForm):
    title = StringField(
        "Title of the copy",
        filters=[clean_text],
        validators=[DataRequired("Enter a title"), max_length(200, "Title")],
    )
    slug = StringField(
        "Web address",
        description="The copy's page will be /visits/<this>/. Leave it empty to make one "
        "from the title.",
        filters=[clean_text, lowercase],
        validators=[Optional(), max_length(80, "Web address")],
    )
    start_date = DateField(
        "First day of the copy",
        description="The agenda moves to the new dates; each item keeps its time of day.",
        invalid_value_message="Enter the first day as a date, e.g. 2031-06-12",
        validators=[InputRequired("Enter the first day"), sensible_year],
    )
