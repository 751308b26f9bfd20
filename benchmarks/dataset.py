"""Build the large visit the benchmarks run against.

300 agenda items over 3 days and 6 venues, 2,000 registrations (or --registrations)
with answers and sign-ups for the limited items, 60 approved showcase bookings of 60 member
businesses, and the links of 500 personal calendar feeds (--feeds: up to one per
registration). Rows are written directly (no email), with the same token scheme the
application uses, so every private link works.

    python -m benchmarks.dataset --database-url sqlite:////tmp/bench.sqlite3 --out info.json
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from eventsapp.accounts import tokens
from eventsapp.accounts.models import Role, User
from eventsapp.agenda.models import AgendaItem, ItemKind
from eventsapp.extensions import db
from eventsapp.members.models import MemberBusiness
from eventsapp.organisations.models import Organisation, OrganisationMember, OrganisationRole
from eventsapp.registration.models import (
    ItemSignup,
    OrganisationType,
    Question,
    QuestionKind,
    Registration,
    RegistrationStatus,
    SignupStatus,
)
from eventsapp.showcase.models import (
    BookingFormat,
    BookingStatus,
    Showcase,
    ShowcaseBooking,
    ShowcaseSlot,
)
from eventsapp.showcase.rules.slots import plan_slots
from eventsapp.visits.models import Venue, Visit, VisitStatus

SLUG = "bench-regions-and-clusters"
ZONE = "Europe/London"
DAYS = 3
VENUES = 6
ITEMS = 300
REGISTRATIONS = 2000
BOOKINGS = 60
FEEDS = 500
LIMITED_EVERY = 10  # every tenth item has a capacity
ITEM_CAPACITY = 60
PASSWORD = "bench-password-123"  # noqa: S105 - benchmark data only
ORGANISER_EMAIL = "organiser@bench.eventsapp.test"
MEMBER_EMAIL = "member-01@bench.eventsapp.test"

KINDS = [ItemKind.TALK, ItemKind.PANEL, ItemKind.TOUR, ItemKind.NETWORKING, ItemKind.MEAL]
TOPICS = ["Games", "Animation", "Immersive", "Screen", "Music", "Design", "Publishing",
          "Fashion", "Advertising", "Heritage"]


def _instant(day: date, minutes: int) -> datetime:
    local = datetime.combine(day, time(8, 0), tzinfo=ZoneInfo(ZONE)) + timedelta(minutes=minutes)
    return local.astimezone(UTC)


def build(start: date, seed: int = 7, registrations: int = REGISTRATIONS,
          feeds: int = FEEDS) -> dict:
    """Write the visit; return what the load generator needs (slugs, ids, tokens)."""
    rng = random.Random(seed)
    organiser = User(email=ORGANISER_EMAIL, name="Bench Organiser", role=Role.ORGANISER)
    organiser.set_password(PASSWORD)
    host = Organisation(name="Bench Creative Cluster", slug="bench-creative-cluster",
                        default_host="Bench Creative Cluster", default_city="Bristol")
    host.memberships.append(OrganisationMember(user=organiser, role=OrganisationRole.OWNER))
    visit = Visit(
        organisation=host,
        slug=SLUG, title="Regions and Clusters: benchmark visit", host="Bench Creative Cluster",
        city="Bristol", timezone=ZONE, start_date=start, end_date=start + timedelta(days=DAYS - 1),
        summary="A large visit for the benchmarks.", status=VisitStatus.PUBLISHED,
        capacity=20_000, waitlist_enabled=True, contact_email="team@bench.eventsapp.test",
        first_published_at=datetime.now(UTC), organisers=[organiser],
    )
    venues = [
        Venue(visit=visit, name=f"Venue {n + 1}: {TOPICS[n]} House",
              address=f"{10 + n} Harbourside, Bristol BS1 {n}AB",
              latitude=51.45 + n / 1000, longitude=-2.6 - n / 1000,
              access_notes="Step-free entrance on the harbour side; hearing loop in room 2.")
        for n in range(VENUES)
    ]
    db.session.add_all([organiser, visit, *venues])

    # 100 items a day: each venue runs a programme of 40-minute sessions from 08:00.
    items, showcase_items = [], []
    per_day = ITEMS // DAYS
    for n in range(ITEMS):
        day = start + timedelta(days=n // per_day)
        k = n % per_day
        venue = venues[k % VENUES]
        slot = k // VENUES
        showcase = (k in (0, 50)) and len(showcase_items) < 4
        kind = ItemKind.SHOWCASE if showcase else KINDS[n % len(KINDS)]
        starts = _instant(day, slot * 40)
        ends = starts + (timedelta(hours=3) if showcase else timedelta(minutes=35))
        item = AgendaItem(
            visit=visit, venue=venue, kind=kind, title=f"{TOPICS[n % 10]} session {n + 1}",
            description=f"Session {n + 1}: how the cluster's {TOPICS[n % 10].lower()} "
                        "businesses grow, with examples and questions from the delegation.",
            hosts=f"Host {n % 17 + 1}\nCo-host {n % 13 + 1}",
            starts_at=starts, ends_at=ends,
            capacity=ITEM_CAPACITY if (n % LIMITED_EVERY == 5 and not showcase) else None,
        )
        items.append(item)
        if showcase:
            showcase_items.append(item)
    db.session.add_all(items)

    questions = [
        Question(visit=visit, position=0, kind=QuestionKind.SINGLE_CHOICE,
                 label="Which day will you join?", required=True,
                 options="All three days\nDay one only\nDays two and three"),
        Question(visit=visit, position=1, kind=QuestionKind.YES_NO,
                 label="Will you join the evening reception?", required=False),
        Question(visit=visit, position=2, kind=QuestionKind.SHORT_TEXT,
                 label="What would you most like to see?", required=False),
    ]
    db.session.add_all(questions)
    db.session.flush()

    # Showcases: four three-hour items, 15 ten-minute slots each, 60 bookings.
    slots = []
    for item in showcase_items:
        showcase = Showcase(item=item, slot_minutes=10, buffer_minutes=2,
                            requires_approval=True)
        for starts, ends in plan_slots(item.starts_at, item.ends_at, 10, 2):
            showcase.slots.append(ShowcaseSlot(starts_at=starts, ends_at=ends))
        db.session.add(showcase)
        slots += showcase.slots
    businesses = [MemberBusiness(organisation=host, name=f"Bench Studio {n + 1:02d}",
                                 website=f"https://studio{n + 1}.example",
                                 sectors=TOPICS[n % 10].lower(),
                                 description="A studio of the cluster.")
                  for n in range(BOOKINGS)]
    db.session.add_all(businesses)
    db.session.flush()
    member = User(email=MEMBER_EMAIL, name="Bench Member", role=Role.MEMBER,
                  business_id=businesses[0].id)
    member.set_password(PASSWORD)
    db.session.add(member)
    for n, (slot, business) in enumerate(zip(slots, businesses, strict=False)):
        db.session.add(ShowcaseBooking(
            slot=slot, visit_id=visit.id, business_id=business.id,
            status=BookingStatus.APPROVED, title=f"{business.name}: what we make",
            description="A short demonstration of our latest work.",
            format=BookingFormat.DEMO, equipment=["power"],
            people=f"Presenter {n + 1}\nProducer {n + 1}",
        ))

    # Registrations: two sign-ups each for the limited items (60 places, the rest wait).
    limited = [item for item in items if item.capacity]
    org_types = list(OrganisationType)
    feed_tokens, manage_tokens = [], []
    queued = datetime.now(UTC) - timedelta(days=10)
    for n in range(registrations):
        nonce = tokens.new_nonce()
        registration = Registration(
            visit_id=visit.id, status=RegistrationStatus.CONFIRMED,
            queued_at=queued + timedelta(seconds=n),
            full_name=f"Delegate {n + 1:04d}", email=f"delegate{n + 1}@bench.example",
            email_key=f"delegate{n + 1}@bench.example",
            organisation=f"Organisation {n % 150 + 1}", job_title="Policy adviser",
            organisation_type=org_types[n % len(org_types)],
            dietary="Vegetarian" if n % 7 == 0 else "",
            access_needs="Step-free route" if n % 23 == 0 else "",
            consent_photography=n % 2 == 0, consent_share=n % 3 == 0,
            privacy_accepted_at=queued,
            answers={str(questions[0].id): "All three days",
                     str(questions[1].id): rng.choice(["yes", "no"]),
                     str(questions[2].id): "The games studios"},
            token_nonce=nonce,
            manage_token_hash=tokens.digest(tokens.make(tokens.MANAGE, nonce)),
            feed_token_hash=tokens.digest(tokens.make(tokens.FEED, nonce, 0)),
            created_at=queued + timedelta(seconds=n),
        )
        for k in (n % len(limited), (n + 7) % len(limited)):
            registration.signups.append(ItemSignup(
                item_id=limited[k].id, status=SignupStatus.CONFIRMED,
                queued_at=queued + timedelta(seconds=n)))
        db.session.add(registration)
        if n < feeds:
            feed_tokens.append(tokens.make(tokens.FEED, nonce, 0))
            manage_tokens.append(tokens.make(tokens.MANAGE, nonce))
    db.session.flush()
    _waitlist_beyond_capacity(limited)
    db.session.commit()
    # A sign-up given another status raises its registration's feed counter (as a
    # promotion would): such a feed is put together for its one reader on every request.
    changed = set(db.session.scalars(db.select(Registration.email).where(
        Registration.visit_id == visit.id, Registration.feed_sequence > 0)))
    return {
        "slug": SLUG,
        "visit_id": visit.id,
        "organiser": {"email": ORGANISER_EMAIL, "password": PASSWORD},
        "member": {"email": MEMBER_EMAIL, "password": PASSWORD},
        "showcase_id": slots[0].showcase_id,
        "questions": [{"id": q.id, "kind": q.kind.value} for q in questions],
        "feed_tokens": feed_tokens,
        # Indexes in feed_tokens of the registrations whose feed counter was raised.
        "changed_feeds": [n for n in range(len(feed_tokens))
                          if f"delegate{n + 1}@bench.example" in changed],
        "manage_tokens": manage_tokens[:5],
    }


def _waitlist_beyond_capacity(limited) -> None:
    """Sign-ups beyond an item's capacity wait, in queue order, as the service would."""
    for item in limited:
        signups = db.session.scalars(
            db.select(ItemSignup).where(ItemSignup.item_id == item.id)
            .order_by(ItemSignup.queued_at, ItemSignup.id)).all()
        for signup in signups[item.capacity:]:
            signup.status = SignupStatus.WAITLISTED


def main() -> None:
    from eventsapp import create_app

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--out", required=True, help="JSON file for the load generator")
    parser.add_argument("--secret-key", required=True, help="the server's SECRET_KEY")
    parser.add_argument("--registrations", type=int, default=REGISTRATIONS)
    parser.add_argument("--feeds", type=int, default=FEEDS,
                        help="registrations whose calendar feed link goes into --out")
    parser.add_argument("--start", type=date.fromisoformat,
                        default=date.today() + timedelta(days=30))  # noqa: DTZ011
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "SECRET_KEY": args.secret_key,
                      "TESTING": False})
    with app.app_context():
        info = build(args.start, registrations=args.registrations, feeds=args.feeds)
    with open(args.out, "w") as fh:
        json.dump(info, fh, indent=1)


if __name__ == "__main__":
    main()
