"""Writing email: every message goes into the outbox inside the caller's transaction.

Nothing here sends or commits; the worker (mail.delivery) delivers after commit.

Two kinds of template: ``mail/<name>.txt`` (first line "Subject: ...", plain text),
and a two-part email template, any name ending in ``.html`` (see ``render_parts``),
which gives the subject, the plain text and the HTML alternative from one file. A
plain-text template gets its HTML alternative from its own text (``text_as_html``), so
every email has both parts made from one template.

An email about a visit (``visit`` in its context) is sent in the host's name, with the
visit's contact address as Reply-To.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from jinja2 import TemplateNotFound

from eventsapp.extensions import db
from eventsapp.mail.models import OutboxMessage


@dataclass(frozen=True)
class Parts:
    subject: str
    text: str
    html: str = ""


def queue(
    to: str,
    template: str,
    *,
    topic: str = "",
    attachments: list[dict[str, Any]] | None = None,
    **context: Any,
) -> OutboxMessage:
    """Render ``templates/mail/<template>.txt`` (first line "Subject: ...") and add
    it to the session. The caller's commit writes it together with the change."""
    message = OutboxMessage(**_compose(to, template, topic, attachments, context))
    db.session.add(message)
    return message


def queue_parts(to: str, parts: Parts, *, topic: str = "",
                attachments: list[dict[str, Any]] | None = None,
                visit: Any = None) -> OutboxMessage:
    """Add an email already rendered (``render_parts``) to the session; ``visit`` gives
    its sender's name and Reply-To."""
    message = OutboxMessage(**_row(to, parts, topic, attachments, visit))
    db.session.add(message)
    return message


def render_parts(template: str, **context: Any) -> Parts:
    """Render a two-part email template (a path under templates/ ending in .html).

    The template sets three variables, each from one ``{% set name %}…{% endset %}``
    block: ``subject`` (one line) and ``text`` (the plain-text part), both written
    inside ``{% autoescape false %}``, and ``html`` (the HTML part, autoescaped like any
    page). Jinja's ``Template.make_module`` evaluates it once and exposes all three,
    so both parts are made from the same values in the same file. The context must
    not use those three names (the template's own variables would hide them)."""
    # Straight from the Jinja environment: an email never depends on who is asking,
    # so none of the request's context processors (the current user among them) run.
    module = current_app.jinja_env.get_template(template).make_module(context)
    subject = " ".join(str(getattr(module, "subject", "")).split())[:300]
    text = str(getattr(module, "text", "")).strip()
    html = str(getattr(module, "html", "")).strip()
    if not subject or not text:
        raise ValueError(f"{template} must set a subject and a text part")
    return Parts(subject, text + "\n", html + "\n" if html else "")


def _compose(to: str, template: str, topic: str, attachments: list[dict[str, Any]] | None,
             context: dict[str, Any]) -> dict[str, Any]:
    visit = context.get("visit")
    if template.endswith(".html"):
        return _row(to, render_parts(template, **context), topic, attachments, visit)
    if two_part := _two_part(template):
        return _row(to, render_parts(two_part, **context), topic, attachments, visit)
    rendered = current_app.jinja_env.get_template(f"mail/{template}.txt").render(
        **context).lstrip()
    first, _, body = rendered.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"email/{template}.txt must start with a Subject: line")
    subject = " ".join(first.removeprefix("Subject:").split())[:300]
    text = body.strip() + "\n"
    return _row(to, Parts(subject, text, text_as_html(text, subject, visit)), topic,
                attachments, visit)


def text_as_html(text: str, title: str, visit: Any = None) -> str:
    """The HTML alternative of a plain-text email: its paragraphs and lines escaped,
    web addresses made links, in the same frame as the two-part emails."""
    paragraphs = [block.splitlines() for block in text.strip().split("\n\n") if block.strip()]
    html = current_app.jinja_env.get_template("mail/_text_as_html.html").render(
        paragraphs=paragraphs, title=title, visit=visit)
    return html.strip() + "\n"


def _two_part(template: str) -> str | None:
    """``mail/<template>.html`` when that email has been written as a two-part template."""
    name = f"mail/{template}.html"
    try:
        current_app.jinja_env.get_template(name)
    except TemplateNotFound:
        return None
    return name


def _row(to: str, parts: Parts, topic: str, attachments: list[dict[str, Any]] | None,
         visit: Any = None) -> dict[str, Any]:
    return {"to": to, "subject": parts.subject, "body_text": parts.text,
            "body_html": parts.html, "topic": topic[:100], "attachments": attachments or [],
            "from_name": (getattr(visit, "host", "") or "")[:200],
            "reply_to": (getattr(visit, "contact_email", "") or "")[:254]}
