"""The organiser area (/organiser): one blueprint, one module per part of the work.

visits: visits, venues and the agenda builder; registrations: settings, questions,
the registrations table and its actions; showcase: showcase slots and bookings;
members: cluster member businesses and their people; report: the impact report and
the feedback request; dashboard: the dashboard and the run sheet; changes: the
change log and the change notices; checkin: check-in on the day.
"""

from eventsapp.views.organiser import (  # noqa: F401
    changes,
    checkin,
    dashboard,
    members,
    registrations,
    report,
    showcase,
    visits,
)
from eventsapp.views.organiser.blueprint import bp

__all__ = ["bp"]
