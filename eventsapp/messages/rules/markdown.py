"""Organisers write in Markdown; emails carry it as safe HTML and as plain text.

markdown-it-py (CommonMark, raw HTML off, so a ``<script>`` is shown as text) renders
it; nh3 then keeps only the tags and attributes an email needs, as a second guard.
The plain-text part is the Markdown itself, which is written to read as text.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h1", "h2", "h3", "h4", "h5", "h6",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}


def to_html(markdown: str) -> str:
    """Safe HTML for ``markdown``: only simple formatting and http(s)/mailto links."""
    rendered = _MARKDOWN.render(markdown)
    return nh3.clean(rendered, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


def to_text(markdown: str) -> str:
    """The plain-text part: the Markdown as written, with tidy line ends."""
    lines = [line.rstrip() for line in markdown.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()
