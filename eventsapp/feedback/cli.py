"""flask feedback request <slug>: ask a visit's confirmed attendees for feedback."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from eventsapp.dbtypes import utcnow
from eventsapp.errors import DomainError
from eventsapp.feedback import rules as feedback
from eventsapp.wording import count_noun

feedback_cli = AppGroup("feedback", help="Feedback after a visit.")


@feedback_cli.command("request")
@click.argument("slug")
def request_command(slug: str) -> None:
    """Email every confirmed attendee of the visit SLUG their private link to the
    feedback form. Only once the visit is over, and only once per visit; the emails go
    into the outbox (send them with flask outbox send)."""
    try:
        asked = feedback.request_feedback(feedback.OPERATOR, slug, utcnow())
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    emails = f"{count_noun(asked, 'email')} {'is' if asked == 1 else 'are'}"
    click.echo(f"Asked {count_noun(asked, 'confirmed attendee')} of {slug} for feedback: "
               f"{emails} in the outbox.")
