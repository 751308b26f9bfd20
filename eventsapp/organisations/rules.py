"""Who belongs to which organisation, with which role; the organisation a person
works in; making an organisation."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from eventsapp.accounts.models import Role, User
from eventsapp.accounts.rules import new_user
from eventsapp.db import write
from eventsapp.extensions import db
from eventsapp.organisations.models import (
    Organisation,
    OrganisationKind,
    OrganisationMember,
    OrganisationRole,
)


def slug_for(name: str) -> str:
    """An address-safe slug for an organisation's name ("Platform, Stoke" -> "platform-stoke")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80].strip("-")
    return slug or "organisation"


def memberships(user: User | None) -> list[OrganisationMember]:
    """The user's memberships, oldest first (the first is where they usually work)."""
    if user is None or getattr(user, "id", None) is None:
        return []
    return list(db.session.scalars(
        select(OrganisationMember).where(OrganisationMember.user_id == user.id)
        .options(joinedload(OrganisationMember.organisation))
        .order_by(OrganisationMember.id)))


def role_in(user: User | None, organisation_id: int | None) -> OrganisationRole | None:
    """The user's role in this organisation, or None when they do not belong to it."""
    if user is None or organisation_id is None or not getattr(user, "is_organiser", False):
        return None
    return db.session.scalar(
        select(OrganisationMember.role).where(
            OrganisationMember.user_id == user.id,
            OrganisationMember.organisation_id == organisation_id))


def working_organisation(user: User | None) -> Organisation | None:
    """Where the user runs visits and members: the first organisation in which they
    may organise, else the first they belong to (read only), else None."""
    found = memberships(user) if getattr(user, "is_organiser", False) else []
    for membership in found:
        if membership.role.can_organise:
            return membership.organisation
    return found[0].organisation if found else None


def can_organise_in(user: User | None, organisation_id: int | None) -> bool:
    role = role_in(user, organisation_id)
    return role is not None and role.can_organise


def readable_organisation_ids(user: User | None) -> list[int]:
    if not getattr(user, "is_organiser", False) or getattr(user, "id", None) is None:
        return []
    return list(db.session.scalars(select(OrganisationMember.organisation_id).where(
        OrganisationMember.user_id == user.id)))


def make_organisation(name: str, owner: User | None = None,
                      kind: OrganisationKind = OrganisationKind.HOST, **fields
                      ) -> Organisation:
    """Add an organisation (its name must be free) with an optional first owner, in
    the caller's transaction."""
    clean = " ".join(name.split())
    organisation = Organisation(name=clean, slug=_free_slug(slug_for(clean)), kind=kind,
                                default_host=fields.pop("default_host", clean), **fields)
    db.session.add(organisation)
    if owner is not None:
        db.session.add(OrganisationMember(organisation=organisation, user=owner,
                                          role=OrganisationRole.OWNER))
    db.session.flush()
    return organisation


def _free_slug(base: str) -> str:
    taken = set(db.session.scalars(select(Organisation.slug).where(
        Organisation.slug.startswith(base[:70]))))
    slug, n = base, 2
    while slug in taken:
        slug = f"{base[:70]}-{n}"
        n += 1
    return slug


def organisation_named(name: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.name == " ".join(
        name.split())))


def create_organiser(email: str, password: str, name: str = "", organisation_name: str = "",
                     role: OrganisationRole = OrganisationRole.OWNER
                     ) -> tuple[User, Organisation, bool]:
    """An organiser account in an organisation, in one transaction (``flask users
    create-organiser``). The organisation is the one named (made when missing), else
    the only one there is, else a new "Host organisation". Returns the user, the
    organisation and whether it was made."""
    with write():
        user = new_user(email, password, Role.ORGANISER, name)
        db.session.flush()
        organisation = organisation_named(organisation_name) if organisation_name.strip() else (
            _only_organisation())
        made = organisation is None
        if made:
            organisation = make_organisation(organisation_name.strip() or "Host organisation")
        db.session.add(OrganisationMember(organisation=organisation, user=user,
                                          role=OrganisationRole.OWNER if made else role))
    return user, organisation, made


def _only_organisation() -> Organisation | None:
    found = list(db.session.scalars(select(Organisation).limit(2)))
    return found[0] if len(found) == 1 else None
