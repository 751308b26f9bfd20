"""Emails to attendees about their registration, with their private links."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from eventsapp.accounts import tokens
from eventsapp.agenda.models import AgendaItem, ItemStatus
from eventsapp.cache import StampedCache
from eventsapp.extensions import db
from eventsapp.mail import outbox as mail
from eventsapp.mail.attachments import AGENDA, CHECKIN_CODE, CHECKIN_IMAGE, later
from eventsapp.registration.models import Registration, RegistrationStatus, SignupStatus
from eventsapp.web.urls import absolute

# Emails that give the attendee a place (or a place in the queue) carry their agenda
# as an .ics attachment, with the same UIDs as their personal feed.
WITH_CALENDAR = frozenset({
    "registration_confirmed",  # also sent when an organiser approves or resends
    "registration_waitlisted",
    "registration_promoted",
})
# Emails that confirm a place also carry the check-in QR code (services.checkin).
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
    """Queue ``mail/<template>.txt`` to the attendee (nothing for erased rows), written
    at once in the caller's transaction. ``registration`` may be a Registration or a
    copy with its id, email, full_name, status, token_nonce and visit (a new
    registration written without the ORM, see services.registration.register)."""
    if not registration.email:
        return
    # Made by the outbox worker when the email is sent (services.attachments).
    attachments = [later(AGENDA, registration)] if template in WITH_CALENDAR else []
    if template in WITH_CHECKIN_CODE and registration.status is RegistrationStatus.CONFIRMED:
        # The SVG stays attached; the PNG is shown in the HTML part.
        attachments += [later(CHECKIN_CODE, registration), later(CHECKIN_IMAGE, registration)]
        extra.setdefault("first", first_item(registration, extra.get("sessions")))
        extra.setdefault("checkin_image", CHECKIN_IMAGE_CID)
    if template in WITH_CALENDAR:
        extra.setdefault("feed_url", feed_url(registration))
    mail.write(
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


def first_item(registration: Registration, sessions: list[tuple[str, str]] | None = None
               ) -> SimpleNamespace | None:
    """The first item the attendee attends (not one they wait for): every item open to
    all, and the sessions with limited places they have a place in. A registration just
    written (a copy) has no sign-ups to read: its ``sessions`` (title, status) say which
    limited items it has a place in."""
    if isinstance(registration, Registration):
        mine = {s.item_id for s in registration.signups
                if s.status is SignupStatus.CONFIRMED}
        has_place = lambda item: item.id in mine  # noqa: E731
    else:
        titles = {title for title, status in sessions or () if status == "confirmed"}
        has_place = lambda item: item.title in titles  # noqa: E731
    return next((item for item in _agenda(registration.visit)
                 if item.capacity is None or has_place(item)), None)


# The visit's items as plain copies, kept per content version: the confirmation is
# written in the registration's own transaction, which reads nothing it can keep.
_items = StampedCache(max_entries=64)


def _agenda(visit) -> list[SimpleNamespace]:
    def build() -> list[SimpleNamespace]:
        items = db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.visit_id == visit.id, AgendaItem.deleted_at.is_(None),
                   AgendaItem.status == ItemStatus.CONFIRMED)
            .options(joinedload(AgendaItem.venue))
            .order_by(AgendaItem.starts_at, AgendaItem.id))
        return [SimpleNamespace(
            id=item.id, title=item.title, starts_at=item.starts_at, ends_at=item.ends_at,
            capacity=item.capacity,
            venue=SimpleNamespace(name=item.venue.name, address=item.venue.address)
            if item.venue else None) for item in items]

    return _items.get(visit.id, (visit.content_version, visit.created_at), build)
