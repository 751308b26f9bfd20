"""Error pages."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError


def init_app(app: Flask) -> None:
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
