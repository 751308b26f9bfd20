"""The organiser's member-business forms: a business, a person, a CSV import.

The shape of the input only. The rules (a business name used once, an email with
one account, which CSV rows can be imported) live in ``members.rules``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Optional, ValidationError

from eventsapp.web.forms import clean_lines, clean_text, max_length

# An import file larger than this is refused before it is read.
IMPORT_MAX_BYTES = 1024 * 1024


def web_address(form, field) -> None:
    """Only http(s) addresses with a host: anything else (javascript:, a bare word)
    would be a broken or dangerous link on the members page."""
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname \
            or "." not in parts.hostname or any(c.isspace() for c in field.data):
        raise ValidationError("Enter a web address starting with https://, e.g. "
                              "https://example.org")


class BusinessForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[clean_text],
        validators=[DataRequired("Enter the business's name"), max_length(200, "Name")],
    )
    website = StringField(
        "Website",
        description="Optional, e.g. https://example.org",
        filters=[clean_text],
        validators=[Optional(), max_length(300, "Website"), web_address],
    )
    sectors = StringField(
        "Sector tags",
        description="Comma separated, e.g. animation, VFX, games.",
        filters=[clean_text],
        validators=[Optional(), max_length(300, "Sector tags")],
    )
    description = TextAreaField(
        "Short description",
        filters=[clean_lines],
        validators=[Optional(), max_length(1000, "Short description")],
    )


class PersonForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[clean_text],
        validators=[DataRequired("Enter the person's name"), max_length(200, "Name")],
    )
    email = EmailField(
        "Email",
        description="They are emailed a link to set their password; it works once and "
        "expires after 7 days.",
        filters=[clean_text],
        validators=[
            DataRequired("Enter the person's email address"),
            max_length(254, "Email"),
            Email("Enter an email address like name@example.org"),
        ],
    )


def file_size_at_most(limit: int):
    """Measure the upload by seeking to its end: nothing is read into memory."""

    def check(form, field) -> None:
        storage = field.data
        if not storage:
            return
        stream = storage.stream
        size = stream.seek(0, 2)
        stream.seek(0)
        if size > limit:
            raise ValidationError(
                f"The file is {size / 1024 / 1024:.1f} MB; files up to "
                f"{limit // 1024 // 1024} MB can be imported. Split it into smaller files."
            )

    return check


class ImportForm(FlaskForm):
    file = FileField(
        "CSV file",
        description="Columns: name, website, contact name, contact email (first row). "
        "At most 1 MB.",
        validators=[FileRequired("Choose a CSV file to import"),
                    file_size_at_most(IMPORT_MAX_BYTES)],
    )
