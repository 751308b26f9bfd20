"""What a fuzzed request must answer, and how stored text must be shown."""

from __future__ import annotations

import re

from markupsafe import escape

# The app's own scripts (the layout's, and a form's own); anything else called <script is
# an injection.
_OWN_SCRIPT = re.compile(r'<script src="/static/js/(app|agenda|visit_form)\.js" defer></script>')
_MESSAGE = re.compile(
    r'class="error-message"|class="error-summary"|role="alert"|class="member-alert"'
    r'|class="banner|class="flash')
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def no_injected_script(page: str) -> None:
    rest = _OWN_SCRIPT.sub("", page).lower()
    assert "<script" not in rest, "a <script> tag from the input reached the page"


def check_answer(response, *, allow_ok: bool = True) -> str:
    """Never a server error: a redirect, or a page that says what happened."""
    assert response.status_code < 500, response.status_code
    if 300 <= response.status_code < 400:
        assert response.headers.get("Location")
        return ""
    page = response.get_data(as_text=True)
    if response.content_type.startswith("text/html"):
        no_injected_script(page)
        if response.status_code == 200:
            assert allow_ok, "a refused submission must not look like success"
        elif response.status_code in (422, 409):
            assert _MESSAGE.search(page), f"{response.status_code} without a message"
        else:
            assert "<h1>" in page, f"{response.status_code} page without a heading"
    return page


def shows_escaped(page: str, value: str) -> None:
    """Stored text appears HTML-escaped, and never raw where escaping changes it."""
    escaped = str(escape(value))
    assert escaped in page, f"stored value not shown escaped: {value!r:.200}"
    no_injected_script(page)


def one_line(value: str) -> str:
    """An independent statement of what a one-line field keeps: control characters
    gone, every run of white space (of any script) one space, trimmed."""
    return " ".join(_CONTROL.sub("", value).split())


def multi_line(value: str) -> str:
    """What a multi-line field keeps: control characters other than line breaks and
    tabs gone, every line break one line feed, trimmed."""
    return _CONTROL.sub("", value).replace("\r\n", "\n").replace("\r", "\n").strip()


def ical_text(value: str) -> str:
    """What a calendar keeps of stored text (eventsapp.calendar.ical.escape_text):
    CR LF and CR become LF, control characters other than LF and TAB go."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in value if c in "\n\t" or (ord(c) >= 0x20 and ord(c) != 0x7F))
