"""flask messages send-reminders / send-digests: queue what is due (send it with flask
outbox send). The outbox worker (flask outbox send [--watch]) does both before each
delivery round, so production needs no extra process; these are the one-offs."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from eventsapp.messages.rules import organiser_digest, reminders
from eventsapp.wording import count_noun

messages_cli = AppGroup("messages", help="Reminders to attendees and digests to organisers.")


@messages_cli.command("send-reminders")
def send_reminders_command() -> None:
    """Queue the reminders that are due (each person gets each reminder once)."""
    click.echo(describe_reminders(reminders.send_due()))


@messages_cli.command("send-digests")
def send_digests_command() -> None:
    """Queue the organisers' digests that are due (ORGANISER_DIGEST_MINUTES apart)."""
    click.echo(describe_digests(organiser_digest.send_due()))


def describe_reminders(result: reminders.SendResult) -> str:
    return (f"Reminders: {count_noun(result.emails, 'email')} queued for "
            f"{count_noun(result.visits, 'visit')}.")


def describe_digests(result: organiser_digest.SendResult) -> str:
    return f"Organiser digests: {count_noun(result.emails, 'email')} queued."
