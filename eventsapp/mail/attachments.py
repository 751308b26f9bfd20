"""Email attachments made when the email is sent, not when it is queued.

An attendee's agenda (.ics), their check-in code (.svg) and a member's booking (.ics)
cost more to make than the rest of an email, so the request that queues the email
stores only what to make ({"render": kind, "registration_id": ..., "base_url": ...});
the outbox worker makes it when it builds the message (mail.delivery.build_email).
The attachment then shows things as they are when the email leaves: a registration
cancelled meanwhile gets a cancelled agenda and no check-in code.

The mail package owns this, yet knows no feature: the feature that owns each kind of
content hands create_app a maker for it (init_app), so mail stays below them all.
Attachments with their ``content`` already there are sent as stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from flask import Flask, current_app

from eventsapp.mail.models import OutboxMessage
from eventsapp.web.urls import base_url

AGENDA = "attendee_agenda"
CHECKIN_CODE = "checkin_code"
BOOKING_CALENDAR = "booking_calendar"
# The same code as a PNG shown inside the HTML part (not an attachment of its own).
CHECKIN_IMAGE = "checkin_image"

# A spec (with its "base_url") in, the attachment out; None when there is nothing to
# make any more (an erased registration, a code for a place given up).
Maker = Callable[[dict[str, Any]], dict[str, str] | None]


def init_app(app: Flask, makers: Mapping[str, Maker]) -> None:
    app.extensions["attachment_makers"] = dict(makers)


def later(kind: str, **ids: int) -> dict[str, Any]:
    """What to store in the outbox for an attachment made at sending time: the kind,
    the ids of what it is made from, and the site's address for its links."""
    return {"render": kind, **ids, "base_url": base_url()}


def rendered(message: OutboxMessage) -> Iterator[dict[str, str]]:
    """The message's attachments with their content: stored ones as they are, the
    others made now (and left out when there is nothing to make any more)."""
    makers: Mapping[str, Maker] = current_app.extensions["attachment_makers"]
    for spec in message.attachments:
        if "render" not in spec:
            yield spec
            continue
        make = makers.get(spec["render"])
        if make is None:
            raise ValueError(f"unknown attachment kind {spec['render']!r}")
        made = make({**spec, "base_url": spec.get("base_url") or base_url()})
        if made is not None:
            yield made
