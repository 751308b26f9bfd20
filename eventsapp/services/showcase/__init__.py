"""Showcases: splitting a showcase item into slots, and members booking them.

No double-booking, ever: unique indexes allow one active booking per slot and one per
member business per visit, and every booking write runs in one transaction that
holds the write lock (BEGIN IMMEDIATE on SQLite) or the showcase's row lock
(PostgreSQL) before it checks. Whoever loses a race gets SlotTaken and the slots
still free.

The package's modules: ``slots`` (the organisers' slot plan), ``reading``, ``booking``
(members), ``decisions`` (organisers approving, declining, assigning) and ``common``.
Everything is reached as ``services.showcase.<name>``.
"""

from __future__ import annotations

from eventsapp.services.showcase.booking import (
    book,
    cancel,
    move,
    update_booking,
)
from eventsapp.services.showcase.common import (
    DESCRIPTION_MAX,
    BookingInput,
    ShowcaseSettings,
    SlotTaken,
    free_slots,
    organiser_showcase_item,
)
from eventsapp.services.showcase.decisions import (
    assign,
    decide,
    organiser_booking,
)
from eventsapp.services.showcase.reading import (
    SlotView,
    active_booking_for_visit,
    approved_bookings_by_item,
    booking_closed_reason,
    bookings_for_business,
    bookings_for_showcase,
    free_slot_counts,
    member_booking,
    member_showcase,
    member_slot,
    open_showcases,
    slot_views,
)
from eventsapp.services.showcase.slots import (
    configure,
    follow_item,
    plan_slots,
    set_slot_blocked,
    showcase_for_item,
)

__all__ = [
    "BookingInput",
    "DESCRIPTION_MAX",
    "ShowcaseSettings",
    "SlotTaken",
    "SlotView",
    "active_booking_for_visit",
    "approved_bookings_by_item",
    "assign",
    "book",
    "booking_closed_reason",
    "bookings_for_business",
    "bookings_for_showcase",
    "cancel",
    "configure",
    "decide",
    "follow_item",
    "free_slot_counts",
    "free_slots",
    "member_booking",
    "member_showcase",
    "member_slot",
    "move",
    "open_showcases",
    "organiser_booking",
    "organiser_showcase_item",
    "plan_slots",
    "set_slot_blocked",
    "showcase_for_item",
    "slot_views",
    "update_booking",
]
