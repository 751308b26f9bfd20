"""An organisation's people: the owner invites colleagues (a set-password link by
email, as members are invited), changes their roles and removes them, never the last
owner; and edits the organisation's details."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from eventsapp.accounts.models import Role, User
from eventsapp.accounts.rules import (
    INVITATION_MAX_AGE,
    ensure_feed_token,
    normalise_email,
    set_password_token,
    user_with_email,
)
from eventsapp.db import write
from eventsapp.errors import Conflict, Forbidden, NotFound, ValidationError
from eventsapp.extensions import db
from eventsapp.mail import outbox as mail
from eventsapp.organisations import rules as organisations
from eventsapp.organisations.models import Organisation, OrganisationMember, OrganisationRole
from eventsapp.web.urls import absolute


@dataclass(frozen=True)
class OrganisationInput:
    name: str
    default_city: str = ""
    default_host: str = ""
    contact_email: str = ""


@dataclass(frozen=True)
class Team:
    organisation: Organisation
    people: list[OrganisationMember]
    my_role: OrganisationRole

    @property
    def is_owner(self) -> bool:
        return self.my_role is OrganisationRole.OWNER


def team(actor: User) -> Team:
    """The organisation the actor works in, with its people (every role may read)."""
    organisation = organisations.working_organisation(actor)
    if organisation is None:
        raise NotFound("You are not in any organisation.")
    people = list(db.session.scalars(
        select(OrganisationMember).where(OrganisationMember.organisation_id == organisation.id)
        .options(selectinload(OrganisationMember.user))
        .join(OrganisationMember.user).order_by(func.lower(User.email))))
    return Team(organisation, people, organisations.role_in(actor, organisation.id))


def _owned(actor: User) -> Organisation:
    organisation = organisations.working_organisation(actor)
    if organisation is None:
        raise NotFound("You are not in any organisation.")
    if organisations.role_in(actor, organisation.id) is not OrganisationRole.OWNER:
        raise Forbidden("Only the organisation's owners manage its people.")
    return organisation


def _membership(organisation: Organisation, membership_id: int) -> OrganisationMember:
    found = db.session.get(OrganisationMember, membership_id)
    if found is None or found.organisation_id != organisation.id:
        raise NotFound("No such person in this organisation.")
    return found


def _owner_count(organisation: Organisation) -> int:
    return db.session.scalar(select(func.count()).select_from(OrganisationMember).where(
        OrganisationMember.organisation_id == organisation.id,
        OrganisationMember.role == OrganisationRole.OWNER)) or 0


def update_details(actor: User, data: OrganisationInput) -> Organisation:
    with write():
        organisation = _owned(actor)
        name = " ".join(data.name.split())
        taken = db.session.scalar(select(Organisation.id).where(
            func.lower(Organisation.name) == name.lower(), Organisation.id != organisation.id))
        if taken is not None:
            raise ValidationError({"name": f"Another organisation is called {name}."})
        organisation.name = name
        organisation.default_city = data.default_city.strip()
        organisation.default_host = data.default_host.strip()
        organisation.contact_email = data.contact_email.strip()
    return organisation


def invite(actor: User, name: str, email: str, role: OrganisationRole
           ) -> tuple[OrganisationMember, bool]:
    """Add a colleague with this role. A new person gets an organiser login and an
    email with a one-time set-password link (valid for seven days); an organiser who
    already has a login (in another organisation) is added as they are. Returns the
    membership and whether an invitation was emailed."""
    with write():
        organisation = _owned(actor)
        address = normalise_email(email)
        user = user_with_email(address)
        invited = user is None
        if user is not None and not user.is_organiser:
            raise ValidationError({"email": f"{address} is a member business's login: use "
                                            "another address for the organisation."})
        if user is not None and organisations.role_in(user, organisation.id) is not None:
            raise ValidationError({"email": f"{address} is already in {organisation.name}."})
        if user is None:
            user = User(email=address, name=" ".join(name.split()), role=Role.ORGANISER)
            ensure_feed_token(user)
            db.session.add(user)
        membership = OrganisationMember(organisation=organisation, user=user, role=role)
        db.session.add(membership)
        db.session.flush()
        if invited:
            _queue_invitation(membership)
    return membership, invited


def resend_invitation(actor: User, membership_id: int) -> OrganisationMember:
    with write():
        membership = _membership(_owned(actor), membership_id)
        if not membership.user.active:
            raise Conflict("That login has been switched off, so no link was sent.")
        _queue_invitation(membership)
    return membership


def _queue_invitation(membership: OrganisationMember) -> None:
    queue_invitation(membership.user, "mail/organisation_invitation.html",
                     organisation=membership.organisation, role=membership.role.value)


def queue_invitation(user: User, template: str, **context) -> None:
    """Email a new login its one-time link to set a password (an organisation's
    colleague here, a member business's person in members.rules)."""
    mail.queue(user.email, template, topic=f"user:{user.id}", user=user,
               link=absolute(f"/set-password/{set_password_token(user)}"),
               days=INVITATION_MAX_AGE // 86400, **context)


def change_role(actor: User, membership_id: int, role: OrganisationRole) -> OrganisationMember:
    with write():
        organisation = _owned(actor)
        membership = _membership(organisation, membership_id)
        if (membership.role is OrganisationRole.OWNER and role is not OrganisationRole.OWNER
                and _owner_count(organisation) <= 1):
            raise Conflict(f"{membership.user.email} is the only owner: make someone else an "
                           "owner first.")
        membership.role = role
    return membership


def remove(actor: User, membership_id: int) -> str:
    """Take a person out of the organisation (their login stays for any other
    organisation they are in); never the last owner. Returns their email."""
    with write():
        organisation = _owned(actor)
        membership = _membership(organisation, membership_id)
        if membership.role is OrganisationRole.OWNER and _owner_count(organisation) <= 1:
            raise Conflict(f"{membership.user.email} is the only owner: make someone else an "
                           "owner first.")
        email = membership.user.email
        db.session.delete(membership)
    return email
