"""The demo visit: a delegation visit to Stoke-on-Trent's moving-image cluster.

``load_demo`` makes sure the demo organiser, the visit ``cic-stoke``, three member
businesses with a login each, the visit's showcase slots, two approved bookings and a
few confirmed registrations are there. It adds only what is missing and leaves what
exists as it is, so running it again changes nothing, and a visit loaded by an older
demo gains the members and the showcase. The data itself is in ``demo_data``.

Nothing here sends email: the people are invented, and the demo is for one machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from eventsapp.accounts.models import Role, User
from eventsapp.accounts.rules import ensure_feed_token, user_with_email
from eventsapp.agenda.models import AgendaItem, ItemKind, ItemStatus
from eventsapp.db import write
from eventsapp.dbtypes import utcnow
from eventsapp.demo import tour as demo_tour
from eventsapp.demo.data import (
    BUFFER_MINUTES,
    BUSINESSES,
    DAYS_AHEAD,
    DEADLINE_DAYS_BEFORE,
    DEADLINE_TIME,
    HOST_NAME,
    ITEMS,
    MEMBER_PASSWORD,
    ORGANISER_EMAIL,
    ORGANISER_NAME,
    ORGANISER_PASSWORD,
    REGISTRATIONS,
    REQUIRES_APPROVAL,
    SHOWCASE_TITLE,
    SLOT_MINUTES,
    SUMMARY,
    TITLE,
    VENUES,
    VISIT_SLUG,
    ZONE,
)
from eventsapp.demo.tour import TourResult
from eventsapp.errors import Conflict
from eventsapp.extensions import db
from eventsapp.locks import lock
from eventsapp.members.models import MemberBusiness
from eventsapp.organisations import rules as organisations
from eventsapp.organisations.models import Organisation, OrganisationMember, OrganisationRole
from eventsapp.registration.models import Registration, RegistrationStatus
from eventsapp.registration.rules import capacity
from eventsapp.registration.rules.common import new_registration
from eventsapp.showcase.models import BookingStatus, Showcase, ShowcaseBooking, ShowcaseSlot
from eventsapp.showcase.rules.slots import plan_slots
from eventsapp.timezones import to_utc
from eventsapp.visits.models import Venue, Visit, VisitStatus

__all__ = ["MEMBER_PASSWORD", "ORGANISER_EMAIL", "ORGANISER_PASSWORD", "ZONE",
           "DemoLogin", "DemoResult", "load_demo"]

ACTIVE = (BookingStatus.PENDING, BookingStatus.APPROVED)


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    email: str
    password: str
    business: str = ""
    booked: bool = False  # the business holds a showcase booking for the demo visit


@dataclass(frozen=True)
class DemoResult:
    slug: str
    start_date: date
    end_date: date
    venue_count: int
    item_count: int
    created_organiser: bool
    created_visit: bool
    created_businesses: int = 0
    created_members: int = 0
    created_slots: int = 0  # slots of a showcase set up now (0: it was already set up)
    created_bookings: int = 0
    created_registrations: int = 0
    created_organisation: bool = False
    logins: list[DemoLogin] = field(default_factory=list)
    tour: TourResult | None = None

    @property
    def organiser_email(self) -> str:
        return ORGANISER_EMAIL

    @property
    def organiser_password(self) -> str:
        return ORGANISER_PASSWORD

    @property
    def changed(self) -> bool:
        return bool(self.created_organiser or self.created_organisation
                    or self.created_visit or self.created_businesses
                    or self.created_members or self.created_slots or self.created_bookings
                    or self.created_registrations or bool(self.tour and self.tour.changed))


TUESDAY = 1  # date.weekday()


def demo_start(today: date) -> date:
    """The first Tuesday at least three weeks after ``today``: a Tuesday–Wednesday
    visit, never a weekend (nor, as a fixed 21 days did from 4 December, Christmas Day)."""
    earliest = today + timedelta(days=DAYS_AHEAD)
    return earliest + timedelta(days=(TUESDAY - earliest.weekday()) % 7)


def load_demo(today: date) -> DemoResult:
    """Add whatever part of the demo is missing (a new visit starts on
    ``demo_start(today)``). One transaction, one commit."""
    with write():
        organiser, created_organiser = _user(ORGANISER_EMAIL, Role.ORGANISER, ORGANISER_NAME,
                                             ORGANISER_PASSWORD)
        host, created_organisation = _host(organiser)
        visit = db.session.scalar(select(Visit).where(Visit.slug == VISIT_SLUG))
        created_visit = visit is None
        if created_visit:
            visit = _build_visit(demo_start(today), host)
            db.session.add(visit)
        if organiser not in visit.organisers and (created_organiser or created_visit):
            visit.organisers.append(organiser)

        created_businesses = created_members = 0
        pairs: list[tuple[dict, MemberBusiness, User]] = []
        for data in BUSINESSES:
            business, new_business = _business(data, host)
            login = data["login"]
            member, new_member = _user(login["email"], Role.MEMBER, login["name"],
                                       MEMBER_PASSWORD, business)
            created_businesses += new_business
            created_members += new_member
            pairs.append((data, business, member))
        db.session.flush()

        showcase, created_slots = _showcase(visit)
        created_bookings = 0
        if showcase is not None:
            for data, business, member in pairs:
                if data["booking"] is not None:
                    created_bookings += _booking(showcase, visit, business, member,
                                                 data["booking"])
        created_registrations = _registrations(visit, locked=not created_visit)
        db.session.flush()
        tour = demo_tour.add_tour(visit)

        booked = {
            business_id for business_id in db.session.scalars(
                select(ShowcaseBooking.business_id).where(
                    ShowcaseBooking.visit_id == visit.id, ShowcaseBooking.status.in_(ACTIVE)))
        }
        logins = [DemoLogin(Role.ORGANISER, ORGANISER_EMAIL, ORGANISER_PASSWORD)] + [
            DemoLogin(Role.MEMBER, member.email, MEMBER_PASSWORD, business.name,
                      business.id in booked)
            for _data, business, member in pairs
        ]
        result = DemoResult(
            slug=visit.slug,
            start_date=visit.start_date,
            end_date=visit.end_date,
            venue_count=len(visit.venues),
            item_count=len(visit.live_items),
            created_organiser=created_organiser,
            created_organisation=created_organisation,
            created_visit=created_visit,
            created_businesses=created_businesses,
            created_members=created_members,
            created_slots=created_slots,
            created_bookings=created_bookings,
            created_registrations=created_registrations,
            logins=logins,
            tour=tour,
        )
    return result


# --- people and businesses -------------------------------------------------------------------


def _user(email: str, role: Role, name: str, password: str,
          business: MemberBusiness | None = None) -> tuple[User, bool]:
    """The account with this email, created (password hashed, feed token given) when
    missing. An existing account keeps its password and business; one with the other
    role is refused, since the demo would print a login that does not do what it says."""
    user = user_with_email(email)
    if user is not None:
        if user.role is not role:
            raise Conflict(f"{email} exists but is not {'an' if role is Role.ORGANISER else 'a'} "
                           f"{role.value} account.")
        return user, False
    user = User(email=email, name=name, role=role, business=business)
    user.set_password(password)
    ensure_feed_token(user)
    db.session.add(user)
    return user, True


def _host(organiser: User) -> tuple[Organisation, bool]:
    """The demo's host organisation, with the demo organiser as an owner when they are
    not in it yet (an upgraded database already has both)."""
    host = organisations.organisation_named(HOST_NAME)
    created = host is None
    if created:
        host = organisations.make_organisation(HOST_NAME, default_city="Stoke-on-Trent")
    if organisations.role_in(organiser, host.id) is None:
        db.session.add(OrganisationMember(organisation=host, user=organiser,
                                          role=OrganisationRole.OWNER))
        db.session.flush()
    return host, created


def _business(data: dict, host: Organisation) -> tuple[MemberBusiness, bool]:
    business = db.session.scalar(
        select(MemberBusiness).where(func.lower(MemberBusiness.name) == data["name"].lower()))
    if business is not None:
        return business, False
    business = MemberBusiness(organisation=host, name=data["name"], website=data["website"],
                              sectors=data["sectors"], description=data["description"])
    db.session.add(business)
    return business, True


# --- the showcase and its bookings ---------------------------------------------------------


def _showcase(visit: Visit) -> tuple[Showcase | None, int]:
    """The demo showcase item's Showcase, set up with slots when it has none yet.
    (None, 0) when the item has been deleted or made something else."""
    items = [i for i in visit.live_items if i.kind is ItemKind.SHOWCASE]
    item = next((i for i in items if i.title == SHOWCASE_TITLE), items[0] if items else None)
    if item is None:
        return None, 0
    showcase = None
    if item.id is not None:
        showcase = db.session.scalar(select(Showcase).where(Showcase.item_id == item.id))
    if showcase is not None:
        return lock(Showcase, showcase.id), 0
    planned = plan_slots(item.starts_at, item.ends_at, SLOT_MINUTES, BUFFER_MINUTES)
    if not planned:
        return None, 0
    deadline = _instant(visit, -DEADLINE_DAYS_BEFORE, DEADLINE_TIME)
    showcase = Showcase(item=item, slot_minutes=SLOT_MINUTES, buffer_minutes=BUFFER_MINUTES,
                        requires_approval=REQUIRES_APPROVAL, booking_deadline=deadline)
    showcase.slots.extend(ShowcaseSlot(starts_at=s, ends_at=e) for s, e in planned)
    db.session.add(showcase)
    db.session.flush()
    return showcase, len(planned)


def _booking(showcase: Showcase, visit: Visit, business: MemberBusiness, member: User,
             data: dict) -> int:
    """An approved booking on its planned slot, unless the business already has any
    booking for the visit (one it cancelled stays cancelled) or the slot is not there,
    blocked or taken. 1 when made, else 0."""
    if db.session.scalar(select(ShowcaseBooking.id).where(
            ShowcaseBooking.visit_id == visit.id,
            ShowcaseBooking.business_id == business.id)) is not None:
        return 0
    if data["slot"] >= len(showcase.slots):
        return 0
    slot = showcase.slots[data["slot"]]
    taken = db.session.scalar(select(ShowcaseBooking.id).where(
        ShowcaseBooking.slot_id == slot.id, ShowcaseBooking.status.in_(ACTIVE)))
    if slot.blocked or taken is not None:
        return 0
    db.session.add(ShowcaseBooking(
        slot=slot, visit_id=visit.id, business_id=business.id, booked_by_id=member.id,
        status=BookingStatus.APPROVED, title=data["title"], description=data["description"],
        format=data["format"], equipment=list(data["equipment"]), people=data["people"],
    ))
    db.session.flush()
    return 1


# --- registrations -------------------------------------------------------------------------


def _registrations(visit: Visit, locked: bool) -> int:
    """Confirmed registrations for the demo delegates not registered yet (any status:
    one who cancelled stays cancelled), while the visit has places, as register() does."""
    if locked:
        visit = lock(Visit, visit.id)
    else:
        db.session.flush()
    known = set(db.session.scalars(
        select(Registration.email_key).where(Registration.visit_id == visit.id)))
    now = utcnow()
    made = 0
    for data in REGISTRATIONS:
        email = data["email"]
        if email.lower() in known or not capacity.has_place(visit):
            continue
        registration = new_registration(visit)
        for name, value in data.items():
            setattr(registration, name, value)
        registration.email_key = email.lower()
        registration.status = RegistrationStatus.CONFIRMED
        registration.privacy_accepted_at = now
        registration.queued_at = now + timedelta(microseconds=made)
        db.session.add(registration)
        db.session.flush()
        made += 1
    return made


# --- the visit -----------------------------------------------------------------------------


def _build_visit(start: date, host: Organisation) -> Visit:
    visit = Visit(
        organisation=host,
        slug=VISIT_SLUG,
        title=TITLE,
        host=HOST_NAME,
        city="Stoke-on-Trent",
        timezone=ZONE,
        start_date=start,
        end_date=start + timedelta(days=1),
        summary=SUMMARY,
        status=VisitStatus.PUBLISHED,
        first_published_at=utcnow(),
    )
    venues = {key: Venue(**fields) for key, fields in VENUES.items()}
    visit.venues.extend(venues.values())
    for day, start_hhmm, end_hhmm, kind, title, venue, hosts, capacity_, text in ITEMS:
        visit.items.append(AgendaItem(
            kind=kind,
            title=title,
            description=text,
            hosts="\n".join(hosts),
            starts_at=_instant(visit, day, start_hhmm),
            ends_at=_instant(visit, day, end_hhmm),
            venue=venues[venue] if venue else None,
            capacity=capacity_,
            status=ItemStatus.CONFIRMED,
            sequence=0,
        ))
    return visit


def _instant(visit: Visit, day: int, hhmm: str) -> datetime:
    wall = datetime.combine(visit.start_date + timedelta(days=day), time.fromisoformat(hhmm))
    return to_utc(wall, visit.zone)
