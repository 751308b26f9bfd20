"""Writing email: every message goes into the outbox inside the caller's transaction.

Nothing here sends or commits; the worker (mail.delivery) delivers after commit.

One way to write an email: a two-part template ending in ``.html`` (see
``render_parts``), which gives the subject, the plain text and the HTML alternative
from one file, in the shared frame (templates/messages/email/_layout.html).

An email about a visit (``visit`` in its context) is sent in the host's name, with the
visit's contact address as Reply-To.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

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
    """Render the two-part email ``template`` (``template_path``) and add it to the
    session. The caller's commit writes it together with the change."""
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
    return _row(to, render_parts(template_path(template), **context), topic, attachments,
                context.get("visit"))


def template_path(template: str) -> str:
    """A two-part email template's path: given as such (``mail/booking_moved.html``), or
    by the name of an email of templates/mail/ (``booking_moved``), as the registration
    and tour notices name theirs."""
    return template if template.endswith(".html") else f"mail/{template}.html"


def _row(to: str, parts: Parts, topic: str, attachments: list[dict[str, Any]] | None,
         visit: Any = None) -> dict[str, Any]:
    return {"to": to, "subject": parts.subject, "body_text": parts.text,
            "body_html": parts.html, "topic": topic[:100], "attachments": attachments or [],
            "from_name": (getattr(visit, "host", "") or "")[:200],
            "reply_to": (getattr(visit, "contact_email", "") or "")[:254]}
