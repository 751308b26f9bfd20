"""How every text field of every form is cleaned: one rule, one function.

``clean_text(value)`` is the WTForms filter for one-line fields (an ``<input>``):
control characters (Unicode category Cc: C0, DEL, C1) are dropped, except tab, line
feed and carriage return, which are white space like any other; every run of white
space becomes one space; the ends are trimmed.

``clean_lines`` is the same function with ``multiline=True``, for a ``<textarea>``:
line breaks become one kind ("\\n"; a browser sends CRLF, which would count twice
against a length limit); control characters other than line feed and tab are
dropped; the ends are trimmed. Nothing else is changed.

Passwords are never cleaned.
"""

from __future__ import annotations

import re
from functools import partial

# Every Cc character but tab, line feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_WHITESPACE = re.compile(r"\s+")


def clean_text(value, *, multiline: bool = False):
    """The text as it is kept: see the module's docstring. Non-strings pass through
    (WTForms hands a filter None for a field that was not sent)."""
    if not isinstance(value, str):
        return value
    value = _CONTROL.sub("", value)
    if multiline:
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return _WHITESPACE.sub(" ", value).strip()


clean_lines = partial(clean_text, multiline=True)
