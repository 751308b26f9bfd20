"""A lost private link, emailed again to the registered address.

Whoever asks is told the same thing whether or not the address is registered (the
views answer before knowing), so the only one who learns anything is the owner of
the address, by email. The link sent is the same private link as in the confirmation
email, rebuilt from the registration's nonce (services.tokens): asking needs no proof
of anything, so it must not be able to change or break anyone's working links (the
calendar feed's included).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from eventsapp.db import write
from eventsapp.dbtypes import utcnow
from eventsapp.errors import NotFound
from eventsapp.extensions import db
from eventsapp.mail import outbox as mail
from eventsapp.registration.models import Registration, RegistrationStatus
from eventsapp.registration.rules import notices
from eventsapp.timezones import to_local
from eventsapp.visits.models import Visit, VisitStatus
from eventsapp.visits.rules import is_slug


def _live_registrations(email: str):
    return (
        select(Registration)
        .join(Registration.visit)
        .where(
            Registration.email_key == email.strip().lower(),
            Registration.status != RegistrationStatus.CANCELLED,
            Registration.erased_at.is_(None),
            Visit.status != VisitStatus.DRAFT,
        )
        .options(joinedload(Registration.visit))
    )


def send_visit_link(slug: str, email: str) -> None:
    """Email the private link of ``email``'s live registration on the visit, if it has
    one; nothing otherwise. NotFound for an unknown visit (public knowledge)."""
    with write():
        visit_id = db.session.scalar(
            select(Visit.id).where(Visit.slug == slug, Visit.status != VisitStatus.DRAFT)
        ) if is_slug(slug) else None
        if visit_id is None:
            raise NotFound("No such visit.")
        registration = db.session.scalar(
            _live_registrations(email).where(Registration.visit_id == visit_id))
        if registration is not None:
            notices.notify(registration, "lost_link")


def send_all_links(email: str, now: datetime | None = None) -> None:
    """Email, in one message, the private links of every live registration of
    ``email`` on a visit that is not over yet; nothing when there is none."""
    now = now or utcnow()
    with write():
        registrations = [
            registration
            for registration in db.session.scalars(
                _live_registrations(email).order_by(Visit.start_date, Visit.id))
            if to_local(now, registration.visit.zone).date() <= registration.visit.end_date
        ]
        if registrations:
            mail.queue(
                registrations[0].email,
                "lost_links",
                topic="lost-links",
                links=[(registration.visit, notices.manage_url(registration))
                       for registration in registrations],
            )
