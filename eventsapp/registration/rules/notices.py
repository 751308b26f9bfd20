"""Emails to attendees about their registration, with their private links."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventsapp.accounts import tokens
from eventsapp.extensions import db
from eventsapp.mail import outbox as mail
from eventsapp.mail.attachments import AGENDA, CHECKIN_CODE, later
from eventsapp.registration.models import Registration, RegistrationStatus
from eventsapp.web.urls import absolute

# Organisers preview the emails, but an attendee's private link is theirs alone.
PRIVATE_LINK_SHOWN = "(their private link, /r/…, goes here)"

# Emails that give the attendee a place (or a place in the queue) carry their agenda
# as an .ics attachment, with the same UIDs as their personal feed.
WITH_CALENDAR = frozenset({
    "registration_confirmed",  # also sent when an organiser approves or resends
    "registration_waitlisted",
    "registration_promoted",
})
# Emails that confirm a place also carry the check-in QR code (checkin.rules).
WITH_CHECKIN_CODE = frozenset({"registration_confirmed", "registration_promoted"})


def manage_token(registration: Registration) -> str:
    return tokens.make(tokens.MANAGE, registration.token_nonce)


def feed_token(registration: Registration) -> str:
    return tokens.make(tokens.FEED, registration.token_nonce, registration.feed_generation)


def manage_url(registration: Registration) -> str:
    return absolute(f"/r/{manage_token(registration)}")


def feed_url(registration: Registration) -> str:
    return absolute(f"/feeds/{feed_token(registration)}.ics")


def notify(registration: Registration, template: str, **extra: Any) -> None:
    """Queue ``mail/<template>.txt`` to the attendee (nothing for erased rows), in the
    caller's transaction."""
    if not registration.email:
        return
    if registration.id is None:
        db.session.flush()
    # Made by the outbox worker when the email is sent (mail.attachments): the agenda by
    # the calendar, the code by check-in.
    attachments = ([later(AGENDA, registration_id=registration.id)]
                   if template in WITH_CALENDAR else [])
    if template in WITH_CHECKIN_CODE and registration.status is RegistrationStatus.CONFIRMED:
        attachments.append(later(CHECKIN_CODE, registration_id=registration.id))
    mail.queue(
        registration.email,
        template,
        topic=f"registration:{registration.id}",
        attachments=attachments,
        registration=registration,
        visit=registration.visit,
        manage_url=manage_url(registration),
        **extra,
    )


def attachment_registration(spec: dict[str, Any]) -> Registration | None:
    """The registration an attachment made at sending time is for (mail.attachments),
    with its sign-ups; None once it is gone or erased."""
    registration = db.session.scalar(
        select(Registration).where(Registration.id == spec["registration_id"])
        .options(selectinload(Registration.signups)))
    if registration is None or registration.erased_at is not None:
        return None
    return registration
