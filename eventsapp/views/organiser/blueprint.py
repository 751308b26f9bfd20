"""The organiser blueprint object, shared by the organiser view modules."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("organiser", __name__)
