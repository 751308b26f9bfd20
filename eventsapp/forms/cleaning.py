"""How every text field of every form is cleaned: one rule, one function.

``clean_text`` is the WTForms filter for one-line fields (an ``<input>``): control
characters (Unicode category Cc: C0, DEL, C1) are dropped, any run of whitespace,
line breaks and tabs included, becomes one space, and the ends are trimmed.

``clean_lines`` is the same function for multi-line fields (a ``<textarea>``): line
breaks become one kind ("\\n"; a browser sends CRLF, which would count twice against a
length limit), line feeds and tabs are kept, every other control character is
dropped, and the ends are trimmed. Nothing else is changed.

Passwords are never cleaned.
"""

from __future__ import annotations

import re
from functools import partial

# Every Cc character: C0 controls, DEL and the C1 controls.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Cc except line feed and tab, for multi-line text.
_CONTROL_IN_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_WHITESPACE = re.compile(r"\s+")


def clean_text(value, *, multiline: bool = False):
    """The text as it is kept: see the module's docstring. Non-strings pass through
    (WTForms hands a filter None for a field that was not sent)."""
    if not isinstance(value, str):
        return value
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        return _CONTROL_IN_LINES.sub("", value).strip()
    # A control that is whitespace (line feed, tab, NEL...) is a space, so "a\nb" stays
    # two words; the others go.
    value = _CONTROL.sub(lambda m: " " if m.group().isspace() else "", value)
    return _WHITESPACE.sub(" ", value).strip()


clean_lines = partial(clean_text, multiline=True)
