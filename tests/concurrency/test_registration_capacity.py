"""Capacity and waiting lists under real parallel requests (gunicorn, 4 processes x
4 threads) against the configured database: SQLite, or PostgreSQL in CI."""

from __future__ import annotations

import re

import requests
from sqlalchemy import func, select

from eventsapp.extensions import db
from eventsapp.mail.models import OutboxMessage
from eventsapp.registration.models import ItemSignup, Registration, RegistrationStatus, SignupStatus
from eventsapp.registration.rules import notices
from eventsapp.visits.models import VisitStatus
from tests.live_server import csrf_token, fire_together, register_job
from tests.support import make_item, make_visit

POSITION_RE = re.compile(r"position (\d+)")


def post_job(server, page: str, action: str):
    """GET the page (for its CSRF token), wait for the others, then POST the action."""
    def job(barrier):
        with requests.Session() as http:
            token = csrf_token(http.get(server.url + page, timeout=30).text)
            barrier.wait()
            return http.post(server.url + action, data={"csrf_token": token}, timeout=60)
    return job


def fresh() -> None:
    """End the test's own read transaction: on SQLite (WAL) a reader keeps the
    snapshot it started with and would not see what the server wrote since."""
    db.session.rollback()


def statuses(visit_id: int) -> dict[RegistrationStatus, int]:
    fresh()
    return dict(
        db.session.execute(
            select(Registration.status, func.count())
            .where(Registration.visit_id == visit_id)
            .group_by(Registration.status)
        ).all()
    )


def test_sixty_registrations_for_twenty_places(app, live_server, organiser):
    visit = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED, capacity=20)

    responses = fire_together([register_job(live_server, visit.slug, n) for n in range(60)])

    assert [r.status_code for r in responses] == [200] * 60, live_server.log()[-3000:]
    assert statuses(visit.id) == {
        RegistrationStatus.CONFIRMED: 20,
        RegistrationStatus.WAITLISTED: 40,
    }
    rows = db.session.scalars(
        select(Registration).where(Registration.visit_id == visit.id)
        .order_by(Registration.queued_at, Registration.id)
    ).all()
    confirmed = [r for r in rows if r.status is RegistrationStatus.CONFIRMED]
    waitlisted = [r for r in rows if r.status is RegistrationStatus.WAITLISTED]
    # Arrival order: everyone confirmed was served before everyone waitlisted, and the
    # queue order is the order in which the server took them.
    assert max(r.id for r in confirmed) < min(r.id for r in waitlisted)
    assert [r.id for r in waitlisted] == sorted(r.id for r in waitlisted)
    # Each waitlisted person was told a different position, 1 to 40.
    told = sorted(
        int(POSITION_RE.search(r.text).group(1)) for r in responses if "waiting list" in r.text
    )
    assert told == list(range(1, 41))
    # One confirmation or waiting-list email each.
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 60


def test_twenty_cancellations_each_free_place_goes_to_one_waiting_person(
    app, live_server, organiser
):
    visit = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED, capacity=20)
    fire_together([register_job(live_server, visit.slug, n) for n in range(40)])
    assert statuses(visit.id) == {
        RegistrationStatus.CONFIRMED: 20, RegistrationStatus.WAITLISTED: 20,
    }
    confirmed = db.session.scalars(
        select(Registration).where(
            Registration.visit_id == visit.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    ).all()
    waiting_ids = set(db.session.scalars(
        select(Registration.id).where(
            Registration.visit_id == visit.id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
    ))
    emails_before = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    jobs = []
    for registration in confirmed:
        token = notices.manage_token(registration)
        jobs.append(post_job(live_server, f"/r/{token}", f"/r/{token}/cancel"))

    responses = fire_together(jobs)

    assert all(r.status_code == 200 for r in responses), live_server.log()[-3000:]
    assert statuses(visit.id) == {
        RegistrationStatus.CONFIRMED: 20, RegistrationStatus.CANCELLED: 20,
    }
    now_confirmed = set(db.session.scalars(
        select(Registration.id).where(
            Registration.visit_id == visit.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    ))
    assert now_confirmed == waiting_ids
    promoted_mail = db.session.scalars(
        select(OutboxMessage.to).where(OutboxMessage.subject.like("A place is yours%"))
    ).all()
    assert len(promoted_mail) == 20 and len(set(promoted_mail)) == 20
    # 20 cancellation notes + 20 promotion notes, nothing more.
    total = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert total - emails_before == 40


def test_item_capacity_under_parallel_sign_ups_and_leaves(app, live_server, organiser):
    visit = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED)
    item = make_item(visit, "14:00", "15:00", title="Studio tour", capacity=20)
    fire_together([register_job(live_server, visit.slug, n) for n in range(60)])
    fresh()
    registrations = db.session.scalars(
        select(Registration).where(Registration.visit_id == visit.id)
    ).all()
    assert len(registrations) == 60
    tokens = {r.id: notices.manage_token(r) for r in registrations}

    responses = fire_together([
        post_job(live_server, f"/r/{t}", f"/r/{t}/items/{item.id}/signup")
        for t in tokens.values()
    ])

    assert all(r.status_code == 200 for r in responses), live_server.log()[-3000:]

    def signup_counts():
        fresh()
        return dict(db.session.execute(
            select(ItemSignup.status, func.count())
            .where(ItemSignup.item_id == item.id).group_by(ItemSignup.status)
        ).all())

    assert signup_counts() == {SignupStatus.CONFIRMED: 20, SignupStatus.WAITLISTED: 40}

    holders = db.session.scalars(
        select(ItemSignup.registration_id).where(
            ItemSignup.item_id == item.id, ItemSignup.status == SignupStatus.CONFIRMED
        )
    ).all()
    first_waiting = set(db.session.scalars(
        select(ItemSignup.registration_id)
        .where(ItemSignup.item_id == item.id, ItemSignup.status == SignupStatus.WAITLISTED)
        .order_by(ItemSignup.queued_at, ItemSignup.id).limit(20)
    ))

    responses = fire_together([
        post_job(live_server, f"/r/{tokens[rid]}", f"/r/{tokens[rid]}/items/{item.id}/leave")
        for rid in holders
    ])

    assert all(r.status_code == 200 for r in responses), live_server.log()[-3000:]
    assert signup_counts() == {
        SignupStatus.CONFIRMED: 20, SignupStatus.WAITLISTED: 20, SignupStatus.CANCELLED: 20,
    }
    now_holding = set(db.session.scalars(
        select(ItemSignup.registration_id).where(
            ItemSignup.item_id == item.id, ItemSignup.status == SignupStatus.CONFIRMED
        )
    ))
    assert now_holding == first_waiting
