"""Duplicating a visit: next year's visit from this year's, as a draft.

The copy has the visit's details, venues, agenda, registration settings, questions and
showcase plan, moved to the new dates: every item, slot and time keeps its local time
of day in the visit's zone, whatever the clocks did in between. It never has people:
no registrations, sign-ups, bookings, check-ins, feedback or change log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from eventsapp.accounts.models import User
from eventsapp.agenda.models import AgendaItem, ItemStatus
from eventsapp.db import write
from eventsapp.errors import Forbidden, ValidationError
from eventsapp.extensions import db
from eventsapp.organisations import rules as organisations
from eventsapp.registration.models import Question
from eventsapp.showcase.models import Showcase, ShowcaseSlot
from eventsapp.timezones import NonexistentLocalTime, to_local, to_utc
from eventsapp.visits.models import Venue, Visit, VisitStatus
from eventsapp.visits.rules import (
    VisitInput,
    _flush_or_slug_conflict,
    _validate_visit,
    organiser_visit,
)
from eventsapp.visits.rules.suggestions import unique_slug


@dataclass(frozen=True)
class DuplicateInput:
    title: str
    slug: str  # empty: made from the title
    start_date: date


@dataclass(frozen=True)
class Copied:
    visit: Visit
    venues: int
    items: int
    questions: int
    showcases: int


def _mover(source: Visit, days: int):
    """Move a UTC instant by ``days`` local days, keeping its wall time in the zone."""
    zone = source.zone

    def move(instant: datetime | None, what: str) -> datetime | None:
        if instant is None:
            return None
        wall = to_local(instant, zone).replace(tzinfo=None) + timedelta(days=days)
        try:
            return to_utc(wall, zone)
        except NonexistentLocalTime as exc:
            raise ValidationError({"start_date": f"{what}: {exc} Choose another first day, "
                                   "or move that item first."}) from exc

    return move


def duplicate_visit(actor: User, slug: str, data: DuplicateInput) -> Copied:
    with write():
        source = organiser_visit(actor, slug)
        # The copy is a new visit of the host: made by those who add its visits.
        if not organisations.can_organise_in(actor, source.organisation_id):
            raise Forbidden("Only the host organisation's owners and organisers copy its "
                            "visits.")
        new_slug = data.slug or unique_slug(data.title)
        length = source.end_date - source.start_date
        wanted = VisitInput(title=data.title, slug=new_slug, city=source.city,
                            host=source.host, timezone=source.timezone,
                            start_date=data.start_date, end_date=data.start_date + length)
        errors = _validate_visit(wanted, visit_id=None)
        if errors:
            raise ValidationError({"start_date" if k == "end_date" else k: v
                                   for k, v in errors.items()})
        move = _mover(source, (data.start_date - source.start_date).days)
        copy = Visit(
            organisation_id=source.organisation_id,
            title=data.title.strip(), slug=new_slug, host=source.host, city=source.city,
            timezone=source.timezone, start_date=wanted.start_date, end_date=wanted.end_date,
            summary=source.summary, status=VisitStatus.DRAFT,
            registration_opens_at=move(source.registration_opens_at, "Registration opening"),
            registration_closes_at=move(source.registration_closes_at, "Registration closing"),
            capacity=source.capacity, waitlist_enabled=source.waitlist_enabled,
            registration_on_the_day=source.registration_on_the_day,
            registration_access=source.registration_access,
            invitation_code=source.invitation_code, contact_email=source.contact_email,
            privacy_notice=source.privacy_notice,
        )
        # The organising team comes along (organisers, not attendees).
        copy.organisers.extend(source.organisers)
        db.session.add(copy)

        venues = {}
        for venue in source.venues:
            venues[venue.id] = Venue(
                visit=copy, name=venue.name, address=venue.address, latitude=venue.latitude,
                longitude=venue.longitude, access_notes=venue.access_notes)
            db.session.add(venues[venue.id])
        items = {}
        for item in source.live_items:
            if item.is_cancelled:
                continue
            items[item.id] = AgendaItem(
                visit=copy, venue=venues.get(item.venue_id), kind=item.kind, title=item.title,
                description=item.description, hosts=item.hosts, capacity=item.capacity,
                starts_at=move(item.starts_at, f"“{item.title}”"),
                ends_at=move(item.ends_at, f"“{item.title}”"),
                status=ItemStatus.CONFIRMED, sequence=0)
            db.session.add(items[item.id])
        for question in source.questions:
            db.session.add(Question(
                visit=copy, position=question.position, kind=question.kind,
                label=question.label, help_text=question.help_text,
                required=question.required, options=question.options))
        showcases = _copy_showcases(items, move)
        _flush_or_slug_conflict(new_slug)
    return Copied(copy, len(venues), len(items), len(copy.questions), showcases)


def _copy_showcases(items: dict[int, AgendaItem], move) -> int:
    """Each copied showcase item's slot plan: its settings and its slots (blocked ones
    stay blocked), moved with the item; never its bookings."""
    if not items:
        return 0
    found = db.session.scalars(select(Showcase).where(Showcase.item_id.in_(items))).all()
    for showcase in found:
        item = items[showcase.item_id]
        copy = Showcase(
            item=item, slot_minutes=showcase.slot_minutes,
            buffer_minutes=showcase.buffer_minutes,
            requires_approval=showcase.requires_approval,
            booking_deadline=move(showcase.booking_deadline, f"The booking deadline of "
                                  f"“{item.title}”"),
            slots=[ShowcaseSlot(starts_at=move(slot.starts_at, f"A slot of “{item.title}”"),
                                ends_at=move(slot.ends_at, f"A slot of “{item.title}”"),
                                blocked=slot.blocked)
                   for slot in showcase.slots],
        )
        db.session.add(copy)
    return len(found)
