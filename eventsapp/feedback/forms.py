"""The attendee's feedback form: a rating of the visit, one per item attended, comments.

The shape of the input only. Whether a rating is 1 to 5 and an item one the attendee
attended is for ``feedback.rules`` to say, with its own messages (as for the
registration form's choices).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import Optional

from eventsapp.agenda.models import AgendaItem
from eventsapp.feedback.rules import COMMENTS_MAX, FeedbackInput, item_field
from eventsapp.web.forms import clean_lines, max_length

RATING_CHOICES = [
    SelectChoice("", "No rating"),
    SelectChoice("1", "1 – poor"),
    SelectChoice("2", "2 – fair"),
    SelectChoice("3", "3 – good"),
    SelectChoice("4", "4 – very good"),
    SelectChoice("5", "5 – excellent"),
]
ITEM_KEY = re.compile(r"item_([0-9]{1,10})")


def rating_field(label: str, description: str = "") -> RadioField:
    return RadioField(label, choices=RATING_CHOICES, validate_choice=False, default="",
                      description=description)


class FeedbackForm(FlaskForm):
    visit_rating = rating_field("How would you rate the visit overall?")
    comments = TextAreaField(
        "Comments",
        description="What worked, what did not, what you will do next: anything you "
        "would like the organisers to know.",
        filters=[clean_lines],
        validators=[Optional(), max_length(COMMENTS_MAX, "Comments")],
    )


def feedback_form_for(items: Iterable[AgendaItem], labels: Mapping[int, str]) -> type:
    """FeedbackForm with one rating per item the attendee attended (``item_<id>``);
    ``labels`` gives each item's when and where, as its hint."""
    fields = {item_field(item.id): rating_field(item.title, labels.get(item.id, ""))
              for item in items}
    return type("FeedbackFormWithItems", (FeedbackForm,), fields)


def rating_from(raw: object) -> int | None:
    """'' is no rating; a number is that number; anything else is 0, never a rating,
    which the service refuses."""
    if raw is None or raw == "":
        return None
    text = str(raw).strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 3 else 0


def feedback_input(form: FeedbackForm, items: Iterable[AgendaItem],
                   formdata: Mapping | None = None) -> FeedbackInput:
    """The answers for the service. ``item_<id>`` values posted for items that are not
    on the form (another visit's, or one not attended) are passed on too, so that the
    service refuses them rather than silently dropping them."""
    ratings: dict[int, int | None] = {
        item.id: rating_from(form[item_field(item.id)].data) for item in items
    }
    for key in (formdata or {}):
        match = ITEM_KEY.fullmatch(key)
        if match and int(match.group(1)) not in ratings:
            ratings[int(match.group(1))] = rating_from(formdata.get(key))
    return FeedbackInput(
        visit_rating=rating_from(form.visit_rating.data),
        item_ratings=ratings,
        comments=form.comments.data or "",
    )


def stored_data(feedback) -> dict:
    """Saved answers as form data, to show them again."""
    if feedback is None:
        return {}
    data = {"visit_rating": str(feedback.visit_rating or ""), "comments": feedback.comments}
    data.update({item_field(row.item_id): str(row.rating) for row in feedback.item_ratings})
    return data
