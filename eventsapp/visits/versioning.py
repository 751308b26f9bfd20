"""Visit content versions: every flush that changes what a visit's calendars and
public pages show raises ``Visit.content_version`` in the same transaction.

Caches (eventsapp.cache) key their entries by that number, read fresh on each
request, so no write path has to remember to invalidate anything: a change is
visible at once from every worker, and nothing is rebuilt while nothing changes.

Counted as changes: the visit itself, its venues, agenda items, showcases, slots
and bookings, a member business's name or details (shown in its bookings), and the
registration form's extra questions (registration.rules.setup keeps a copy).
Registrations and sign-ups are not: the cached outputs do not show them.
"""

from __future__ import annotations

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from eventsapp.agenda.models import AgendaItem
from eventsapp.members.models import MemberBusiness
from eventsapp.registration.models import ItemSignup, Question, Registration
from eventsapp.showcase.models import Showcase, ShowcaseBooking, ShowcaseSlot
from eventsapp.visits.models import Venue, Visit


def _visit_id(obj) -> int | None:
    if isinstance(obj, AgendaItem | Venue | ShowcaseBooking | Question):
        return obj.visit_id if obj.visit_id is not None else getattr(obj.visit, "id", None)
    if isinstance(obj, Showcase):
        return obj.item.visit_id if obj.item is not None else None
    if isinstance(obj, ShowcaseSlot):
        showcase = obj.showcase
        return showcase.item.visit_id if showcase is not None and showcase.item else None
    return None


@event.listens_for(Session, "before_flush")
def _raise_content_versions(session: Session, flush_context, instances) -> None:
    changed = [*session.new, *session.deleted,
               *(obj for obj in session.dirty if session.is_modified(obj))]
    if not changed:
        return
    visits: set[Visit] = set()
    visit_ids: set[int] = set()
    businesses: list[int] = []
    for obj in changed:
        if isinstance(obj, Visit):
            if obj not in session.new:
                visits.add(obj)
        elif isinstance(obj, MemberBusiness):
            if obj.id is not None and obj not in session.new:
                businesses.append(obj.id)
        elif (visit_id := _visit_id(obj)) is not None:
            visit_ids.add(visit_id)
    if businesses:
        visit_ids.update(session.scalars(
            select(ShowcaseBooking.visit_id).where(ShowcaseBooking.business_id.in_(businesses))
        ))
    for visit in visits:
        visit.content_version = (visit.content_version or 0) + 1
        visit_ids.discard(visit.id)
    if visit_ids:
        # updated_at is set to itself: a child's change is not an edit of the visit.
        session.execute(
            update(Visit)
            .where(Visit.id.in_(sorted(visit_ids)))
            .values(content_version=Visit.content_version + 1, updated_at=Visit.updated_at),
            execution_options={"synchronize_session": False},
        )


@event.listens_for(Session, "before_flush")
def _raise_feed_sequences(session: Session, flush_context, instances) -> None:
    """A sign-up made, left or given a place changes the status of its item's event in
    the attendee's feed: raise the registration's feed counter (Registration.feed_sequence,
    which its own changes of status raise too) so that SEQUENCE and DTSTAMP move."""
    touched: set[Registration] = set()
    for obj in (*session.new, *session.dirty):
        if not isinstance(obj, ItemSignup):
            continue
        if obj not in session.new and not inspect(obj).attrs.status.history.has_changes():
            continue
        registration = obj.registration
        if registration is None and obj.registration_id is not None:
            registration = session.get(Registration, obj.registration_id)
        if registration is not None and registration not in session.new:
            touched.add(registration)
    for registration in touched:
        registration.touch_feed()
