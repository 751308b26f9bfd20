"""Emails to attendees about their registration, with their private links."""

from __future__ import annotations

from typing import Any

from eventsapp.models import Registration
from eventsapp.services import mail, tokens
from eventsapp.urls import absolute


def manage_token(registration: Registration) -> str:
    return tokens.make(tokens.MANAGE, registration.token_nonce)


def feed_token(registration: Registration) -> str:
    return tokens.make(tokens.FEED, registration.token_nonce, registration.feed_generation)


def manage_url(registration: Registration) -> str:
    return absolute(f"/r/{manage_token(registration)}")


def notify(registration: Registration, template: str, **extra: Any) -> None:
    """Queue ``email/<template>.txt`` to the attendee (nothing for erased rows)."""
    if not registration.email:
        return
    mail.queue(
        registration.email,
        template,
        topic=f"registration:{registration.id}",
        registration=registration,
        visit=registration.visit,
        manage_url=manage_url(registration),
        **extra,
    )
