"""Every model, imported here so that Alembic sees the whole schema."""

from eventsapp.dbtypes import utcnow
from eventsapp.models import versioning  # noqa: F401 - registers the flush listener
from eventsapp.models.agenda import AgendaItem, ItemKind, ItemStatus
from eventsapp.models.changes import ChangeArea, NoticeState, VisitChange
from eventsapp.models.feedback import RATINGS, Feedback, ItemFeedback
from eventsapp.models.member import MemberBusiness
from eventsapp.models.outbox import OutboxMessage, OutboxStatus
from eventsapp.models.registration import (
    ItemSignup,
    OrganisationType,
    Question,
    QuestionKind,
    Registration,
    RegistrationStatus,
    SignupStatus,
    VisitCount,
)
from eventsapp.models.showcase import (
    EQUIPMENT,
    BookingFormat,
    BookingStatus,
    Showcase,
    ShowcaseBooking,
    ShowcaseSlot,
)
from eventsapp.models.user import Role, User
from eventsapp.models.visit import (
    RegistrationAccess,
    Tour,
    Venue,
    Visit,
    VisitStatus,
    visit_organisers,
)

__all__ = [
    "RATINGS",
    "ChangeArea",
    "Feedback",
    "ItemFeedback",
    "NoticeState",
    "VisitChange",
    "EQUIPMENT",
    "BookingFormat",
    "BookingStatus",
    "MemberBusiness",
    "Showcase",
    "ShowcaseBooking",
    "ShowcaseSlot",
    "AgendaItem",
    "ItemSignup",
    "OrganisationType",
    "OutboxMessage",
    "OutboxStatus",
    "Question",
    "QuestionKind",
    "Registration",
    "RegistrationAccess",
    "RegistrationStatus",
    "VisitCount",
    "SignupStatus",
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
