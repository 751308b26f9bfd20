"""The organiser area: visits, venues and the agenda builder."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from eventsapp.services import visits
from eventsapp.views.access import organiser_required

bp = Blueprint("organiser", __name__)


@bp.get("/")
@organiser_required
def index():
    return render_template("organiser/index.html", visits=visits.visits_for_organiser(current_user))
