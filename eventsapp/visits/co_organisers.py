"""Co-organisers: the host's owners and organisers let an organiser of another
organisation (the convenor's staff) work on one visit, and only that one."""

from __future__ import annotations

from eventsapp.accounts.models import User
from eventsapp.accounts.rules import normalise_email, user_with_email
from eventsapp.db import write
from eventsapp.errors import Forbidden, NotFound, ValidationError
from eventsapp.organisations import rules as organisations
from eventsapp.visits.models import Visit
from eventsapp.visits.rules import organiser_visit


def _hosted_visit(actor: User, slug: str) -> Visit:
    """The visit, if the actor is an owner or organiser of its host organisation:
    co-organisers work on the visit but do not choose who else does."""
    visit = organiser_visit(actor, slug)
    if not organisations.can_organise_in(actor, visit.organisation_id):
        raise Forbidden("Only the host organisation's owners and organisers add "
                        "co-organisers.")
    return visit


def add(actor: User, slug: str, email: str) -> User:
    with write():
        visit = _hosted_visit(actor, slug)
        address = normalise_email(email)
        user = user_with_email(address)
        if user is None or not user.is_organiser or not user.active:
            raise ValidationError({"email": f"Nobody organises with the login {address}: "
                                            "ask their organisation's owner to invite them "
                                            "first."})
        if organisations.role_in(user, visit.organisation_id) is not None:
            raise ValidationError({"email": f"{address} is already in "
                                            f"{visit.organisation.name}, so they have this "
                                            "visit already."})
        if any(u.id == user.id for u in visit.co_organisers):
            raise ValidationError({"email": f"{address} is already a co-organiser."})
        visit.co_organisers.append(user)
    return user


def remove(actor: User, slug: str, user_id: int) -> User:
    with write():
        visit = _hosted_visit(actor, slug)
        user = next((u for u in visit.co_organisers if u.id == user_id), None)
        if user is None:
            raise NotFound("No such co-organiser.")
        visit.co_organisers.remove(user)
    return user
