"""Helpers every feature's forms share: text cleaning, length limits, years, capacities.

``clean_text`` is the WTForms filter for one-line fields: control characters (Unicode
category Cc) are dropped, except tab, line feed and carriage return, which are white
space like any other; every run of white space becomes one space; the ends are trimmed.
``clean_lines`` is the same for a ``<textarea>``: line breaks become "\\n" (a browser
sends CRLF, which would count twice against a length limit), other control characters
but tab are dropped, the ends trimmed. Passwords are never cleaned.
"""

from __future__ import annotations

import re
from functools import partial

from wtforms.validators import Length, StopValidation, ValidationError

# Every Cc character but tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_WHITESPACE = re.compile(r"\s+")

# Dates outside these years are typing mistakes, and far enough out they cannot even
# be converted between time zones.
FIRST_YEAR, LAST_YEAR = 2000, 2100
# ``datetime-local`` inputs send "2030-06-01T09:00"; the first format is also how a
# value is shown.
LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
MAX_CAPACITY = 100_000


def clean_text(value, *, multiline: bool = False):
    """The text as it is kept (see the module's docstring). Non-strings pass through:
    WTForms hands a filter None for a field that was not sent."""
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub("", value)
    if multiline:
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return _WHITESPACE.sub(" ", value).strip()


clean_lines = partial(clean_text, multiline=True)


class MaxLength(Length):
    """Length(max=...) that stops there: a 10,000-character "email" needs one message,
    not a second one from the format check after it."""

    def __call__(self, form, field) -> None:
        try:
            super().__call__(form, field)
        except ValidationError as exc:
            raise StopValidation(str(exc)) from exc


def max_length(limit: int, what: str) -> MaxLength:
    return MaxLength(max=limit, message=f"{what} must be {limit:,} characters or fewer")


def sensible_year(form, field) -> None:
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(f"Enter a date between {FIRST_YEAR} and {LAST_YEAR}")


def capacity_range(what: str):
    """A number of places from 1 to MAX_CAPACITY, or empty for no limit."""

    def check(form, field) -> None:
        if field.data is not None and not 1 <= field.data <= MAX_CAPACITY:
            raise ValidationError(f"{what} must be a whole number from 1 to {MAX_CAPACITY:,}, "
                                  "or left empty for no limit")

    return check
