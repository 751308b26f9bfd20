"""Every model, imported here so that Alembic sees the whole schema."""

from eventsapp.dbtypes import utcnow
from eventsapp.models.agenda import AgendaItem, ItemKind, ItemStatus
from eventsapp.models.user import Role, User
from eventsapp.models.visit import Tour, Venue, Visit, VisitStatus, visit_organisers

__all__ = [
    "AgendaItem",
    "ItemKind",
    "ItemStatus",
    "Role",
    "Tour",
    "User",
    "Venue",
    "Visit",
    "VisitStatus",
    "utcnow",
    "visit_organisers",
]
