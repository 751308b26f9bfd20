"""What every organiser view does the same way: act as the current organiser, turn
a service's NotFound into a 404, and put its messages beside the form's fields."""

from __future__ import annotations

from flask import Response, abort, flash, render_template, request
from flask_login import current_user

from eventsapp.errors import Conflict, Forbidden, NotFound, ValidationError
from eventsapp.ids import parse_id


def actor():
    return current_user._get_current_object()


def call(service, *args, **kwargs):
    """Call a service function as the current organiser; NotFound becomes a 404 and
    Forbidden (a viewer, or someone not an owner) a 403."""
    try:
        return service(actor(), *args, **kwargs)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)


def show_errors(form, error: ValidationError | Conflict) -> None:
    """Put a service's messages next to their fields; others become a flash."""
    fields = error.errors if isinstance(error, ValidationError) else {error.field: error.message}
    for name, message in fields.items():
        if name and name in form:
            form[name].errors = [*form[name].errors, message]
        else:
            flash(message, "error")


def requested_page() -> int:
    """?page=N for a paged list; anything but a whole number in range is the first page
    (an absurd number would overflow the query's offset)."""
    return parse_id(request.args.get("page", "")) or 1


def csv_download(body, filename: str) -> Response:
    """A CSV file (bytes, or an iterable of chunks sent as they are made) to save; never
    cached, since it holds personal data."""
    return Response(body, headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    })


def form_page(template: str, status: int | None = None, **context):
    """A form page: 422 when it comes back with errors, so the answers are kept."""
    if status is None:
        status = 422 if request.method == "POST" else 200
    return render_template(template, **context), status
