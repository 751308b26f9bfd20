"""A venue partner's read-only run-sheet link (the university, the museum): signed,
no login, showing the run sheet of that venue only. The signature covers the venue
and its ``partner_link_nonce``; revoking clears the nonce, so every copy of the old
link stops working, and a new link gets a new nonce."""

from __future__ import annotations

import hmac
import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from eventsapp.accounts.models import User
from eventsapp.db import write
from eventsapp.errors import NotFound
from eventsapp.extensions import db
from eventsapp.visits.models import Venue
from eventsapp.visits.rules import organiser_venue


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="venue-partner-run-sheet")


def token(venue: Venue) -> str | None:
    """The link's token, or None when the venue has no link."""
    if not venue.partner_link_nonce:
        return None
    return _serializer().dumps([venue.id, venue.partner_link_nonce])


def make(actor: User, slug: str, venue_id: int) -> Venue:
    """Give the venue a link (the same one again if it has one)."""
    with write():
        venue = organiser_venue(actor, slug, venue_id)
        if not venue.partner_link_nonce:
            venue.partner_link_nonce = secrets.token_urlsafe(24)
    return venue


def revoke(actor: User, slug: str, venue_id: int) -> Venue:
    with write():
        venue = organiser_venue(actor, slug, venue_id)
        venue.partner_link_nonce = None
    return venue


def venue_for(link_token: str) -> Venue:
    """The venue a partner's link opens; NotFound for a forged, altered or revoked one."""
    try:
        venue_id, nonce = _serializer().loads(link_token)
    except (BadSignature, TypeError, ValueError) as exc:
        raise NotFound("This link is not valid.") from exc
    venue = db.session.get(Venue, venue_id) if isinstance(venue_id, int) else None
    if (venue is None or not venue.partner_link_nonce or not isinstance(nonce, str)
            or not hmac.compare_digest(venue.partner_link_nonce, nonce)):
        raise NotFound("This link is not valid or has been revoked.")
    return venue
