"""flask notices send: queue the change digests that are due (services.change_notices).

The outbox worker (flask outbox send [--watch]) does the same before each delivery
round, so production needs no extra process; this is the one-off.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from eventsapp.changes.rules import notices as change_notices
from eventsapp.wording import count_noun

notices_cli = AppGroup("notices", help="Change notices to attendees and members.")


@notices_cli.command("send")
def send_command() -> None:
    """Queue a digest email for every visit whose pending changes have been quiet for
    NOTICE_QUIET_MINUTES (send them with flask outbox send)."""
    click.echo(describe(change_notices.send_due()))


def describe(result: change_notices.SendResult) -> str:
    return (f"Change notices: {count_noun(result.emails, 'email')} queued for "
            f"{count_noun(result.visits, 'visit')}, {count_noun(result.changes, 'change')} "
            "dealt with.")
