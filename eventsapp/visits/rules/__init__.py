"""Visits and their venues: creating, editing, publishing, and who may see them."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from types import SimpleNamespace
from typing import TypeVar
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from sqlalchemy import bindparam, func, inspect, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from eventsapp.accounts.models import User
from eventsapp.agenda.models import AgendaItem, ItemStatus
from eventsapp.db import write
from eventsapp.dbtypes import utcnow
from eventsapp.errors import Conflict, Forbidden, NotFound, ValidationError
from eventsapp.extensions import db
from eventsapp.organisations import rules as organisations
from eventsapp.timezones import (
    NonexistentLocalTime,
    is_known_zone,
    local_day_bounds,
    to_local,
    to_utc,
)
from eventsapp.visits import changelog
from eventsapp.visits.models import Venue, Visit, VisitStatus
from eventsapp.visits.rules.suggestions import unique_slug
from eventsapp.wording import count_noun

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
Row = TypeVar("Row")


@dataclass(frozen=True)
class VisitInput:
    title: str
    slug: str
    city: str
    host: str
    timezone: str
    start_date: date
    end_date: date
    summary: str = ""


@dataclass(frozen=True)
class VenueInput:
    name: str
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    access_notes: str = ""


# --- reading -----------------------------------------------------------------------


def visits_for_organiser(actor: User) -> list[Visit]:
    """The visits of every organisation the actor belongs to, and those they help
    organise as a co-organiser."""
    stmt = (
        select(Visit)
        .where(or_(Visit.organisation_id.in_(organisations.readable_organisation_ids(actor)),
                   Visit.co_organisers.any(User.id == actor.id)))
        .order_by(Visit.start_date.desc(), Visit.id.desc())
    )
    return list(db.session.scalars(stmt))


def is_slug(slug: str) -> bool:
    """Only a well-formed slug is looked up: PostgreSQL refuses some strings outright
    (a NUL byte from a URL such as /visits/%00/), and those are simply no visit."""
    return SLUG_RE.fullmatch(slug or "") is not None


def organiser_visit(actor: User, slug: str) -> Visit:
    """The visit with this slug if the actor organises it; NotFound otherwise."""
    if not is_slug(slug):
        raise NotFound("No such visit.")
    visit = db.session.scalar(select(Visit).where(Visit.slug == slug))
    if visit is None or not can_read(actor, visit):
        raise NotFound("No such visit.")
    return visit


def organiser_visit_row(actor: User, slug: str, model: type[Row], row_id: int, what: str) -> Row:
    """The ``model`` row with this id in a visit the actor organises; NotFound ("No such
    <what>.") otherwise, also for a deleted agenda item's tombstone."""
    visit = organiser_visit(actor, slug)
    row = db.session.get(model, row_id)
    if row is None or row.visit_id != visit.id or getattr(row, "deleted_at", None) is not None:
        raise NotFound(f"No such {what}.")
    return row


def organiser_visit_with_agenda(actor: User, slug: str) -> Visit:
    """Like organiser_visit, with organisers, venues and the agenda (tombstones too)
    loaded in a fixed number of queries, whatever the size of the agenda."""
    if not is_slug(slug):
        raise NotFound("No such visit.")
    stmt = (
        select(Visit)
        .where(Visit.slug == slug)
        .options(
            selectinload(Visit.organisers),
            selectinload(Visit.venues),
            selectinload(Visit.items).joinedload(AgendaItem.venue),
        )
    )
    visit = db.session.scalar(stmt)
    if visit is None or not can_read(actor, visit):
        raise NotFound("No such visit.")
    return visit


READ, ORGANISE = "read", "organise"


def access(actor: User | None, slug: str) -> str | None:
    """What the actor may do with the visit with this slug: ORGANISE, READ (a viewer
    of its organisation) or None (no such visit, or not theirs)."""
    visit = db.session.scalar(select(Visit).where(Visit.slug == slug)) if is_slug(slug) else None
    return None if visit is None else access_to(actor, visit)


def access_to(actor: User | None, visit: Visit) -> str | None:
    """``access`` for a visit already loaded: one query (the actor's role in its
    organisation), and a second only for someone who may not organise there (are they
    a co-organiser?). Pages ask it for each request."""
    if actor is None or not getattr(actor, "is_organiser", False):
        return None
    role = organisations.role_in(actor, visit.organisation_id)
    if (role is not None and role.can_organise) or is_co_organiser(actor, visit):
        return ORGANISE
    return READ if role is not None or reads_through_others(actor, visit) else None


def can_read(actor: User | None, visit: Visit) -> bool:
    """Anyone of the visit's organisation (viewers too), its co-organisers, and those a
    feature above lets read it (the convenor of a tour it is on)."""
    if actor is None or not getattr(actor, "is_organiser", False):
        return False
    return (organisations.role_in(actor, visit.organisation_id) is not None
            or is_co_organiser(actor, visit) or reads_through_others(actor, visit))


# Readers a feature above visits adds (create_app registers them: the tours' convenors
# read every visit of their tours), asked only of someone with no role in the visit.
Reader = Callable[[User, Visit], bool]


def init_readers(app: Flask, readers: Iterable[Reader]) -> None:
    app.extensions["visit_readers"] = tuple(readers)


def reads_through_others(actor: User, visit: Visit) -> bool:
    return any(reader(actor, visit)
               for reader in current_app.extensions.get("visit_readers", ()))


def can_organise(actor: User | None, visit: Visit) -> bool:
    """The organisation's owners and organisers, and the visit's co-organisers."""
    if actor is None or not getattr(actor, "is_organiser", False):
        return False
    return (organisations.can_organise_in(actor, visit.organisation_id)
            or is_co_organiser(actor, visit))


def is_co_organiser(actor: User, visit: Visit) -> bool:
    return any(user.id == actor.id for user in visit.co_organisers)


def published_upcoming_visits(today: date) -> list[Visit]:
    stmt = (
        select(Visit)
        .where(Visit.status == VisitStatus.PUBLISHED, Visit.end_date >= today)
        .order_by(Visit.start_date, Visit.id)
    )
    return list(db.session.scalars(stmt))


VISIT_PATH = re.compile(r"/visits/([^/]+)/")


def published_visit_under(path: str) -> Visit | None:
    """The published visit a /visits/<slug>/... address is under, if there is one (for
    the error pages' links on)."""
    found = VISIT_PATH.match(path)
    if found is None:
        return None
    try:
        visit = public_visit(found.group(1), with_agenda=False)
    except NotFound:
        return None
    return visit if visit.status is VisitStatus.PUBLISHED else None


def public_visit(slug: str, with_agenda: bool = True) -> Visit:
    """A published or cancelled visit, with its venues and agenda loaded in a fixed
    number of queries whatever the size of the agenda (or alone, in one query, when
    ``with_agenda`` is false). Drafts are NotFound."""
    if not is_slug(slug):
        raise NotFound("No such visit.")
    stmt = select(Visit).where(Visit.slug == slug, Visit.status != VisitStatus.DRAFT)
    if with_agenda:
        stmt = stmt.options(
            selectinload(Visit.venues),
            selectinload(Visit.items).joinedload(AgendaItem.venue),
        )
    visit = db.session.scalar(stmt)
    if visit is None:
        raise NotFound("No such visit.")
    return visit


class VisitSnapshot(SimpleNamespace):
    """A read-only copy of a visit's row, safe to keep between requests (an ORM object
    is not): what the public page shows about the visit, cached per content version."""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def snapshot(visit: Visit) -> VisitSnapshot:
    """The visit's row, and its span (the agenda is part of the content version)."""
    return VisitSnapshot(span=visit_span(visit),
                         **{column.key: getattr(visit, column.key)
                            for column in Visit.__mapper__.column_attrs})


# --- when a visit takes place ------------------------------------------------------


@dataclass(frozen=True)
class VisitSpan:
    starts_at: datetime  # UTC instants
    ends_at: datetime


_SPAN = select(func.min(AgendaItem.starts_at), func.max(AgendaItem.ends_at)).where(
    AgendaItem.visit_id == bindparam("visit_id"), AgendaItem.deleted_at.is_(None),
    AgendaItem.status == ItemStatus.CONFIRMED)


def visit_span(visit: Visit | VisitSnapshot) -> VisitSpan:
    """When the visit starts and ends: its first live item's start and its last live
    item's end; without items, 00:00 on its first day and the end of its last day, in
    the visit's zone. A snapshot carries the span of the version it copies."""
    if isinstance(visit, VisitSnapshot):
        return visit.span
    if "items" not in inspect(visit).unloaded or visit.id is None:
        # The agenda is loaded already (or not written yet): no second read of it.
        items = [item for item in visit.items
                 if item.deleted_at is None and item.status is ItemStatus.CONFIRMED]
        starts = min((item.starts_at for item in items), default=None)
        ends = max((item.ends_at for item in items), default=None)
    else:
        starts, ends = db.session.execute(_SPAN, {"visit_id": visit.id}).one()
    zone = visit.zone
    return VisitSpan(starts or local_day_bounds(visit.start_date, zone)[0],
                     ends or local_day_bounds(visit.end_date, zone)[1])


def has_started(visit: Visit | VisitSnapshot, now: datetime | None = None) -> bool:
    return (now or utcnow()) >= visit_span(visit).starts_at


def is_over(visit: Visit | VisitSnapshot, now: datetime | None = None) -> bool:
    return (now or utcnow()) >= visit_span(visit).ends_at


PAST_DATES = ("The dates of “{title}” are in the past: the visit has already ended, so "
              "nobody can register for it. Check the dates if that is not what you meant.")


def past_dates_warning(visit: Visit, now: datetime | None = None) -> str | None:
    """What to tell the organiser who saved a visit that is already over (it is saved)."""
    return PAST_DATES.format(title=visit.title) if is_over(visit, now) else None


class PastVisitNotConfirmed(Conflict):
    """Publishing a visit that is already over needs the organiser's confirmation."""

    def __init__(self, title: str):
        super().__init__(f"“{title}” has already ended: its dates are in the past. It was "
                         "not published. To publish it anyway, tick “Publish although its "
                         "dates are past” and publish again.", field="confirm_past")


# --- validation --------------------------------------------------------------------


def _validate_visit(data: VisitInput, *, visit_id: int | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not is_slug(data.slug):
        errors["slug"] = (
            "Use lowercase letters, digits and single hyphens, e.g. cic-stoke."
        )
    else:
        taken = db.session.scalar(
            select(Visit.id).where(Visit.slug == data.slug, Visit.id != (visit_id or -1))
        )
        if taken:
            errors["slug"] = f"The address /visits/{data.slug}/ is already used by another visit."
    if not is_known_zone(data.timezone):
        errors["timezone"] = (
            f"“{data.timezone}” is not a known time zone. Use an IANA name such as "
            "Europe/London."
        )
    if data.end_date < data.start_date:
        errors["end_date"] = "The last day cannot be before the first day."
    return errors


# --- visits --------------------------------------------------------------------------


def create_visit(actor: User, data: VisitInput) -> Visit:
    """A new draft visit of the organisation the actor works in; without a slug, one is
    made from the title."""
    with write():
        host = organisations.working_organisation(actor)
        if host is None or not organisations.can_organise_in(actor, host.id):
            raise Forbidden("Only an organisation's owners and organisers add its visits.")
        if not data.slug:
            data = replace(data, slug=unique_slug(data.title))
        errors = _validate_visit(data, visit_id=None)
        if errors:
            raise ValidationError(errors)
        visit = Visit(
            organisation_id=host.id,
            title=data.title.strip(),
            slug=data.slug,
            city=data.city.strip(),
            host=data.host.strip(),
            timezone=data.timezone,
            start_date=data.start_date,
            end_date=data.end_date,
            summary=data.summary.strip(),
            status=VisitStatus.DRAFT,
        )
        visit.organisers.append(db.session.merge(actor))
        db.session.add(visit)
        _flush_or_slug_conflict(data.slug)
    return visit


def update_visit(actor: User, slug: str, data: VisitInput) -> Visit:
    """Change a visit's details. A change of time zone keeps every item's local wall
    time (the zone was wrong, not the agenda) and raises the items' SEQUENCE."""
    with write():
        visit = organiser_visit(actor, slug)
        errors = _validate_visit(data, visit_id=visit.id)
        if errors:
            raise ValidationError(errors)
        if data.timezone != visit.timezone:
            try:
                _move_items_to_zone(visit, data.timezone)
            except NonexistentLocalTime as exc:
                raise ValidationError(
                    {"timezone": f"{exc} An agenda item is at that time: move it first."}
                ) from exc
        visit.title = data.title.strip()
        visit.slug = data.slug
        visit.city = data.city.strip()
        visit.host = data.host.strip()
        visit.timezone = data.timezone
        visit.start_date = data.start_date
        visit.end_date = data.end_date
        visit.summary = data.summary.strip()
        changelog.visit_edited(actor, visit)
        _flush_or_slug_conflict(data.slug)
    return visit


def _move_items_to_zone(visit: Visit, new_zone_name: str) -> None:
    old, new = visit.zone, ZoneInfo(new_zone_name)
    for item in visit.items:
        starts = to_utc(to_local(item.starts_at, old).replace(tzinfo=None), new)
        ends = to_utc(to_local(item.ends_at, old).replace(tzinfo=None), new)
        if (starts, ends) != (item.starts_at, item.ends_at):
            item.starts_at, item.ends_at = starts, ends
            item.sequence += 1


def _flush_or_slug_conflict(slug: str) -> None:
    try:
        db.session.flush()
    except IntegrityError as exc:  # lost a race for the slug
        raise ValidationError(
            {"slug": f"The address /visits/{slug}/ is already used by another visit."}
        ) from exc


def set_visit_status(actor: User, slug: str, status: VisitStatus, *,
                     confirm_past: bool = False, now: datetime | None = None) -> Visit:
    """Publish, unpublish (back to draft) or cancel a visit. Publishing a visit that is
    already over needs ``confirm_past`` (PastVisitNotConfirmed without it)."""
    with write():
        visit = organiser_visit(actor, slug)
        if visit.status is status:
            return visit
        if status is VisitStatus.PUBLISHED and not confirm_past and is_over(visit, now):
            raise PastVisitNotConfirmed(visit.title)
        changelog.visit_status(actor, visit, status)
        if status is VisitStatus.PUBLISHED and visit.first_published_at is None:
            visit.first_published_at = utcnow()
        # Any change of the visit's status changes every live item's status in some
        # subscribed calendar: cancelled everywhere, or for a draft CANCELLED in attendees'
        # feeds and TENTATIVE in the organisers'. Raising SEQUENCE also moves the stamps.
        for item in visit.items:
            if item.deleted_at is None and item.status is ItemStatus.CONFIRMED:
                item.sequence += 1
        visit.status = status
    return visit


# --- venues --------------------------------------------------------------------------


def _validate_venue(data: VenueInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if (data.latitude is None) != (data.longitude is None):
        field = "longitude" if data.longitude is None else "latitude"
        errors[field] = "Give both latitude and longitude, or neither."
    if data.latitude is not None and not -90 <= data.latitude <= 90:
        errors["latitude"] = "Latitude must be between -90 and 90."
    if data.longitude is not None and not -180 <= data.longitude <= 180:
        errors["longitude"] = "Longitude must be between -180 and 180."
    return errors


def organiser_venue(actor: User, slug: str, venue_id: int) -> Venue:
    return organiser_visit_row(actor, slug, Venue, venue_id, "venue")


def create_venue(actor: User, slug: str, data: VenueInput) -> Venue:
    with write():
        visit = organiser_visit(actor, slug)
        errors = _validate_venue(data)
        if errors:
            raise ValidationError(errors)
        venue = Venue(visit=visit)
        _apply_venue(venue, data)
        db.session.add(venue)
        changelog.venue_added(actor, venue)
    return venue


def update_venue(actor: User, slug: str, venue_id: int, data: VenueInput) -> Venue:
    with write():
        venue = organiser_venue(actor, slug, venue_id)
        errors = _validate_venue(data)
        if errors:
            raise ValidationError(errors)
        _apply_venue(venue, data)
        changelog.venue_edited(actor, venue)
    return venue


def _apply_venue(venue: Venue, data: VenueInput) -> None:
    venue.name = data.name.strip()
    venue.address = data.address.strip()
    venue.latitude = data.latitude
    venue.longitude = data.longitude
    venue.access_notes = data.access_notes.strip()


def delete_venue(actor: User, slug: str, venue_id: int) -> None:
    """Delete a venue no live item uses; otherwise refuse and say which items."""
    with write():
        venue = organiser_venue(actor, slug, venue_id)
        in_use = db.session.scalars(
            select(AgendaItem.title).where(
                AgendaItem.venue_id == venue.id, AgendaItem.deleted_at.is_(None)
            )
        ).all()
        if in_use:
            listed = ", ".join(in_use[:3]) + ("…" if len(in_use) > 3 else "")
            raise Conflict(
                f"{venue.name} is the venue of {count_noun(len(in_use), 'agenda item')} "
                f"({listed}). Move them to another venue first."
            )
        changelog.venue_deleted(actor, venue)
        db.session.delete(venue)
