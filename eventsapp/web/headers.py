"""Security headers on every response.

The pages load only their own stylesheet and script (templates carry no inline
<script>, event handler or style attribute), so the Content-Security-Policy allows
nothing else; it also forbids framing (clickjacking) and plugins. The organiser's
email preview alone allows inline styles (``email_preview``). A header a view has
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

# The one exception: an email shown as its recipient will see it (the organiser's
# message preview), served on its own route into a sandboxed iframe of our own pages.
# Emails need inline styles (mail programs drop stylesheets); nothing else is allowed:
# no script, no request anywhere, no form, and the document is sandboxed even if
# opened on its own.
EMAIL_PREVIEW_POLICY = "; ".join([
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    "img-src data:",
    "form-action 'none'",
    "frame-ancestors 'self'",
    "base-uri 'none'",
    "sandbox",
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


def email_preview(response: Response) -> Response:
    """Mark ``response`` (an email's HTML) as framed by our own pages, with the preview's
    policy in place of the site's."""
    response.headers["Content-Security-Policy"] = EMAIL_PREVIEW_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    # App-wide after_request functions run after the blueprints' own, so a view's or
    # a blueprint's stricter Referrer-Policy is already there and is kept.
    app.after_request(add_security_headers)
