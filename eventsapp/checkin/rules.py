"""Check-in on the day: who has arrived, set by an organiser of the visit.

Checking in is one conditional UPDATE (``... WHERE id = ? AND checked_in_at IS NULL``):
of two taps at the same moment, from one organiser or two, the first sets the time and
who did it, and the second changes nothing and is told who was first. Undo clears both.
Only a confirmed registration can be checked in.

Each confirmed registration has a check-in link, shown as a QR code on the attendee's
private page and attached to their confirmation email. The link names the registration
by its id with a short HMAC of it (purpose "check-in", apart from the private links'
purposes), so an id cannot be guessed or altered; it opens only for organisers of the
visit, like every organiser page.
"""

from __future__ import annotations

import base64
import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from eventsapp.accounts import tokens
from eventsapp.accounts.models import User
from eventsapp.checkin import qr
from eventsapp.db import write
from eventsapp.dbtypes import utcnow
from eventsapp.errors import Conflict, NotFound
from eventsapp.extensions import db
from eventsapp.registration.models import Registration, RegistrationStatus, folded
from eventsapp.registration.rules import notices as registration_notices
from eventsapp.visits.models import Visit
from eventsapp.visits.rules import organiser_visit
from eventsapp.web.urls import absolute

PURPOSE = "check-in"
# 16 URL-safe base64 characters: 96 bits of the HMAC, short enough for a small QR code.
SIGNATURE_LENGTH = 16
ATTACHMENT_NAME = "check-in.svg"
ATTACHMENT_TYPE = "image/svg+xml"
# The same code as a PNG inside the email's HTML part: <img src="cid:INLINE_CID">.
INLINE_CID = "checkin-code@eventsapp"
INLINE_NAME = "check-in.png"

STATUS_WORDS = {
    RegistrationStatus.WAITLISTED: "on the waiting list",
    RegistrationStatus.PENDING_APPROVAL: "awaiting approval",
    RegistrationStatus.CANCELLED: "cancelled",
}


@dataclass(frozen=True)
class Entry:
    """A registration as the check-in desk sees it, with who checked it in."""

    registration: Registration
    checked_in_by: str | None  # the organiser's name or email, if checked in

    @property
    def checked_in_at(self) -> datetime | None:
        return self.registration.checked_in_at


@dataclass(frozen=True)
class Outcome:
    entry: Entry
    changed: bool  # False: it was already so (checked in already, or not checked in)


@dataclass(frozen=True)
class Counts:
    checked_in: int
    confirmed: int


# --- the link and its QR code ------------------------------------------------------------


def signature(registration_id: int) -> str:
    return tokens.make(PURPOSE, str(registration_id))[:SIGNATURE_LENGTH]


def signature_ok(registration_id: int, sig: str) -> bool:
    return hmac.compare_digest(signature(registration_id).encode(), sig.encode("utf-8",
                                                                               "replace"))


def path(registration: Registration) -> str:
    """The organiser's page for this registration; views.organiser.checkin serves it."""
    return (f"/organiser/visits/{registration.visit.slug}/check-in/"
            f"{registration.id}-{signature(registration.id)}")


def url(registration: Registration, base: str | None = None) -> str:
    """The absolute link; ``base`` when there is no request to take it from (the
    outbox worker making an email's attachment)."""
    return (base.rstrip("/") + path(registration)) if base else absolute(path(registration))


def _label(registration: Registration) -> str:
    return (f"QR code to check in {registration.full_name or 'this registration'} "
            f"at {registration.visit.title}")


def qr_code(registration: Registration) -> str | None:
    """Inline SVG of the check-in link, for a confirmed registration only."""
    if registration.status is not RegistrationStatus.CONFIRMED:
        return None
    return qr.inline_svg(url(registration), _label(registration))


def attachment(registration: Registration, base: str | None = None) -> dict[str, str]:
    """The QR code as an email attachment (text: mail.delivery makes it a MIME part)."""
    return {"filename": ATTACHMENT_NAME, "content_type": ATTACHMENT_TYPE,
            "content": qr.svg_file(url(registration, base), _label(registration))}


def code_attachment(spec: dict) -> dict[str, str] | None:
    """The code for a confirmation email, made when it is sent (mail.attachments):
    none for a registration no longer confirmed."""
    registration = registration_notices.attachment_registration(spec)
    if registration is None or registration.status is not RegistrationStatus.CONFIRMED:
        return None
    return attachment(registration, spec["base_url"])


def image_attachment(spec: dict) -> dict[str, str] | None:
    """The code as a PNG inside the confirmation's HTML part, made when it is sent."""
    registration = registration_notices.attachment_registration(spec)
    if registration is None or registration.status is not RegistrationStatus.CONFIRMED:
        return None
    return inline_image(registration, spec["base_url"])


def inline_image(registration: Registration, base: str | None = None) -> dict[str, str]:
    """The QR code as a PNG for the email's HTML part (a related part named by ``cid``;
    the outbox keeps text, so the bytes travel as base64)."""
    png = qr.png_file(url(registration, base))
    return {"filename": INLINE_NAME, "content_type": "image/png", "cid": INLINE_CID,
            "content_base64": base64.b64encode(png).decode("ascii")}


# --- reading -------------------------------------------------------------------------------


def _entries(visit: Visit, *where, order_by=()) -> list[Entry]:
    """One query: registrations of the visit with the name of whoever checked them in.
    ``populate_existing``: a row changed by this transaction's UPDATE is read afresh."""
    stmt = (
        select(Registration, func.coalesce(func.nullif(User.name, ""), User.email))
        .outerjoin(User, User.id == Registration.checked_in_by_id)
        .where(Registration.visit_id == visit.id, *where)
        .order_by(*order_by)
        .execution_options(populate_existing=True)
    )
    return [Entry(registration, by) for registration, by in db.session.execute(stmt)]


def _entry(visit: Visit, registration_id: int) -> Entry:
    found = _entries(visit, Registration.id == registration_id)
    if not found:
        raise NotFound("No such registration.")
    return found[0]


def search(visit: Visit, q: str = "") -> list[Entry]:
    """Confirmed registrations whose name or organisation contains ``q`` (any case,
    accents optional), by name. One query, matched and sorted by the database on the
    folded name and organisation (Registration.search_name), so only the matching
    rows are read."""
    where = [Registration.status == RegistrationStatus.CONFIRMED]
    term = folded(q)
    if term:
        where.append(Registration.search_name.contains(term, autoescape=True))
    return _entries(visit, *where, order_by=(Registration.search_name, Registration.id))


def counts(visit: Visit) -> Counts:
    """Checked in, of confirmed: one query."""
    confirmed, checked_in = db.session.execute(
        select(func.count(), func.count(Registration.checked_in_at))
        .where(Registration.visit_id == visit.id,
               Registration.status == RegistrationStatus.CONFIRMED)
    ).one()
    return Counts(checked_in=checked_in, confirmed=confirmed)


def entry(actor: User, slug: str, registration_id: int) -> Entry:
    """One registration of a visit the actor organises; NotFound otherwise."""
    return _entry(organiser_visit(actor, slug), registration_id)


def scanned(actor: User, slug: str, registration_id: int, sig: str) -> Entry:
    """The registration behind a scanned check-in link; NotFound if the link was
    altered or made up, or the actor does not organise the visit."""
    if not signature_ok(registration_id, sig):
        raise NotFound("No such check-in link.")
    return entry(actor, slug, registration_id)


def renamed_slug(registration_id: int, sig: str, slug: str) -> str | None:
    """The visit's slug now, when a genuine check-in link names an earlier one (the
    organisers renamed the visit after the codes went out); None otherwise."""
    if not signature_ok(registration_id, sig):
        return None
    current = db.session.scalar(
        select(Visit.slug).join(Registration, Registration.visit_id == Visit.id)
        .where(Registration.id == registration_id))
    return current if current is not None and current != slug else None


# --- writing -------------------------------------------------------------------------------


def _set_check_in(visit: Visit, registration_id: int, *conditions, **values) -> bool:
    """One UPDATE of the registration's check-in columns where ``conditions`` hold, so
    two desks racing cannot both change it; whether it changed the row."""
    result = db.session.execute(
        update(Registration)
        .where(Registration.id == registration_id, Registration.visit_id == visit.id,
               *conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def check_in(actor: User, slug: str, registration_id: int,
             now: datetime | None = None) -> Outcome:
    """Check a confirmed registration in. A second check-in changes nothing; its
    Outcome has ``changed=False`` and the first time and organiser."""
    with write():
        visit = organiser_visit(actor, slug)
        changed = _set_check_in(visit, registration_id,
                                Registration.status == RegistrationStatus.CONFIRMED,
                                Registration.checked_in_at.is_(None),
                                checked_in_at=now or utcnow(), checked_in_by_id=actor.id)
        # Read after the UPDATE: on PostgreSQL a racing check-in has committed by now (the
        # UPDATE waited for its row lock), so this shows who was first.
        found = _entry(visit, registration_id)
        if not changed and found.checked_in_at is None:
            registration = found.registration
            raise Conflict(
                f"Only confirmed registrations can be checked in: "
                f"{registration.full_name or 'this registration'} is "
                f"{STATUS_WORDS.get(registration.status, registration.status.value)}.")
    return Outcome(found, changed=changed)


def undo_check_in(actor: User, slug: str, registration_id: int) -> Outcome:
    """Clear a check-in (time and organiser). Undoing twice changes nothing."""
    with write():
        visit = organiser_visit(actor, slug)
        changed = _set_check_in(visit, registration_id, Registration.checked_in_at.is_not(None),
                                checked_in_at=None, checked_in_by_id=None)
        found = _entry(visit, registration_id)
    return Outcome(found, changed=changed)
