"""Shared by the feedback and impact report tests."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

from eventsapp.visits.models import VisitStatus
from tests.support import make_visit

FEEDBACK_LINK = re.compile(r"https?://[^/\s]+(/r/[A-Za-z0-9_-]{43}/feedback)\b")


def ended_visit(organisers, **overrides):
    """A published two-day visit that ended last week (Europe/London)."""
    start = datetime.now(UTC).date() - timedelta(days=8)
    fields = dict(slug="cic-stoke", status=VisitStatus.PUBLISHED, start_date=start,
                  contact_email="visits@platform.example")
    fields.update(overrides)
    return make_visit(organisers=organisers, **fields)


def checked_radio(response, name: str) -> str | None:
    """The value of the checked radio button called ``name``, as the browser sees it."""
    markup = response.get_data(as_text=True)
    for tag in re.findall(r"<input[^>]*>", markup):
        if f'name="{name}"' in tag and "checked" in tag:
            return html.unescape(re.search(r'value="([^"]*)"', tag).group(1))
    return None


def textarea(response, name: str) -> str:
    markup = response.get_data(as_text=True)
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', markup, re.S)
    return html.unescape(match.group(1)).strip() if match else ""
