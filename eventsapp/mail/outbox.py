"""Writing email: every message goes into the outbox inside the caller's transaction.

Nothing here sends or commits; the worker (services.outbox) delivers after commit.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from eventsapp.extensions import db
from eventsapp.mail.models import OutboxMessage


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


def _compose(to: str, template: str, topic: str, attachments: list[dict[str, Any]] | None,
             context: dict[str, Any]) -> dict[str, Any]:
    # Straight from the Jinja environment: an email never depends on who is asking,
    # so none of the request's context processors (the current user among them) run.
    rendered = current_app.jinja_env.get_template(f"mail/{template}.txt").render(
        **context).lstrip()
    first, _, body = rendered.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"email/{template}.txt must start with a Subject: line")
    subject = " ".join(first.removeprefix("Subject:").split())[:300]
    return {"to": to, "subject": subject, "body_text": body.strip() + "\n",
            "topic": topic[:100], "attachments": attachments or []}
