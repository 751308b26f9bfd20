"""Email attachments made when the email is sent, not when it is queued.

An attendee's agenda (.ics) and check-in code (.svg) cost more to make than the
rest of a registration, so the request that queues the email stores only what to
make ({"render": kind, "registration_id": ..., "base_url": ...}); the outbox worker
makes it when it builds the message (services.outbox.build_email). The attachment
then shows the registration as it is when the email leaves: a registration
cancelled meanwhile gets a cancelled agenda and no check-in code. Attachments with
their ``content`` already there (showcase bookings) are sent as stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventsapp.extensions import db
from eventsapp.mail.models import OutboxMessage
from eventsapp.registration.models import Registration, RegistrationStatus
from eventsapp.web.urls import base_url

AGENDA = "attendee_agenda"
CHECKIN_CODE = "checkin_code"
# The same code as a PNG shown inside the HTML part (not an attachment of its own).
CHECKIN_IMAGE = "checkin_image"


def later(kind: str, registration: Registration) -> dict[str, Any]:
    """What to store in the outbox for an attachment made at sending time."""
    if registration.id is None:
        db.session.flush()
    return {"render": kind, "registration_id": registration.id, "base_url": base_url()}


def rendered(message: OutboxMessage) -> Iterator[dict[str, str]]:
    """The message's attachments with their content: stored ones as they are, the
    others made now (and left out when there is nothing to make any more)."""
    for spec in message.attachments:
        if "render" not in spec:
            yield spec
            continue
        made = _render(spec)
        if made is not None:
            yield made


def _render(spec: dict[str, Any]) -> dict[str, str] | None:
    # Local imports: calendar and checkin import services that queue email.
    from eventsapp.calendar import feeds as calendar
    from eventsapp.checkin import rules as checkin

    registration = db.session.scalar(
        select(Registration).where(Registration.id == spec["registration_id"])
        .options(selectinload(Registration.signups)))
    if registration is None or registration.erased_at is not None:
        return None
    url = spec.get("base_url") or base_url()
    if spec["render"] == AGENDA:
        return calendar.attachment(calendar.registration_feed(registration, url),
                                   f"{registration.visit.slug}-my-agenda.ics")
    if spec["render"] == CHECKIN_CODE:
        if registration.status is not RegistrationStatus.CONFIRMED:
            return None
        return checkin.attachment(registration, url)
    if spec["render"] == CHECKIN_IMAGE:
        if registration.status is not RegistrationStatus.CONFIRMED:
            return None
        return checkin.inline_image(registration, url)
    raise ValueError(f"unknown attachment kind {spec['render']!r}")
