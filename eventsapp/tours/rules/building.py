"""Convenors build tours: the tour itself, its visits in order, its travel legs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from eventsapp.accounts.models import User
from eventsapp.db import write
from eventsapp.dbtypes import utcnow
from eventsapp.errors import Conflict, NotFound, ValidationError
from eventsapp.extensions import db
from eventsapp.organisations.rules import can_organise_in
from eventsapp.tours.models import Tour, TourStop, TravelLeg, TravelMode
from eventsapp.tours.rules.access import convened_tour
from eventsapp.visits.models import Visit

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class TourFields:
    title: str
    slug: str
    summary: str = ""
    all_or_nothing: bool = False


def _check_tour(fields: TourFields, tour_id: int | None) -> None:
    errors = {}
    if not fields.title.strip():
        errors["title"] = "Enter the tour's title."
    if not SLUG_RE.match(fields.slug or "") or len(fields.slug) > 80:
        errors["slug"] = ("Use lower-case letters, digits and single hyphens, "
                          "like revitalising-smaller-cities.")
    elif db.session.scalar(select(Tour.id).where(Tour.slug == fields.slug,
                                                 Tour.id != (tour_id or 0))):
        errors["slug"] = "Another tour has this address; choose another."
    if errors:
        raise ValidationError(errors)


def create_tour(actor: User, organisation_id: int, fields: TourFields) -> Tour:
    with write():
        if not can_organise_in(actor, organisation_id):
            raise ValidationError({"organisation_id": "You cannot convene tours for that "
                                                      "organisation."})
        _check_tour(fields, None)
        tour = Tour(title=fields.title.strip(), slug=fields.slug,
                    summary=fields.summary.strip(), all_or_nothing=fields.all_or_nothing,
                    organisation_id=organisation_id)
        db.session.add(tour)
    return tour


def update_tour(actor: User, slug: str, fields: TourFields) -> Tour:
    with write():
        tour = convened_tour(actor, slug)
        _check_tour(fields, tour.id)
        tour.title = fields.title.strip()
        tour.slug = fields.slug
        tour.summary = fields.summary.strip()
        tour.all_or_nothing = fields.all_or_nothing
    return tour


# --- visits on the tour ---------------------------------------------------------------


def add_visit(actor: User, slug: str, visit_slug: str) -> TourStop:
    with write():
        tour = convened_tour(actor, slug)
        visit = db.session.scalar(select(Visit).where(Visit.slug == visit_slug.strip()))
        if visit is None:
            raise ValidationError({"visit_slug": "No visit has that address."})
        on_tour = db.session.scalar(select(TourStop).where(
            TourStop.visit_id == visit.id, TourStop.removed_at.is_(None)))
        if on_tour is not None:
            where = "this tour" if on_tour.tour_id == tour.id else "another tour"
            raise ValidationError({"visit_slug": f"That visit is already on {where}."})
        position = max((s.position for s in tour.live_stops), default=-1) + 1
        stop = TourStop(tour=tour, visit=visit, position=position)
        db.session.add(stop)
        visit.tour = tour  # the visit's own link to its tour, kept in step
    return stop


def _stop(tour: Tour, stop_id: int) -> TourStop:
    stop = next((s for s in tour.live_stops if s.id == stop_id), None)
    if stop is None:
        raise NotFound("That visit is not on this tour.")
    return stop


def remove_visit(actor: User, slug: str, stop_id: int) -> None:
    """Off the tour; its row stays so the tour's feeds cancel its events."""
    with write():
        tour = convened_tour(actor, slug)
        stop = _stop(tour, stop_id)
        stop.removed_at = utcnow()
        stop.visit.tour = None
        tour.updated_at = utcnow()


def move_visit(actor: User, slug: str, stop_id: int, step: int) -> None:
    """Swap with the visit before (step -1) or after (+1)."""
    with write():
        tour = convened_tour(actor, slug)
        stops = tour.live_stops
        stop = _stop(tour, stop_id)
        index = stops.index(stop)
        other = index + (1 if step > 0 else -1)
        if not 0 <= other < len(stops):
            return
        stops[index], stops[other] = stops[other], stops[index]
        for position, each in enumerate(stops):
            each.position = position


# --- travel legs ----------------------------------------------------------------------


@dataclass(frozen=True)
class LegFields:
    mode: str
    departs_from: str
    departs_at: datetime | None  # wall time in ``timezone``
    arrives_at_place: str
    arrives_at: datetime | None
    timezone: str = "Europe/London"
    notes: str = ""
    seats: int | None = None
    from_visit_id: int | None = None
    to_visit_id: int | None = None


def _leg_values(tour: Tour, fields: LegFields) -> dict:
    errors = {}
    try:
        mode = TravelMode(fields.mode)
    except ValueError:
        errors["mode"] = "Choose how the group travels."
        mode = None
    try:
        zone = ZoneInfo(fields.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["timezone"] = "Choose a time zone."
        zone = None
    if not fields.departs_from.strip():
        errors["departs_from"] = "Enter where the leg departs from."
    if not fields.arrives_at_place.strip():
        errors["arrives_at_place"] = "Enter where the leg arrives."
    if fields.departs_at is None:
        errors["departs_at"] = "Enter the departure date and time."
    if fields.arrives_at is None:
        errors["arrives_at"] = "Enter the arrival date and time."
    elif fields.departs_at is not None and fields.arrives_at <= fields.departs_at:
        errors["arrives_at"] = "The arrival must be after the departure."
    if fields.seats is not None and mode is not TravelMode.COACH:
        errors["seats"] = "Seats are for a booked coach: leave this empty for other modes."
    elif fields.seats is not None and not 1 <= fields.seats <= 1000:
        errors["seats"] = "Enter a number of seats from 1 to 1,000."
    on_tour = {s.visit_id for s in tour.live_stops}
    for name in ("from_visit_id", "to_visit_id"):
        value = getattr(fields, name)
        if value is not None and value not in on_tour:
            errors[name] = "Choose a visit of this tour."
    if errors:
        raise ValidationError(errors)
    return {
        "mode": mode, "timezone": fields.timezone,
        "departs_from": fields.departs_from.strip(),
        "arrives_at_place": fields.arrives_at_place.strip(),
        "departs_at": fields.departs_at.replace(tzinfo=zone),
        "arrives_at": fields.arrives_at.replace(tzinfo=zone),
        "notes": fields.notes.strip(), "seats": fields.seats,
        "from_visit_id": fields.from_visit_id, "to_visit_id": fields.to_visit_id,
    }


def add_leg(actor: User, slug: str, fields: LegFields) -> TravelLeg:
    with write():
        tour = convened_tour(actor, slug)
        leg = TravelLeg(tour=tour, sequence=0, **_leg_values(tour, fields))
        db.session.add(leg)
    return leg


def _leg(tour: Tour, leg_id: int) -> TravelLeg:
    leg = next((leg for leg in tour.live_legs if leg.id == leg_id), None)
    if leg is None:
        raise NotFound("No such travel leg.")
    return leg


def update_leg(actor: User, slug: str, leg_id: int, fields: LegFields) -> TravelLeg:
    with write():
        tour = convened_tour(actor, slug)
        leg = _leg(tour, leg_id)
        values = _leg_values(tour, fields)
        if (values["departs_at"], values["arrives_at"]) != (leg.departs_at, leg.arrives_at):
            leg.sequence += 1  # a change of time: calendars must take the new one
        for name, value in values.items():
            setattr(leg, name, value)
        leg.updated_at = utcnow()
    return leg


def delete_leg(actor: User, slug: str, leg_id: int) -> None:
    """The leg stays as a tombstone (CANCELLED, SEQUENCE raised) for calendars."""
    with write():
        tour = convened_tour(actor, slug)
        leg = _leg(tour, leg_id)
        if leg.deleted_at is not None:
            raise Conflict("That leg was already removed.")
        leg.deleted_at = utcnow()
        leg.sequence += 1
        leg.updated_at = leg.deleted_at
