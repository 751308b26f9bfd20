"""Text that people (and robots) type into forms: any Unicode, line breaks of every
kind, control characters, markup, script, SQL, and values of 10,000 characters."""

from __future__ import annotations

from hypothesis import strategies as st

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "\r",
    "\n\n\n",
    "\t",
    "\x0b\x0c\x1b\x7f",
    "\x85\u2028\u2029",
    "\u202e\u200b\ufeff",
    "😀👩‍👩‍👧‍👦🏳️‍🌈",
    "𝕳𝖊𝖑𝖑𝖔",
    "Zoë Ðuñ Łódź 東京 القاهرة",
    "e\u0301\u0301\u0301",
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '"><script>alert(document.cookie)</script>',
    "'><img src=x onerror=alert(1)>",
    "<b>bold</b> &amp; &lt;",
    "javascript:alert(1)",
    "{{ 7 * 7 }} {% raw %} ${7*7} %s %(x)s {0}",
    "'; DROP TABLE registrations; --",
    "\" OR 1=1 --",
    "Robert'); DELETE FROM users WHERE ('a'='a",
    "\\", "\\n", "\\,", ";", ",", ":", "a;b,c\\d",
    "BEGIN:VEVENT\r\nSUMMARY:injected\r\nEND:VEVENT",
    "=cmd|' /C calc'!A0",
    "\U0010ffff\U000e0001\uffff\ufffe",
]

# Every code point but the surrogates, which no UTF-8 form can carry.
any_char = st.characters(exclude_categories=("Cs",))
ascii_and_controls = st.characters(min_codepoint=0, max_codepoint=0x7F)
pieces = st.one_of(
    st.sampled_from(NASTY),
    st.text(any_char, max_size=12),
    st.text(ascii_and_controls, max_size=12),
)


def _long(seed: str) -> str:
    seed = seed or "<script>"
    return (seed * (10_000 // len(seed) + 1))[:10_000]


long_text = st.text(any_char, min_size=1, max_size=6).map(_long)

any_text = st.one_of(
    st.text(),
    st.text(any_char, max_size=60),
    st.sampled_from(NASTY),
    st.lists(pieces, max_size=6).map("".join),
    long_text,
)

# Text with at least one visible character (a letter, digit, punctuation or symbol of
# any script) among anything else: what a determined but legitimate user can save.
_joined = st.lists(pieces, max_size=3).map("".join)
visible_text = st.builds(
    lambda before, char, after: before + char + after,
    _joined, st.characters(categories=("L", "N", "P", "S")), _joined,
)


def field(text=any_text):
    """A posted field: missing (None), one value, or several values where one is
    expected."""
    return st.one_of(st.none(), text, st.lists(text, min_size=2, max_size=3))


def form_data(draw, fields: dict) -> dict:
    """Draw a value for each field strategy; leave out the missing ones."""
    data = {}
    for name, strategy in fields.items():
        value = draw(strategy)
        if value is not None:
            data[name] = value
    return data
