"""Error pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, jsonify, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError

from eventsapp.db import describe_outage, is_outage

# Seconds a client (a calendar app, a browser, a monitor) is asked to wait.
OUTAGE_RETRY_AFTER = 30
OUTAGE_MESSAGE = "The site is briefly unavailable. Please try again in a minute."
NOT_SAVED = " What you just sent was not saved: please send it again then."

VisitUnder = Callable[[str], Any]


def database_unavailable(error: DBAPIError):
    """503 while the database cannot be reached: one log line, no traceback, and an
    answer in the kind the URL asked for. Any other database error is a bug: it is
    raised again, so Flask logs its traceback and answers 500."""
    if not is_outage(error):
        raise error
    current_app.logger.warning("Database unavailable: %s %s: %s", request.method,
                               request.path, describe_outage(error))
    headers = {"Retry-After": str(OUTAGE_RETRY_AFTER), "Cache-Control": "no-store"}
    message = OUTAGE_MESSAGE + (NOT_SAVED if request.method == "POST" else "")
    if request.path.endswith(".json"):
        response = jsonify(error="unavailable", message=message)
    elif request.path.endswith(".ics"):
        response = current_app.response_class(message + "\n",
                                              mimetype="text/plain")
    else:
        # Rendered by Jinja alone: Flask's template context (Flask-Login's current_user
        # among it) would ask the database who is logged in.
        page = current_app.jinja_env.get_template("web/unavailable.html")
        response = current_app.response_class(page.render(message=message))
    response.status_code = 503
    response.headers.update(headers)
    return response

def _way_on(code: int, visit_under: VisitUnder) -> dict:
    """What may have happened, and links on from here: the visit the address is under,
    a lost private link, logging in, the list of visits."""
    path = request.path
    anonymous = not current_user.is_authenticated
    visit = visit_under(path)
    if code == 403:
        if anonymous:
            reasons = ["This page is for the organisers or members who look after it: "
                       "log in to see it."]
        else:
            reasons = [f"You are logged in as {current_user.email}, and this page is not "
                       "for that account. If you have another account, log out and log in "
                       "with it."]
    elif path.startswith("/r/"):
        reasons = ["This private link does not work. It may have been copied only in "
                   "part (check the end of the address), or the registration was "
                   "cancelled or replaced."]
    elif visit is not None:
        reasons = [f"This page is not part of {visit.title}, or no longer is: the item "
                   "or page may have been removed."]
    else:
        reasons = ["The address may be mistyped, or the page may have moved or been "
                   "removed."]
    links = []
    if visit is not None:
        links.append((url_for("visits.visit", slug=visit.slug), f"Go to {visit.title}"))
    if path.startswith("/r/"):
        # /lost-link: where an attendee asks for their private link again.
        links.append(("/lost-link", "Lost your link? We can email it again"))
    if anonymous and (code == 403 or path.startswith(("/organiser", "/member"))):
        links.append((url_for("accounts.login", next=path), "Log in"))
    links.append((url_for("visits.index"), "Go to the list of visits"))
    return {"reasons": reasons, "links": links}


def init_app(app: Flask, visit_under: VisitUnder) -> None:
    """``visit_under(path)``: the published visit an address is under, or None (the
    visits package knows; web sits below the features)."""
    # OperationalError and InterfaceError (and a connection SQLAlchemy found dead) are
    # DBAPIErrors; database_unavailable tells an outage from a bug.
    app.register_error_handler(DBAPIError, database_unavailable)

    def error_page(code: int, title: str):
        try:
            way_on = _way_on(code, visit_under)  # asks the database (who is logged in, the visit)
        except DBAPIError as exc:
            return database_unavailable(exc)
        return render_template("web/error.html", code=code, title=title, **way_on), code

    @app.errorhandler(403)
    def forbidden(_error):
        return error_page(403, "You may not see this page")

    @app.errorhandler(404)
    def not_found(_error):
        return error_page(404, "Page not found")

    @app.errorhandler(405)
    def method_not_allowed(_error):
        return render_template("web/error.html", code=405,
                               title="That action is not possible here"), 405

    @app.errorhandler(429)
    def too_many_requests(_error):
        # Flask-Limiter adds Retry-After (and the X-RateLimit headers) to this response.
        return render_template("web/error.html", code=429,
                               title="Too many attempts",
                               detail="Too many attempts from your address; please wait a "
                                      "minute and try again."), 429

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("web/error.html", code=400,
                               title="The form had expired",
                               detail="Please go back, reload the page and try again."), 400

    @app.errorhandler(500)
    def server_error(_error):
        return render_template("web/error.html", code=500,
                               title="Something went wrong on our side"), 500
