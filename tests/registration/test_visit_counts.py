"""visit_counts, kept by the database's triggers, always equals the real count of
confirmed registrations, whichever path changed a status, on SQLite and PostgreSQL.

The capacity check reads that row, so a wrong number here would overfill a visit
(or turn people away from one with places)."""

from __future__ import annotations

from sqlalchemy import delete, func, select, text, update

from eventsapp.registration.models import Registration, RegistrationStatus
from eventsapp.registration.rules import attendees, capacity, own_page, registering
from eventsapp.registration.rules import common as registration_common
from eventsapp.registration.rules.common import AttendeeDetails
from eventsapp.visits.models import RegistrationAccess, VisitStatus
from tests.support import make_registration, make_visit


def kept(db, visit_id: int) -> int | None:
    return db.session.scalar(text("SELECT confirmed FROM visit_counts WHERE visit_id = :v"),
                             {"v": visit_id})


def counted(db, visit_id: int) -> int:
    return db.session.scalar(select(func.count()).where(
        Registration.visit_id == visit_id, Registration.status == RegistrationStatus.CONFIRMED))


def details(n: int) -> AttendeeDetails:
    return AttendeeDetails(full_name=f"Delegate {n}", email=f"delegate{n}@example.org",
                           privacy_accepted=True)


def test_a_new_visit_starts_at_zero(db, organiser):
    visit = make_visit(organisers=[organiser])
    assert kept(db, visit.id) == 0
    assert capacity.confirmed_count(visit.id) == 0


def test_every_status_change_keeps_the_count_right(db, organiser):
    visit = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED, capacity=3)
    other = make_visit(organisers=[organiser], slug="other-visit",
                       status=VisitStatus.PUBLISHED)
    make_registration(other)  # another visit's registrations are not counted here
    steps: list[tuple[str, int, int]] = []

    def check(step: str) -> None:
        db.session.expire_all()
        steps.append((step, kept(db, visit.id), counted(db, visit.id)))
        assert kept(db, visit.id) == counted(db, visit.id), steps

    outcomes = [registering.register(visit.slug, details(n)) for n in range(5)]
    check("five register: three confirmed, two waiting")
    assert kept(db, visit.id) == 3
    assert [o.status for o in outcomes].count(RegistrationStatus.WAITLISTED) == 2

    own_page.cancel(outcomes[0].manage_token)
    check("a confirmed attendee cancels; the first waiting is promoted")
    assert kept(db, visit.id) == 3

    attendees.move_to_waitlist(organiser, visit.slug, outcomes[1].registration_id,
                               reason="Swapped with a colleague")
    check("an organiser moves one back to the waiting list")
    assert kept(db, visit.id) == 3  # the freed place went to the next in line

    attendees.cancel_registration(organiser, visit.slug, outcomes[2].registration_id)
    check("an organiser cancels one")

    own_page.erase(outcomes[3].manage_token)
    check("an attendee erases their data")

    db.session.execute(update(Registration).where(Registration.visit_id == visit.id)
                       .values(status=RegistrationStatus.CONFIRMED))
    check("a bulk update outside any service")
    db.session.execute(delete(Registration).where(
        Registration.visit_id == visit.id, Registration.id == outcomes[4].registration_id))
    check("a row deleted outright")
    db.session.commit()
    assert kept(db, other.id) == 1


def test_approval_and_decline_are_counted(db, organiser):
    visit = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED, capacity=5,
                       registration_access=RegistrationAccess.APPROVAL)
    first, second = (registering.register(visit.slug, details(n)) for n in range(2))
    assert first.status is RegistrationStatus.PENDING_APPROVAL
    assert kept(db, visit.id) == 0

    attendees.approve(organiser, visit.slug, first.registration_id)
    attendees.decline(organiser, visit.slug, second.registration_id)

    assert kept(db, visit.id) == counted(db, visit.id) == 1


def test_a_rolled_back_change_leaves_the_count_as_it_was(db, organiser):
    visit = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED)
    make_registration(visit)
    db.session.execute(update(Registration).values(status=RegistrationStatus.CANCELLED))
    assert kept(db, visit.id) == 0  # inside the transaction
    db.session.rollback()
    assert kept(db, visit.id) == counted(db, visit.id) == 1


def test_the_row_goes_with_its_visit(db, organiser):
    visit = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED)
    make_registration(visit)
    visit_id = visit.id
    db.session.delete(visit)
    db.session.commit()
    assert kept(db, visit_id) is None


def test_a_visit_without_a_row_is_counted_the_long_way(db, organiser):
    visit = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED, capacity=10)
    make_registration(visit)
    make_registration(visit)
    db.session.execute(text("DELETE FROM visit_counts WHERE visit_id = :v"), {"v": visit.id})
    db.session.commit()

    assert capacity.confirmed_count(visit.id) == 2
    assert registration_common.places_left(visit) == 8
