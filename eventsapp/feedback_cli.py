"""flask feedback request <slug>: ask a visit's confirmed attendees for feedback."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from eventsapp.models import utcnow
from eventsapp.services import feedback
from eventsapp.services.errors import DomainError

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
    people = "attendee" if asked == 1 else "attendees"
    click.echo(f"Asked {asked} confirmed {people} of {slug} for feedback: {asked} "
               "email(s) are in the outbox.")
