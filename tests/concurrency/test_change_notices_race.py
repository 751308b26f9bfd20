"""Two workers send the change digests at the same moment (two threads, each with an
application context and so a database connection of its own, against the configured
database: SQLite or PostgreSQL): every person gets exactly one email per visit, and
every change is marked once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from eventsapp.changes.rules import notices as change_notices
from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.mail.models import OutboxMessage
from eventsapp.visits.models import NoticeState, VisitChange, VisitStatus
from tests.changes.support import DAY, move
from tests.live_server import fire_together
from tests.support import make_item, make_registration, make_visit

VISITS = 4
PEOPLE = 12
WORKERS = 3


def worker_job(app, run):
    def job(barrier):
        with app.app_context():
            barrier.wait()
            result = run()
            db.session.remove()
            return result
    return job


def build(organiser) -> list[str]:
    slugs = []
    for v in range(VISITS):
        visit = make_visit(organisers=[organiser], slug=f"visit-{v}", start_date=DAY,
                           status=VisitStatus.PUBLISHED)
        item = make_item(visit, "10:00", "11:00", title=f"Tour {v}")
        for n in range(PEOPLE):
            make_registration(visit, email=f"person{n}@example.org")
        move(organiser, item, "10:30", "11:30")
        move(organiser, item, "11:00", "12:00")
        slugs.append(visit.slug)
    db.session.commit()
    return slugs


def assert_each_person_told_once(slugs: list[str]) -> None:
    db.session.rollback()  # see what the workers committed
    messages = db.session.scalars(select(OutboxMessage)).all()
    sent = Counter((m.to, m.topic) for m in messages)
    assert len(sent) == VISITS * PEOPLE
    assert set(sent.values()) == {1}, [key for key, n in sent.items() if n > 1]
    states = db.session.execute(
        select(VisitChange.notice, func.count()).group_by(VisitChange.notice)).all()
    assert dict(states) == {NoticeState.SENT: VISITS * 2}


def test_workers_sending_due_digests_at_once_email_each_person_once(app, organiser):
    slugs = build(organiser)
    now = utcnow() + timedelta(minutes=11)

    results = fire_together([worker_job(app, lambda: change_notices.send_due(now))
                             for _ in range(WORKERS)])

    assert sum(r.visits for r in results) == VISITS
    assert sum(r.emails for r in results) == VISITS * PEOPLE
    assert_each_person_told_once(slugs)


def test_notify_now_racing_the_worker_emails_each_person_once(app, organiser):
    slugs = build(organiser)
    now = utcnow() + timedelta(minutes=11)

    def notify_all():
        user = db.session.merge(organiser, load=True)
        return [change_notices.notify_now(user, slug) for slug in slugs]

    fire_together([worker_job(app, lambda: change_notices.send_due(now)),
                   worker_job(app, notify_all), worker_job(app, notify_all)])

    assert_each_person_told_once(slugs)
