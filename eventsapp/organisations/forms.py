"""The organisation's forms: its details, inviting a colleague, a colleague's role."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from eventsapp.organisations.models import OrganisationRole
from eventsapp.web.forms import clean_text

ROLE_CHOICES = [
    SelectChoice(OrganisationRole.ORGANISER.value, "Organiser: runs the organisation's visits"),
    SelectChoice(OrganisationRole.VIEWER.value, "Viewer: reads everything, changes nothing"),
    SelectChoice(OrganisationRole.OWNER.value,
                 "Owner: runs visits and manages the organisation's people"),
]


def _max(limit: int, what: str) -> Length:
    return Length(max=limit, message=f"{what} must be {limit:,} characters or fewer")


class OrganisationForm(FlaskForm):
    name = StringField("Name", filters=[clean_text],
                       validators=[DataRequired("Enter the organisation's name"),
                                   _max(200, "Name")])
    default_host = StringField("Host name for new visits", filters=[clean_text],
                               description="Shown as the host of each new visit.",
                               validators=[Optional(), _max(200, "Host name")])
    default_city = StringField("City for new visits", filters=[clean_text],
                               validators=[Optional(), _max(100, "City")])
    contact_email = EmailField("Contact email", filters=[clean_text],
                               validators=[Optional(), Email("Enter a valid email address"),
                                           _max(254, "Contact email")])


class ColleagueForm(FlaskForm):
    name = StringField("Name", filters=[clean_text], validators=[Optional(), _max(200, "Name")])
    email = EmailField("Email", filters=[clean_text],
                       validators=[DataRequired("Enter their email address"),
                                   Email("Enter a valid email address"), _max(254, "Email")])
    role = SelectField("Role", choices=ROLE_CHOICES, default=OrganisationRole.ORGANISER.value)


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class CoOrganiserForm(FlaskForm):
    email = EmailField("Their login email", filters=[clean_text],
                       description="An organiser of another organisation (the convenor's "
                                   "staff): they work on this visit only.",
                       validators=[DataRequired("Enter their email address"),
                                   Email("Enter a valid email address"), _max(254, "Email")])
