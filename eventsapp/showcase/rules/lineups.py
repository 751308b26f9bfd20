"""Showcase bookings under their showcase item, in slot order: the line-up that the
public page, the calendars, the agenda JSON and the run sheet all show. One query
whatever the number of bookings."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from eventsapp.extensions import db
from eventsapp.showcase.models import BookingStatus, ShowcaseBooking, ShowcaseSlot

APPROVED = (BookingStatus.APPROVED,)
ACTIVE = (BookingStatus.PENDING, BookingStatus.APPROVED)


def bookings_by_item(visit_ids: Iterable[int], statuses: tuple[BookingStatus, ...] = APPROVED
                     ) -> dict[int, list[ShowcaseBooking]]:
    """{showcase item id: [bookings]} for the visits, with their business and slot."""
    visit_ids = list(visit_ids)
    if not visit_ids:
        return {}
    rows = db.session.scalars(
        select(ShowcaseBooking)
        .join(ShowcaseBooking.slot)
        .where(ShowcaseBooking.visit_id.in_(visit_ids), ShowcaseBooking.status.in_(statuses))
        .options(joinedload(ShowcaseBooking.business),
                 joinedload(ShowcaseBooking.slot).joinedload(ShowcaseSlot.showcase))
        .order_by(ShowcaseSlot.starts_at, ShowcaseBooking.id)
    ).all()
    grouped: dict[int, list[ShowcaseBooking]] = {}
    for booking in rows:
        grouped.setdefault(booking.slot.showcase.item_id, []).append(booking)
    return grouped
