"""No double-booking under real parallel requests: 30 members of 15 businesses race
for 5 showcase slots (of 8) through the member booking form."""

from __future__ import annotations

from sqlalchemy import func, select

from eventsapp.agenda.models import ItemKind
from eventsapp.extensions import db
from eventsapp.showcase.models import BookingStatus, ShowcaseBooking
from eventsapp.visits.models import VisitStatus
from tests.live_server import booking_job, fire_together
from tests.support import make_business, make_item, make_member, make_showcase, make_visit


def test_thirty_members_race_for_five_slots(app, live_server, organiser):
    visit = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED)
    item = make_item(visit, "14:00", "15:36", kind=ItemKind.SHOWCASE, title="Member showcase")
    showcase = make_showcase(item, slot_minutes=10, buffer_minutes=2, requires_approval=False)
    slots = showcase.slots
    assert len(slots) == 8
    raced = [slot.id for slot in slots[:5]]
    jobs = []
    for b in range(15):
        business = make_business(name=f"Studio {b}")
        for person in range(2):
            n = 2 * b + person
            member = make_member(business, email=f"p{n}@studio{b}.example")
            # The two people of a business race for different slots; six businesses
            # race for each slot, so every raced slot is won by someone.
            jobs.append(booking_job(live_server, member.email, raced[(b + person) % 5], n))

    responses = fire_together(jobs)

    db.session.rollback()  # see what the server committed
    bookings = db.session.scalars(
        select(ShowcaseBooking).where(ShowcaseBooking.visit_id == visit.id)
    ).all()
    assert len(bookings) == 5
    assert {b.status for b in bookings} == {BookingStatus.APPROVED}
    assert sorted(b.slot_id for b in bookings) == sorted(raced)  # each raced slot once
    assert len({b.business_id for b in bookings}) == 5  # no business holds two
    assert db.session.scalar(
        select(func.count()).select_from(ShowcaseBooking)
        .where(ShowcaseBooking.slot_id.in_([s.id for s in slots[5:]]))) == 0

    won = [r for r in responses if r.status_code == 200]
    lost = [r for r in responses if r.status_code != 200]
    assert len(won) == 5, [r.status_code for r in responses]
    assert {r.status_code for r in lost} == {409}
    taken = [r for r in lost if "just been taken" in r.text]
    assert taken, "nobody was told the slot had just been taken"
    for response in taken:
        # ... and shown the slots still free: the three nobody raced for.
        for slot in slots[5:]:
            assert f"/member/slots/{slot.id}/book" in response.text or \
                f'value="{slot.id}"' in response.text
    for response in lost:
        assert ("just been taken" in response.text
                or "already has a booking" in response.text
                or "has just booked" in response.text), response.text[-1500:]
