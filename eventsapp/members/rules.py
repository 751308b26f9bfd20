"""Cluster member businesses and their people: invitations, password set-up, import."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from eventsapp.accounts.models import Role, User
from eventsapp.accounts.rules import ensure_feed_token, normalise_email, user_with_email
from eventsapp.db import write
from eventsapp.errors import Conflict, Forbidden, NotFound, ValidationError
from eventsapp.extensions import db
from eventsapp.members.models import MemberBusiness
from eventsapp.organisations import rules as organisations
from eventsapp.organisations.models import Organisation
from eventsapp.organisations.people import queue_invitation
from eventsapp.wording import possessive


@dataclass(frozen=True)
class BusinessInput:
    name: str
    website: str = ""
    sectors: str = ""
    description: str = ""


def _require_organiser(actor: User) -> Organisation:
    """The host organisation whose members the actor manages (where they work)."""
    host = organisations.working_organisation(actor) if actor is not None else None
    if host is None:
        raise NotFound("No such page.")
    return host


def _require_manager(actor: User) -> Organisation:
    """Viewers read the members; owners and organisers change them."""
    host = _require_organiser(actor)
    if not organisations.can_organise_in(actor, host.id):
        raise Forbidden("Viewers cannot change the organisation's members.")
    return host


def businesses(actor: User) -> list[MemberBusiness]:
    host = _require_organiser(actor)
    return list(db.session.scalars(
        select(MemberBusiness).where(MemberBusiness.organisation_id == host.id)
        .options(selectinload(MemberBusiness.people))
        .order_by(func.lower(MemberBusiness.name))
    ))


def business(actor: User, business_id: int) -> MemberBusiness:
    host = _require_organiser(actor)
    found = db.session.get(MemberBusiness, business_id)
    if found is None or found.organisation_id != host.id:
        raise NotFound("No such member business.")
    return found


def _person(actor: User, user_id: int) -> User:
    """A member's login, of a business of the actor's organisation."""
    host = _require_manager(actor)
    user = db.session.get(User, user_id)
    if (user is None or not user.is_member or user.business is None
            or user.business.organisation_id != host.id):
        raise NotFound("No such member.")
    return user


def _name_taken(name: str, exclude_id: int | None = None) -> bool:
    stmt = select(MemberBusiness.id).where(func.lower(MemberBusiness.name) == name.lower())
    if exclude_id is not None:
        stmt = stmt.where(MemberBusiness.id != exclude_id)
    return db.session.scalar(stmt) is not None


def save_business(actor: User, data: BusinessInput, business_id: int | None = None
                  ) -> MemberBusiness:
    with write():
        host = _require_manager(actor)
        name = " ".join(data.name.split())
        if _name_taken(name, business_id):
            raise ValidationError({"name": f"A member business called {name} already exists."})
        target = (MemberBusiness(organisation_id=host.id) if business_id is None
                  else business(actor, business_id))
        target.name = name
        target.website = data.website.strip()
        target.sectors = ", ".join(t.strip() for t in data.sectors.split(",") if t.strip())
        target.description = data.description.strip()
        db.session.add(target)
    return target


# --- people and invitations -------------------------------------------------------------


def _queue_invitation(user: User) -> None:
    queue_invitation(user, "mail/member_invitation.html", business=user.business)


def invite_person(actor: User, business_id: int, name: str, email: str) -> User:
    """Add a person to a member business and email them a one-time link to set their
    password (valid for seven days)."""
    with write():
        _require_manager(actor)
        found = business(actor, business_id)
        address = normalise_email(email)
        existing = user_with_email(address)
        if existing is not None:
            raise ValidationError({"email": f"{address} already has an account."})
        user = User(email=address, name=name.strip(), role=Role.MEMBER, business=found)
        ensure_feed_token(user)
        db.session.add(user)
        db.session.flush()
        _queue_invitation(user)
    return user


def resend_invitation(actor: User, user_id: int) -> User:
    with write():
        user = _person(actor, user_id)
        if not user.active:
            # The link would not work: set-password refuses removed logins.
            raise Conflict(f"{possessive(user.email)} login has been removed, so no link was sent.")
        _queue_invitation(user)
    return user


def remove_person(actor: User, user_id: int) -> None:
    """Deactivate a member's login (their business's bookings stay)."""
    with write():
        user = _person(actor, user_id)
        user.active = False


# --- CSV import ----------------------------------------------------------------------------


@dataclass
class ImportReport:
    created_businesses: list[str] = field(default_factory=list)
    invited: list[str] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why)


IMPORT_COLUMNS = ("name", "website", "contact name", "contact email")


def import_members(actor: User, data: bytes) -> ImportReport:
    """Create businesses and invite their contacts from a CSV with the columns
    name, website, contact name, contact email. Bad rows are skipped and reported;
    good rows are saved together in one transaction."""
    with write():
        host = _require_manager(actor)
        report = ImportReport()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError({"file": "The file is not UTF-8 text. Save it as CSV UTF-8."}
                                  ) from exc
        # NUL is refused by PostgreSQL text columns; it has no place in a name or address.
        reader = csv.DictReader(io.StringIO(text.replace("\x00", "")))
        try:
            header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
        except csv.Error as exc:
            raise ValidationError({"file": f"The file could not be read as CSV ({exc})."}) from exc
        missing = [c for c in IMPORT_COLUMNS if c not in header]
        if missing:
            raise ValidationError({"file": "The first row must name the columns: "
                                   + ", ".join(IMPORT_COLUMNS)
                                   + f" (missing: {', '.join(missing)})."})
        seen_emails: dict[str, int] = {}  # address -> line it was imported from
        invited_users: list[User] = []
        try:
            records = [(reader.line_num, raw) for raw in reader]
        except csv.Error as exc:
            raise ValidationError({"file": f"Line {reader.line_num} could not be read as CSV "
                                   f"({exc}); nothing was imported."}) from exc
        # line_num is the file line the record ended on, so blank lines (which the reader
        # skips) do not shift the numbers reported.
        for line, raw in records:
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()
                   if isinstance(v, str)}
            if not any(row.values()):
                continue  # a row of empty cells, as spreadsheets often export at the end
            name = " ".join(row.get("name", "").split())
            contact = row.get("contact name", "")
            email = row.get("contact email", "")
            if not name:
                report.skipped.append((line, "no business name"))
                continue
            if len(name) > 200:
                report.skipped.append((line, "business name longer than 200 characters"))
                continue
            business_row = db.session.scalar(
                select(MemberBusiness).where(func.lower(MemberBusiness.name) == name.lower()))
            if business_row is not None and business_row.organisation_id != host.id:
                report.skipped.append((line, f"{name} is a member of another organisation"))
                continue
            address = ""
            if email:
                try:
                    address = validate_email(email, check_deliverability=False).normalized.lower()
                except EmailNotValidError:
                    report.skipped.append((line, f"“{email[:80]}” is not a valid email address"))
                    continue
                if address in seen_emails:
                    report.skipped.append(
                        (line, f"{address} is already on line {seen_emails[address]} of the file"))
                    continue
                if user_with_email(address) is not None:
                    report.skipped.append((line, f"{address} already has an account"))
                    continue
            if business_row is None:
                business_row = MemberBusiness(organisation_id=host.id, name=name,
                                              website=row.get("website", "")[:300])
                db.session.add(business_row)
                report.created_businesses.append(name)
            if address:
                user = User(email=address, name=contact[:200], role=Role.MEMBER,
                            business=business_row)
                ensure_feed_token(user)
                db.session.add(user)
                invited_users.append(user)
                seen_emails[address] = line
                report.invited.append(address)
            elif contact:
                report.skipped.append((line, "contact without an email address (business kept)"))
        db.session.flush()
        for user in invited_users:
            _queue_invitation(user)
    return report
