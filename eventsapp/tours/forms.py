"""The convenor's tour and leg forms and the delegate's tour registration form.

The shape of the input only; whether a visit has a place, a code is right or an
answer is one of a question's options is for the rules to say."""

from __future__ import annotations

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
)
from wtforms.validators import DataRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from eventsapp.ids import optional_id
from eventsapp.registration.forms import email_field
from eventsapp.tours.models import TravelMode
from eventsapp.tours.rules.building import LegFields, TourFields
from eventsapp.tours.rules.registering import Choices, Delegate
from eventsapp.web.forms import clean_lines, clean_text, max_length


class TourForm(FlaskForm):
    title = StringField("Title", filters=[clean_text], validators=[
        DataRequired("Enter the tour's title"), max_length(200, "Title")])
    slug = StringField("Web address", description="Lower-case letters, digits and hyphens, "
                       "e.g. revitalising-smaller-cities: /tours/<this>/",
                       filters=[clean_text], validators=[
                           DataRequired("Enter a web address"), max_length(80, "Web address")])
    summary = TextAreaField("Summary", filters=[clean_lines],
                            validators=[Optional(), max_length(5000, "Summary")])
    all_or_nothing = BooleanField(
        "All or nothing", description="A delegate who chooses several visits gets a place "
        "on all of them or on none: when one is full, nothing is kept.")

    def fields(self) -> TourFields:
        return TourFields(self.title.data or "", self.slug.data or "",
                          self.summary.data or "", bool(self.all_or_nothing.data))


class NewTourForm(TourForm):
    organisation_id = SelectField("Convenor", coerce=optional_id,
                                  validators=[DataRequired("Choose the convenor")])


class AddVisitForm(FlaskForm):
    visit_slug = StringField("Visit's web address", description="e.g. cic-stoke",
                             filters=[clean_text], validators=[
                                 DataRequired("Enter the visit's web address"),
                                 max_length(80, "Web address")])


class LegForm(FlaskForm):
    mode = SelectField("Mode", choices=[SelectChoice(m.value, m.label) for m in TravelMode])
    departs_from = StringField("Departs from", filters=[clean_text], validators=[
        DataRequired("Enter where the leg departs from"), max_length(200, "Departs from")])
    departs_at = DateTimeLocalField("Departs at", format="%Y-%m-%dT%H:%M", validators=[
        DataRequired("Enter the departure date and time")])
    arrives_at_place = StringField("Arrives at", filters=[clean_text], validators=[
        DataRequired("Enter where the leg arrives"), max_length(200, "Arrives at")])
    arrives_at = DateTimeLocalField("Arrival time", format="%Y-%m-%dT%H:%M", validators=[
        DataRequired("Enter the arrival date and time")])
    timezone = StringField("Time zone", default="Europe/London", filters=[clean_text],
                           validators=[DataRequired("Enter the time zone"),
                                       max_length(64, "Time zone")])
    from_visit_id = SelectField("From the visit", coerce=optional_id, validate_choice=False)
    to_visit_id = SelectField("To the visit", coerce=optional_id, validate_choice=False)
    seats = IntegerField("Seats (booked coach)", validators=[
        Optional(), NumberRange(1, 1000, "Enter a number of seats from 1 to 1,000")])
    notes = TextAreaField("Notes", filters=[clean_lines],
                          validators=[Optional(), max_length(2000, "Notes")])

    def with_visits(self, visits) -> LegForm:
        choices = [SelectChoice("", "None (not between two visits)")] + [
            SelectChoice(str(v.id), v.title) for v in visits]
        self.from_visit_id.choices = choices
        self.to_visit_id.choices = choices
        return self

    def fields(self) -> LegFields:
        return LegFields(
            mode=self.mode.data or "", departs_from=self.departs_from.data or "",
            departs_at=self.departs_at.data, arrives_at_place=self.arrives_at_place.data or "",
            arrives_at=self.arrives_at.data, timezone=self.timezone.data or "",
            notes=self.notes.data or "", seats=self.seats.data,
            from_visit_id=self.from_visit_id.data, to_visit_id=self.to_visit_id.data)


class Ticks(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TourRegistrationForm(FlaskForm):
    full_name = StringField("Full name", filters=[clean_text], validators=[
        DataRequired("Enter your full name"), max_length(200, "Full name")])
    email = email_field("")
    organisation = StringField("Organisation", filters=[clean_text],
                               validators=[Optional(), max_length(200, "Organisation")])
    job_title = StringField("Job title", filters=[clean_text],
                            validators=[Optional(), max_length(200, "Job title")])
    dietary = StringField("Dietary requirements", filters=[clean_text],
                          validators=[Optional(), max_length(500, "Dietary requirements")])
    access_needs = TextAreaField("Access needs", filters=[clean_lines],
                                 validators=[Optional(), max_length(1000, "Access needs")])
    visits = Ticks("Visits you will join", coerce=int, validate_choice=False)
    legs = Ticks("Travel with the group", coerce=int, validate_choice=False)
    privacy_accepted = BooleanField("I have read the privacy notice and agree to my "
                                    "details being used to run these visits")

    def delegate(self) -> Delegate:
        return Delegate(self.full_name.data or "", self.email.data or "",
                        self.organisation.data or "", self.job_title.data or "",
                        self.dietary.data or "", self.access_needs.data or "",
                        bool(self.privacy_accepted.data))

    def choices_from(self, raw, visits) -> Choices:
        """The ticks, plus each visit's invitation code (``code_<visit id>``) and its
        questions' answers (``q_<question id>``, as the visit's own form names them)."""
        answers = {}
        for visit in visits:
            for question in visit.questions:
                name = f"q_{question.id}"
                if question.kind.value == "multiple_choice":
                    answers[question.key] = raw.getlist(name)
                elif name in raw:
                    answers[question.key] = raw.get(name)
        return Choices(
            visit_ids=frozenset(self.visits.data or ()),
            codes={v.id: raw.get(f"code_{v.id}", "") for v in visits},
            answers=answers, leg_ids=frozenset(self.legs.data or ()))
