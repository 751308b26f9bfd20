"""The organiser area (/organiser): one blueprint, one module per part of the work.

visits: visits, venues and the agenda builder; registrations: settings, questions,
the registrations table and its actions; showcase: showcase slots and bookings;
members: cluster member businesses and their people.
"""

from eventsapp.views.organiser import members, registrations, showcase, visits  # noqa: F401
from eventsapp.views.organiser.blueprint import bp

__all__ = ["bp"]
