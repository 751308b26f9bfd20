"""Emails to attendees about their registration, with their private links."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from eventsapp.accounts import tokens
from eventsapp.agenda.models import AgendaItem, ItemStatus
from eventsapp.extensions import db
from eventsapp.mail import outbox as mail
from eventsapp.mail.attachments import AGENDA, CHECKIN_CODE, CHECKIN_IMAGE, later
from eventsapp.registration.models import (
    ItemSignup,
    Registration,
    RegistrationStatus,
    SignupStatus,
)
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
CHECKIN_IMAGE_CID = "checkin-code@eventsapp"  # eventsapp.checkin.rules.INLINE_CID


def manage_token(registration: Registration) -> str:
    return tokens.make(tokens.MANAGE, registration.token_nonce)


def feed_token(registration: Registration) -> str:
    # A registration just written (a copy without the column) is at generation 0.
    return tokens.make(tokens.FEED, registration.token_nonce,
                       getattr(registration, "feed_generation", 0))


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
        # The SVG stays attached; the PNG is shown in the HTML part.
        attachments += [later(CHECKIN_CODE, registration_id=registration.id),
                        later(CHECKIN_IMAGE, registration_id=registration.id)]
        if "first" not in extra:  # the caller may have read it already
            extra["first"] = first_item(registration)
        extra.setdefault("checkin_image", CHECKIN_IMAGE_CID)
    if template in WITH_CALENDAR:
        extra.setdefault("feed_url", feed_url(registration))
    mail.queue(
        registration.email,
        template,
        topic=f"registration:{registration.id}",
        attachments=attachments,
        registration=registration,
        visit=registration.visit,
        manage_url=manage_url(registration),
        visit_url=absolute(f"/visits/{registration.visit.slug}/"),
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


def first_item(registration: Registration) -> AgendaItem | None:
    """The first item the attendee attends (not one they wait for): an item open to all,
    or a session with limited places they have a place in. One query."""
    return first_item_of(registration.visit_id, registration.id)


def first_item_of(visit_id: int, registration_id: int | None = None) -> AgendaItem | None:
    """first_item for a registration given by id; None: one with no sessions yet."""
    attended = AgendaItem.capacity.is_(None)
    if registration_id is not None:
        attended = or_(attended, select(ItemSignup.id).where(
            ItemSignup.item_id == AgendaItem.id, ItemSignup.registration_id == registration_id,
            ItemSignup.status == SignupStatus.CONFIRMED).exists())
    return db.session.scalar(
        select(AgendaItem)
        .where(AgendaItem.visit_id == visit_id, AgendaItem.deleted_at.is_(None),
               AgendaItem.status == ItemStatus.CONFIRMED, attended)
        .options(joinedload(AgendaItem.venue))
        .order_by(AgendaItem.starts_at, AgendaItem.id).limit(1))
