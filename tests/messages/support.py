"""A visit with people in every group a message can go to."""

from __future__ import annotations

from dataclasses import dataclass

from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.registration.models import ItemSignup, RegistrationStatus, SignupStatus
from eventsapp.visits.models import VisitStatus
from tests.support import (
    make_booking,
    make_business,
    make_item,
    make_member,
    make_registration,
    make_showcase,
    make_venue,
    make_visit,
)


@dataclass
class World:
    visit: object
    item: object  # a session with limited places
    people: dict


def world(organiser) -> World:
    visit = make_visit(organisers=[organiser], slug="stoke", status=VisitStatus.PUBLISHED,
                       contact_email="team@platform.example")
    venue = make_venue(visit)
    make_item(visit, "09:30", "10:30", title="Welcome at Spode", venue=venue)
    session = make_item(visit, "11:00", "12:00", title="Kiln tour", capacity=2, venue=venue)
    showcase_item = make_item(visit, "14:00", "16:00", title="Member showcase",
                              kind="showcase")
    people = {
        "ada": make_registration(visit, email="ada@example.org", full_name="Ada Lovelace"),
        "bo": make_registration(visit, email="bo@example.org", full_name="Bo Brown"),
        "cy": make_registration(visit, email="cy@example.org", full_name="Cy Waiting",
                                status=RegistrationStatus.WAITLISTED),
        "di": make_registration(visit, email="di@example.org", full_name="Di Pending",
                                status=RegistrationStatus.PENDING_APPROVAL),
        "ed": make_registration(visit, email="ed@example.org", full_name="Ed Cancelled",
                                status=RegistrationStatus.CANCELLED),
        "fay": make_registration(visit, email=None, full_name="", erased_at=utcnow(),
                                 status=RegistrationStatus.CANCELLED),
    }
    db.session.add_all([
        ItemSignup(item_id=session.id, registration_id=people["bo"].id,
                   status=SignupStatus.CONFIRMED),
        ItemSignup(item_id=session.id, registration_id=people["cy"].id,
                   status=SignupStatus.WAITLISTED),
    ])
    db.session.commit()
    business = make_business()
    # The same person as Ada's registration, in another case: one copy only.
    people["mina"] = make_member(business, email="ADA@example.org", name="Ada at Clayworks")
    people["mo"] = make_member(business, email="mo@clayworks.example", name="Mo Maker")
    showcase = make_showcase(showcase_item)
    make_booking(showcase.slots[0], business, status="approved")
    return World(visit, session, people)
