"""The organiser home's groups: running now, upcoming, drafts, past (pure: visits and an
instant in, groups out). A visit's "today" is the date in its own time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from eventsapp.visits.models import Visit, VisitStatus


@dataclass(frozen=True)
class VisitGroup:
    key: str
    heading: str
    visits: list[Visit]


GROUPS = (
    ("running", "Running now"),
    ("upcoming", "Upcoming"),
    ("drafts", "Drafts"),
    ("past", "Past and cancelled"),
)


def group_of(visit: Visit, now: datetime) -> str:
    today = now.astimezone(visit.zone).date()
    if visit.status is VisitStatus.CANCELLED or visit.end_date < today:
        return "past"
    if visit.status is VisitStatus.DRAFT:
        return "drafts"
    return "running" if visit.start_date <= today else "upcoming"


def group_visits(visits: list[Visit], now: datetime) -> list[VisitGroup]:
    """Non-empty groups in the order above: running and upcoming soonest first, drafts
    soonest first, past most recent first."""
    found: dict[str, list[Visit]] = {key: [] for key, _ in GROUPS}
    for visit in visits:
        found[group_of(visit, now)].append(visit)
    for key, members in found.items():
        members.sort(key=lambda v: (v.start_date, v.id), reverse=key == "past")
    return [VisitGroup(key, heading, found[key]) for key, heading in GROUPS if found[key]]
