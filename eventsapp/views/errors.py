"""Error pages."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError

from eventsapp.database import describe_outage, is_outage

# Seconds a client (a calendar app, a browser, a monitor) is asked to wait.
OUTAGE_RETRY_AFTER = 30
OUTAGE_MESSAGE = ("The site is briefly unavailable. Please try again in a minute; "
                  "nothing you sent before this was lost.")


def database_unavailable(error: DBAPIError):
    """503 while the database cannot be reached: one log line, no traceback, and an
    answer in the kind the URL asked for. Any other database error is a bug: it is
    raised again, so Flask logs its traceback and answers 500."""
    if not is_outage(error):
        raise error
    current_app.logger.warning("Database unavailable: %s %s: %s", request.method,
                               request.path, describe_outage(error))
    headers = {"Retry-After": str(OUTAGE_RETRY_AFTER), "Cache-Control": "no-store"}
    if request.path.endswith(".json"):
        response = jsonify(error="unavailable", message=OUTAGE_MESSAGE)
    elif request.path.endswith(".ics"):
        response = current_app.response_class(OUTAGE_MESSAGE + "\n",
                                              mimetype="text/plain")
    else:
        # Rendered by Jinja alone: Flask's template context (Flask-Login's current_user
        # among it) would ask the database who is logged in.
        page = current_app.jinja_env.get_template("errors/unavailable.html")
        response = current_app.response_class(page.render(message=OUTAGE_MESSAGE))
    response.status_code = 503
    response.headers.update(headers)
    return response


def init_app(app: Flask) -> None:
    # OperationalError and InterfaceError (and a connection SQLAlchemy found dead) are
    # DBAPIErrors; database_unavailable tells an outage from a bug.
    app.register_error_handler(DBAPIError, database_unavailable)

    @app.errorhandler(403)
    def forbidden(_error):
        return render_template("errors/error.html", code=403,
                               title="You may not see this page"), 403

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("errors/error.html", code=404,
                               title="Page not found"), 404

    @app.errorhandler(405)
    def method_not_allowed(_error):
        return render_template("errors/error.html", code=405,
                               title="That action is not possible here"), 405

    @app.errorhandler(429)
    def too_many_requests(error):
        # Retry-After: ours (ratelimits.per_address) comes with the error; Flask-Limiter
        # adds its own to the response after this.
        retry_after = getattr(error, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after else {}
        return render_template("errors/error.html", code=429,
                               title="Too many attempts",
                               detail="Too many attempts from your address; please wait a "
                                      "minute and try again."), 429, headers

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/error.html", code=400,
                               title="The form had expired",
                               detail="Please go back, reload the page and try again."), 400

    @app.errorhandler(500)
    def server_error(_error):
        return render_template("errors/error.html", code=500,
                               title="Something went wrong on our side"), 500
