"""Absolute URLs for emails and calendars: EVENTSAPP_BASE_URL, else the request."""

from __future__ import annotations

from flask import current_app, has_request_context, request


def base_url() -> str:
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        # As request.host_url without its IRI decoding (an ASCII host stays as it is;
        # an internationalised one stays in its punycode form, valid in any URL).
        return f"{request.scheme}://{request.host}"
    return "http://127.0.0.1:5000"


def absolute(path: str) -> str:
    return base_url() + path
