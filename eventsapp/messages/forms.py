"""The organiser's message and reminder forms: the shape of the input only; the rules
(a session when "one session" is ticked, somebody to send to, the days of reminders)
live in messages.rules."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from eventsapp.messages.models import Audience
from eventsapp.messages.rules.sending import BODY_MAX, SUBJECT_MAX, Draft
from eventsapp.web.forms import clean_lines, clean_text, max_length


def _item_id(value):
    return int(value) if value not in (None, "") and str(value).isdigit() else None


class MessageForm(FlaskForm):
    audiences = SelectMultipleField(
        "Send to",
        choices=[SelectChoice(a.value, a.label) for a in Audience],
        # No "required" flag: it would mark every checkbox required; the rule says it.
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False),
        description="Tick one or more. Someone in two groups gets one copy. People who "
                    "erased their data never get messages.")
    item_id = SelectField("Session", coerce=_item_id, choices=[], validate_choice=False,
                          validators=[Optional()],
                          description="For “Signed up for one session”: whose sign-ups "
                                      "(confirmed or waiting) get the message.")
    subject = StringField("Subject", filters=[clean_text],
                          validators=[DataRequired("Write a subject."),
                                      max_length(SUBJECT_MAX, "The subject")])
    body = TextAreaField(
        "Message", filters=[clean_lines],
        validators=[DataRequired("Write the message."), max_length(BODY_MAX, "The message")],
        description="Markdown: **bold**, *italic*, [a link](https://example.org), lists "
                    "with - at the start of a line, a blank line between paragraphs.",
        render_kw={"rows": 12})
    draft_key = HiddenField()

    def draft(self) -> Draft:
        return Draft(subject=self.subject.data or "", body=self.body.data or "",
                     audiences=frozenset(Audience(a) for a in self.audiences.data or []),
                     item_id=self.item_id.data, draft_key=self.draft_key.data or "")


class ReminderForm(FlaskForm):
    enabled = BooleanField("Send reminders before the visit")
    days_before = StringField(
        "Days before the visit", filters=[clean_text], validators=[max_length(40, "This")],
        description="Whole days before the first item, separated by commas: “7, 1” sends "
                    "one a week before and one the day before.")
