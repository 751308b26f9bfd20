"""What the tests share: reading pages and the outbox as a person would, and small
factories that write real rows (each takes overrides for any field)."""

from __future__ import annotations

import email
import email.policy
import html
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from functools import lru_cache

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from eventsapp.accounts.models import Role, User
from eventsapp.agenda.models import AgendaItem, ItemKind, ItemStatus
from eventsapp.extensions import db
from eventsapp.mail.models import OutboxMessage
from eventsapp.timezones import to_utc
from eventsapp.visits.models import Venue, Visit, VisitStatus

PASSWORD = "correct horse battery"
# A date always ahead, and always on British Summer Time (London is UTC+1).
SUMMER = date(datetime.now(UTC).year + 1, 7, 14)


@contextmanager
def scratch_database(base_url: str, prefix: str) -> Iterator[str]:
    """The URL of a PostgreSQL database of its own, made on ``base_url``'s server and
    dropped afterwards, so parallel runs never touch each other's data."""
    url = make_url(base_url)
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- reading pages and mail ------------------------------------------------------------


def page_text(page) -> str:
    """What a reader sees in <main> (markup or a response): tags dropped, entities
    decoded, white space collapsed."""
    markup = page if isinstance(page, str) else page.get_data(as_text=True)
    if "<main" in markup:
        markup = markup.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def field_error(response, field_id: str) -> str:
    """The error message tied to a field (the element its aria-describedby names)."""
    found = re.search(rf'<p class="error-message" id="{re.escape(field_id)}-error">(.*?)</p>',
                      response.get_data(as_text=True), re.S)
    assert found, f"no error shown for {field_id}"
    return html.unescape(found.group(1)).strip()


def labels(markup: str) -> dict[str, str]:
    """Each control's label text by the control's id (a required-field marker dropped)."""
    return {m.group(1): page_text(m.group(2)).removesuffix("*").strip()
            for m in re.finditer(r'<label for="([^"]+)"[^>]*>(.*?)</label>', markup, re.S)}


class Inbox:
    """An aiosmtpd handler keeping every message a real SMTP server on loopback gets."""

    def __init__(self):
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        return "250 OK"


def outbox(to: str | None = None) -> list[OutboxMessage]:
    """The emails queued so far (to one address), oldest first."""
    db.session.rollback()  # a fresh read: requests and servers commit on their own
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if to is not None:
        stmt = stmt.where(OutboxMessage.to == to)
    return list(db.session.scalars(stmt))


# --- world builders --------------------------------------------------------------------


@lru_cache(maxsize=8)
def _hash(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def make_user(email: str = "someone@example.org", role: str | Role = Role.ORGANISER,
              password: str = PASSWORD, **overrides) -> User:
    """An organiser is put in an organisation (``_organisation_for``), as every
    organiser is in the app; pass ``organisation=None`` for one who is in none."""
    organisation = overrides.pop("organisation", "auto")
    user = User(email=email, role=Role(role), password_hash=_hash(password), **overrides)
    db.session.add(user)
    db.session.commit()
    if user.is_organiser and organisation == "auto":
        _organisation_for([user])
    elif user.is_organiser and organisation is not None:
        add_to_organisation(organisation, user, "owner")
    return user


def make_organisation(name: str = "Platform", owners: tuple[User, ...] = (), **overrides):
    """An organisation (host cluster unless ``kind`` says otherwise) with these owners."""
    from eventsapp.organisations.models import Organisation, OrganisationMember

    fields = dict(name=name, slug=_slug(name), default_host=name)
    fields.update(overrides)
    organisation = Organisation(**fields)
    db.session.add(organisation)
    for owner in owners:
        db.session.add(OrganisationMember(organisation=organisation, user=owner, role="owner"))
    db.session.commit()
    return organisation


def add_to_organisation(organisation, user: User, role: str = "organiser"):
    from eventsapp.organisations.models import OrganisationMember

    membership = OrganisationMember(organisation_id=organisation.id, user_id=user.id, role=role)
    db.session.add(membership)
    db.session.commit()
    return membership


def _slug(name: str) -> str:
    from eventsapp.organisations.rules import slug_for

    return slug_for(name)


def default_organisation():
    """The first organisation, made ("Platform") when there is none: where visits
    and businesses go when a test names no organisation."""
    from eventsapp.organisations.models import Organisation

    first = db.session.scalar(select(Organisation).order_by(Organisation.id).limit(1))
    return first or make_organisation()


def _organisation_for(organisers: list[User]):
    """Organisers already in an organisation keep it; new ones join the default
    organisation while it has nobody, else get one of their own, so an organiser of
    another visit is in another organisation (and gets 404 for this one)."""
    from eventsapp.organisations.models import OrganisationMember

    for user in organisers:
        existing = db.session.scalar(select(OrganisationMember).where(
            OrganisationMember.user_id == user.id).order_by(OrganisationMember.id).limit(1))
        if existing is not None:
            organisation = existing.organisation
            break
    else:
        organisation = default_organisation()
        if organisers and organisation.memberships:
            organisation = make_organisation(f"{organisers[0].email}'s organisation")
    for user in organisers:
        if not any(m.user_id == user.id for m in organisation.memberships):
            add_to_organisation(organisation, user, "owner")
    return organisation


def make_visit(organisers: list[User] | None = None, **overrides) -> Visit:
    start = overrides.pop("start_date", datetime.now(UTC).date() + timedelta(days=21))
    fields = dict(
        slug="test-visit",
        title="Regions and Clusters delegation",
        host="Platform",
        city="Stoke-on-Trent",
        timezone="Europe/London",
        start_date=start,
        end_date=start + timedelta(days=1),
        summary="A two-day visit.",
        status=VisitStatus.DRAFT,
    )
    fields.update(overrides)
    if "organisation" not in fields and "organisation_id" not in fields:
        fields["organisation"] = _organisation_for(list(organisers or []))
    if fields["status"] is VisitStatus.PUBLISHED and "first_published_at" not in fields:
        fields["first_published_at"] = datetime.now(UTC)
    visit = Visit(**fields)
    visit.organisers.extend(organisers or [])
    db.session.add(visit)
    db.session.commit()
    return visit


def make_venue(visit: Visit, **overrides) -> Venue:
    fields = dict(name="Spode Works", address="Elenora Street, Stoke-on-Trent ST4 1QQ")
    fields.update(overrides)
    venue = Venue(visit=visit, **fields)
    db.session.add(venue)
    db.session.commit()
    return venue


def local(visit: Visit, day: int, hhmm: str) -> datetime:
    """The UTC instant of a wall time on the visit's ``day`` (0 = first day)."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    wall = datetime.combine(visit.start_date + timedelta(days=day), datetime.min.time())
    return to_utc(wall.replace(hour=hour, minute=minute), visit.zone)


def make_item(visit: Visit, start: str = "09:00", end: str = "10:00", day: int = 0,
              **overrides) -> AgendaItem:
    fields = dict(
        kind=ItemKind.TALK,
        title="Welcome",
        starts_at=local(visit, day, start),
        ends_at=local(visit, day, end),
        status=ItemStatus.CONFIRMED,
    )
    fields.update(overrides)
    item = AgendaItem(visit=visit, **fields)
    db.session.add(item)
    db.session.commit()
    return item


def make_items(visit: Visit, count: int, venue: Venue | None = None,
               **overrides) -> list[AgendaItem]:
    """``count`` fifteen-minute items from 08:00, spread over the visit's days; one commit."""
    items = []
    for n in range(count):
        day, slot = divmod(n, 48)  # 48 quarter hours from 08:00 to 20:00
        start = local(visit, day % len(visit.days), "08:00") + timedelta(minutes=15 * slot)
        fields = dict(
            kind=ItemKind.TALK,
            title=f"Session {n + 1}",
            hosts=f"Host {n + 1}",
            starts_at=start,
            ends_at=start + timedelta(minutes=15),
            venue=venue,
            status=ItemStatus.CONFIRMED,
        )
        fields.update(overrides)
        items.append(AgendaItem(visit=visit, **fields))
    db.session.add_all(items)
    db.session.commit()
    return items


def make_question(visit: Visit, **overrides):
    """An extra registration question (short text unless ``kind`` says otherwise);
    ``options`` is one choice per line."""
    from eventsapp.registration.models import Question, QuestionKind

    fields = dict(
        kind=QuestionKind.SHORT_TEXT,
        label="What would you most like to see?",
        required=False,
        options="",
        position=len(visit.questions),
    )
    fields.update(overrides)
    question = Question(visit=visit, **fields)
    db.session.add(question)
    db.session.commit()
    return question


def make_registration(visit: Visit, **overrides):
    """A registration written directly (confirmed unless ``status`` says otherwise),
    with working private links: ``notices.manage_token(registration)`` opens it.
    Registrations made in a row queue in that order."""
    from sqlalchemy import func, select

    from eventsapp.registration.models import Registration, RegistrationStatus
    from eventsapp.registration.rules.common import new_registration

    count = db.session.scalar(
        select(func.count()).where(Registration.visit_id == visit.id)
    )
    email = overrides.pop("email", f"attendee{count + 1}@example.org")
    fields = dict(
        status=RegistrationStatus.CONFIRMED,
        full_name=f"Attendee {count + 1}",
        email=email,
        email_key=email.lower() if email else None,
        organisation="Example Ltd",
        privacy_accepted_at=datetime.now(UTC),
        queued_at=datetime.now(UTC) + timedelta(microseconds=count),
    )
    fields.update(overrides)
    registration = new_registration(visit)
    for name, value in fields.items():
        setattr(registration, name, value)
    db.session.add(registration)
    db.session.commit()
    return registration


def make_business(**overrides):
    """A member business (name must be unique: pass ``name`` for a second one)."""
    from eventsapp.members.models import MemberBusiness

    fields = dict(name="Clayworks Studio", website="https://clayworks.example",
                  sectors="ceramics, design", description="Studio pottery and 3D printing.")
    fields.update(overrides)
    if "organisation" not in fields and "organisation_id" not in fields:
        fields["organisation"] = default_organisation()
    business = MemberBusiness(**fields)
    db.session.add(business)
    db.session.commit()
    return business


def make_member(business, email: str = "member@clayworks.example", **overrides) -> User:
    """A person of a member business who can log in with PASSWORD."""
    overrides.setdefault("name", "Mina Maker")
    return make_user(email=email, role=Role.MEMBER, business_id=business.id, **overrides)


def make_showcase(item: AgendaItem, slot_minutes: int = 10, buffer_minutes: int = 2,
                  requires_approval: bool = True, deadline: datetime | None = None):
    """A Showcase on a ``showcase`` agenda item with its slots planned by the service's
    own rule (services.showcase.plan_slots)."""
    from eventsapp.showcase.models import Showcase, ShowcaseSlot
    from eventsapp.showcase.rules.slots import plan_slots

    showcase = Showcase(item=item, slot_minutes=slot_minutes, buffer_minutes=buffer_minutes,
                        requires_approval=requires_approval, booking_deadline=deadline)
    for starts, ends in plan_slots(item.starts_at, item.ends_at, slot_minutes, buffer_minutes):
        showcase.slots.append(ShowcaseSlot(starts_at=starts, ends_at=ends))
    db.session.add(showcase)
    db.session.commit()
    return showcase


def make_booking(slot, business, status="approved", **overrides):
    """A booking written directly (no email), for a slot of a showcase."""
    from eventsapp.showcase.models import BookingFormat, BookingStatus, ShowcaseBooking

    fields = dict(
        title=f"{business.name} showcase",
        description="What we will show.",
        format=BookingFormat.DEMO,
        equipment=["power"],
        people="Mina Maker",
    )
    fields.update(overrides)
    booking = ShowcaseBooking(slot=slot, visit_id=slot.showcase.item.visit_id,
                              business_id=business.id, status=BookingStatus(status), **fields)
    db.session.add(booking)
    db.session.commit()
    return booking
