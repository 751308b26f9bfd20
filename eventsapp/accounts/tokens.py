"""Private links (manage and calendar-feed tokens).

A token is HMAC-SHA256(SECRET_KEY, purpose, generation, nonce), 256 bits, where the
nonce is a random value made once per registration (or member). Only the SHA-256 of
each token is stored, for lookup; a copy of the database alone opens nothing. The
same token can be rebuilt to resend a lost link, and a new generation (feed reset)
makes a new token whose old link then answers 404. Changing SECRET_KEY changes
every private link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from flask import current_app

MANAGE = "manage"
FEED = "feed"


def new_nonce() -> str:
    return secrets.token_hex(32)


def make(purpose: str, nonce: str, generation: int = 0, *, key: str | None = None) -> str:
    secret = (key or current_app.config["SECRET_KEY"]).encode()
    mac = hmac.new(secret, f"{purpose}:{generation}:{nonce}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def digest(token: str) -> str:
    """What is stored and looked up: the token's SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def looks_valid(token: str) -> bool:
    """Cheap shape check before any lookup (43 URL-safe base64 characters)."""
    return len(token) == 43 and all(c.isalnum() or c in "-_" for c in token)
