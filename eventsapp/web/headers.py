"""Security headers on every response.

The pages load only their own stylesheet and script (templates carry no inline
<script>, event handler or style attribute), so the Content-Security-Policy allows
nothing else; it also forbids framing (clickjacking) and plugins. A header a view has
already set is kept: the private pages (/r/<token>, personal feeds, set-password
links) send ``Referrer-Policy: no-referrer``, stricter than the default here.
"""

from __future__ import annotations

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def add_security_headers(response: Response) -> Response:
    # setdefault: a view that sets its own (the private pages' no-referrer) keeps it.
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    # App-wide after_request functions run after the blueprints' own, so a view's or
    # a blueprint's stricter Referrer-Policy is already there and is kept.
    app.after_request(add_security_headers)
