"""Who may change a tour: the people of its convenor organisation who may organise."""

from __future__ import annotations

from sqlalchemy import select

from eventsapp.accounts.models import User
from eventsapp.errors import Forbidden, NotFound
from eventsapp.extensions import db
from eventsapp.organisations.models import OrganisationKind, OrganisationMember
from eventsapp.organisations.rules import can_organise_in, readable_organisation_ids, role_in
from eventsapp.tours.models import Tour, TourStop
from eventsapp.visits.models import Visit
from eventsapp.visits.rules import is_slug


def convenes(actor: User, visit: Visit) -> bool:
    """The actor belongs to the convenor of a tour the visit is on: they read the visit
    (visits.rules.can_read asks it), and change it only as its co-organiser."""
    return db.session.scalar(
        select(TourStop.id).join(Tour, Tour.id == TourStop.tour_id)
        .join(OrganisationMember, OrganisationMember.organisation_id == Tour.organisation_id)
        .where(TourStop.visit_id == visit.id, TourStop.removed_at.is_(None),
               OrganisationMember.user_id == actor.id).limit(1)) is not None


def tour_by_slug(slug: str) -> Tour:
    tour = db.session.scalar(select(Tour).where(Tour.slug == slug)) if is_slug(slug) else None
    if tour is None:
        raise NotFound("No such tour.")
    return tour


def readable_tour(actor: User, slug: str) -> Tour:
    """A tour its convenor's people may read (viewers too); NotFound for anyone else."""
    tour = tour_by_slug(slug)
    if role_in(actor, tour.organisation_id) is None:
        raise NotFound("No such tour.")
    return tour


def convened_tour(actor: User, slug: str) -> Tour:
    """A tour the actor may change: NotFound outside its convenor, Forbidden for a viewer."""
    tour = readable_tour(actor, slug)
    if not can_organise_in(actor, tour.organisation_id):
        raise Forbidden("Viewers can read this tour but not change it.")
    return tour


def convenor_tours(actor: User) -> list[Tour]:
    ids = readable_organisation_ids(actor)
    if not ids:
        return []
    return list(db.session.scalars(
        select(Tour).where(Tour.organisation_id.in_(ids)).order_by(Tour.title)))


def convening_organisations(actor: User) -> list:
    """Organisations in which the actor may start a tour: convenors where they organise."""
    rows = db.session.scalars(
        select(OrganisationMember).where(OrganisationMember.user_id == actor.id))
    return [m.organisation for m in rows
            if m.role.can_organise and m.organisation.kind is OrganisationKind.CONVENOR]
