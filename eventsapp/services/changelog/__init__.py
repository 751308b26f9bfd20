"""The change log of a visit (models.changes.VisitChange), written by every write path.

``record`` adds one row in the caller's transaction and never commits. The helpers
below it are the hooks the services call, one call per write: each says who did
what, and, for edits, which fields changed from what to what, in the words and the
time zone people read (read from SQLAlchemy's attribute history, so a hook runs
after the change is applied and before anything flushes it).

Changes people must be told about (an item's time, venue or status, the visit's
cancellation) are recorded with ``notify=True``: their notice is pending until
services.change_notices sends the digest, but only while the visit is published.

The hooks live in ``agenda``, ``settings`` and ``bookings``; ``core`` has ``record``.
Everything is reached as ``services.changelog.<name>``.
"""

from __future__ import annotations

from eventsapp.services.changelog.agenda import (
    ITEM_FIELDS,
    STATUS_TEXT,
    VENUE_FIELDS,
    VISIT_FIELDS,
    VISIT_STATUS_TEXT,
    item_added,
    item_deleted,
    item_duplicated,
    item_edited,
    item_status,
    venue_added,
    venue_deleted,
    venue_edited,
    visit_edited,
    visit_status,
)
from eventsapp.services.changelog.bookings import (
    BOOKING_FIELDS,
    BOOKING_STATUS_TEXT,
    booking_edited,
    booking_made,
    booking_moved,
    booking_status,
    showcase_configured,
    slot_blocked,
)
from eventsapp.services.changelog.core import (
    ENUM_TEXT,
    NONE,
    instant,
    record,
    when,
)
from eventsapp.services.changelog.settings import (
    QUESTION_FIELDS,
    question_added,
    question_deleted,
    question_edited,
    question_moved,
    settings_edited,
)

__all__ = [
    "BOOKING_FIELDS",
    "BOOKING_STATUS_TEXT",
    "ENUM_TEXT",
    "ITEM_FIELDS",
    "NONE",
    "QUESTION_FIELDS",
    "STATUS_TEXT",
    "VENUE_FIELDS",
    "VISIT_FIELDS",
    "VISIT_STATUS_TEXT",
    "booking_edited",
    "booking_made",
    "booking_moved",
    "booking_status",
    "instant",
    "item_added",
    "item_deleted",
    "item_duplicated",
    "item_edited",
    "item_status",
    "question_added",
    "question_deleted",
    "question_edited",
    "question_moved",
    "record",
    "settings_edited",
    "showcase_configured",
    "slot_blocked",
    "venue_added",
    "venue_deleted",
    "venue_edited",
    "visit_edited",
    "visit_status",
    "when",
]
