"""Cache-Control for what shared caches (nginx, a CDN) may keep and serve to anyone.

Public calendars and the agenda JSON are the same for everyone; public pages are too,
for a visitor with no session (nobody logged in, no flashed message or form token).
``stale-while-revalidate`` lets a cache answer at once with its copy while it fetches
the new one; conditional GETs (ETag, Last-Modified) make that fetch cheap.
"""

from __future__ import annotations

from flask import Response, current_app, request, session
from flask_login import current_user

PAGE_MAX_AGE = 60
PAGE_STALE = 60
CALENDAR_STALE = 300


def shared(response: Response, max_age: int, stale: int) -> Response:
    """``public, max-age, stale-while-revalidate``: any cache may keep the response."""
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.cache_control.stale_while_revalidate = stale
    return response


def shared_calendar(response: Response) -> Response:
    """Public calendars and agenda.json: kept for CALENDAR_MAX_AGE seconds (config)."""
    return shared(response, current_app.config["CALENDAR_MAX_AGE"], CALENDAR_STALE)


def is_shared_request() -> bool:
    """Nobody logged in and no session: the page is the one every such visitor gets."""
    cookie = current_app.config["SESSION_COOKIE_NAME"]
    return request.cookies.get(cookie) is None and not session and current_user.is_anonymous


def shared_unless_personal(response: Response) -> Response:
    """A page that is the same for every anonymous visitor is ``public``; one sent to
    someone with a session (a login shows in its header, a flashed message in its
    body) is ``private, no-cache``."""
    if is_shared_request():
        return shared(response, PAGE_MAX_AGE, PAGE_STALE)
    response.cache_control.private = True
    response.cache_control.no_cache = True
    return response
