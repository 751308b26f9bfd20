"""Reminders before a visit: who gets which, what they say (both parts), the .ics, the
settings page, the command, and two workers at once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from eventsapp.dbtypes import utcnow
from eventsapp.extensions import db
from eventsapp.mail.models import OutboxMessage
from eventsapp.messages.models import ReminderSent
from eventsapp.messages.rules import reminders
from eventsapp.registration.models import ItemSignup, RegistrationStatus, SignupStatus
from eventsapp.registration.rules import notices
from eventsapp.visits.models import VisitStatus
from tests.live_server import fire_together
from tests.mail.smtp import attachment_names, deliver_all, parts
from tests.support import local, make_item, make_registration, make_venue, make_visit

DAY = timedelta(days=1)


def build(organiser, people: int = 3):
    visit = make_visit(organisers=[organiser], slug="stoke", status=VisitStatus.PUBLISHED)
    venue = make_venue(visit, name="Spode Works", address="Elenora Street, ST4 1QQ")
    make_item(visit, "09:30", "10:30", title="Welcome breakfast", venue=venue)
    tour = make_item(visit, "11:00", "12:00", title="Kiln tour", capacity=5, venue=venue)
    make_item(visit, "10:00", "11:00", day=1, title="Makers' panel", venue=venue)
    confirmed = [make_registration(visit, email=f"p{n}@example.org", full_name=f"Person {n}")
                 for n in range(people)]
    make_registration(visit, email="wait@example.org", status=RegistrationStatus.WAITLISTED)
    make_registration(visit, email="gone@example.org", status=RegistrationStatus.CANCELLED)
    db.session.add(ItemSignup(item_id=tour.id, registration_id=confirmed[0].id,
                              status=SignupStatus.CONFIRMED))
    db.session.commit()
    return visit, confirmed


def begins(visit):
    return local(visit, 0, "09:30")


def test_seven_days_before_each_confirmed_person_gets_their_itinerary(app, organiser):
    visit, confirmed = build(organiser)
    now = begins(visit) - 7 * DAY + timedelta(hours=1)

    result = reminders.send_due(now)

    assert (result.visits, result.emails) == (1, 3)
    received = {m["To"]: m for m in deliver_all()}
    assert sorted(received) == ["p0@example.org", "p1@example.org", "p2@example.org"]
    first = received["p0@example.org"]
    assert first["Subject"] == "Reminder: Regions and Clusters delegation starts in 7 days"
    text, html = parts(first)
    for part in (text, html):
        assert "Person 0" in part
        assert "Welcome breakfast" in part
        assert "09:30–10:30 GMT" in part  # the first item's time, in the visit's zone
        assert "Spode Works, Elenora Street, ST4 1QQ" in part
        assert "Kiln tour" in part
        assert ("Makers' panel" if part is text else "Makers&#39; panel") in part
        assert "/r/" + notices.manage_token(confirmed[0]) in part
        assert "/feeds/" + notices.feed_token(confirmed[0]) + ".ics" in part
    assert "Kiln tour" not in parts(received["p1@example.org"])[0]  # not signed up
    assert attachment_names(first) == ["stoke-my-agenda.ics"]
    # Once per person: a second run, even later the same day, sends nothing.
    assert reminders.send_due(now + timedelta(hours=5)).emails == 0


def test_next_reminder_only_and_none_once_begun(app, organiser):
    visit, confirmed = build(organiser, people=1)
    late = make_registration(visit, email="late@example.org",
                             created_at=begins(visit) - 5 * DAY)
    db.session.commit()

    assert reminders.send_due(begins(visit) - 7 * DAY + timedelta(hours=1)).emails == 1
    # Registered after the 7-day reminder's moment: they had their confirmation, and
    # get the 1-day reminder only; so does everyone else.
    assert reminders.send_due(begins(visit) - 3 * DAY).emails == 0
    assert reminders.send_due(begins(visit) - DAY + timedelta(minutes=1)).emails == 2
    sent = db.session.execute(select(ReminderSent.registration_id, ReminderSent.days_before)
                              ).all()
    assert sorted(sent) == sorted([(confirmed[0].id, 7), (confirmed[0].id, 1), (late.id, 1)])
    subjects = {m.subject for m in db.session.scalars(select(OutboxMessage))}
    assert "Reminder: Regions and Clusters delegation starts tomorrow" in subjects
    # A new registration just before the start: nothing once the visit has begun.
    make_registration(visit, email="door@example.org", created_at=begins(visit) - 3 * DAY)
    assert reminders.send_due(begins(visit) + timedelta(minutes=1)).emails == 0


def test_a_stopped_worker_sends_the_latest_reminder_not_every_one(app, organiser):
    visit, _ = build(organiser, people=2)
    assert reminders.send_due(begins(visit) - DAY + timedelta(hours=2)).emails == 2
    assert {m.subject for m in db.session.scalars(select(OutboxMessage))} == {
        "Reminder: Regions and Clusters delegation starts tomorrow"}


def test_organiser_changes_the_reminders(organiser_client, organiser):
    visit, _ = build(organiser, people=1)
    page = organiser_client.get("/organiser/visits/stoke/reminders").get_data(as_text=True)
    assert 'value="7, 1"' in page

    bad = organiser_client.post("/organiser/visits/stoke/reminders",
                                data={"enabled": "y", "days_before": "3, soon"})
    assert bad.status_code == 422
    assert "“soon” is not a number of days from 1 to 60." in bad.get_data(as_text=True)

    saved = organiser_client.post("/organiser/visits/stoke/reminders",
                                  data={"enabled": "y", "days_before": "3"})
    assert saved.status_code == 303
    assert reminders.send_due(begins(visit) - 7 * DAY + timedelta(hours=1)).emails == 0
    assert reminders.send_due(begins(visit) - 3 * DAY + timedelta(hours=1)).emails == 1
    listing = organiser_client.get("/organiser/visits/stoke/messages").get_data(as_text=True)
    assert "3 days before the visit" in listing

    organiser_client.post("/organiser/visits/stoke/reminders", data={"days_before": "1"})
    assert reminders.send_due(begins(visit) - DAY + timedelta(hours=1)).emails == 0
    assert "No reminders are sent for this visit." in organiser_client.get(
        "/organiser/visits/stoke/messages").get_data(as_text=True)


def test_the_command_queues_due_reminders(app, organiser):
    # Six days from today: the 7-day reminder is due now, whatever the time of day.
    visit = make_visit(organisers=[organiser], slug="soon", status=VisitStatus.PUBLISHED,
                       start_date=utcnow().date() + 6 * DAY)
    make_item(visit, "09:30", "10:30")
    make_registration(visit, email="soon@example.org", created_at=utcnow() - 10 * DAY)
    runner = app.test_cli_runner()

    result = runner.invoke(args=["messages", "send-reminders"])

    assert result.exit_code == 0, result.output
    assert "Reminders: 1 email queued for 1 visit." in result.output
    assert "Reminders: 0 emails queued" in runner.invoke(
        args=["messages", "send-reminders"]).output


def test_two_workers_at_once_remind_each_person_exactly_once(app, organiser):
    visits = []
    for v in range(3):
        visit = make_visit(organisers=[organiser], slug=f"visit-{v}",
                           status=VisitStatus.PUBLISHED)
        make_item(visit, "09:30", "10:30")
        for n in range(15):
            make_registration(visit, email=f"person{n}@v{v}.example.org")
        visits.append(visit)
    now = begins(visits[0]) - 7 * DAY + timedelta(hours=1)

    def worker(barrier):
        with app.app_context():
            barrier.wait()
            result = reminders.send_due(now)
            db.session.remove()
            return result

    results = fire_together([worker, worker, worker])

    assert sum(r.emails for r in results) == 45
    db.session.rollback()
    sent = Counter(m.to for m in db.session.scalars(select(OutboxMessage)))
    assert len(sent) == 45 and set(sent.values()) == {1}
    assert len(db.session.scalars(select(ReminderSent)).all()) == 45
