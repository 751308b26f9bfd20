"""Through nginx, across two app servers (deploy/cluster.sh): capacity under racing
requests, the rate limit counted once in Redis, public calendars cached by nginx and
fresh within their max-age, a server killed mid-storm, two outbox workers."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy import func, select

from eventsapp.agenda import rules as agenda
from eventsapp.agenda.models import ItemKind, ItemStatus
from eventsapp.extensions import db
from eventsapp.mail.models import OutboxMessage, OutboxStatus
from eventsapp.registration.models import Registration, RegistrationStatus
from eventsapp.showcase.models import BookingStatus, ShowcaseBooking
from eventsapp.visits.models import VisitStatus
from tests.cluster.conftest import CALENDAR_MAX_AGE, http_from
from tests.live_server import (
    booking_job,
    csrf_token,
    fire_together,
    register_job,
    registration_form,
)
from tests.support import (
    make_business,
    make_item,
    make_member,
    make_showcase,
    make_user,
    make_visit,
)


def statuses(visit_id: int) -> dict[RegistrationStatus, int]:
    db.session.rollback()  # see what the servers committed
    return dict(db.session.execute(
        select(Registration.status, func.count())
        .where(Registration.visit_id == visit_id).group_by(Registration.status)).all())


def organiser_and_visit(slug: str, **overrides):
    organiser = make_user(email=f"organiser@{slug}.example", name="Olu Organiser")
    return make_visit(organisers=[organiser], slug=slug, status=VisitStatus.PUBLISHED,
                      **overrides)


def test_sixty_registrations_for_twenty_places(cluster, cluster_app):
    visit = organiser_and_visit("race-places", capacity=20)
    path = f"/visits/{visit.slug}/register"

    responses = fire_together([register_job(cluster, visit.slug, n, session=http_from)
                               for n in range(60)])

    assert [r.status_code for r in responses] == [200] * 60, cluster.log()
    assert statuses(visit.id) == {RegistrationStatus.CONFIRMED: 20,
                                  RegistrationStatus.WAITLISTED: 40}
    assert sum("waiting list" in r.text for r in responses) == 40
    # Both app servers took part of the storm.
    served = [cluster.posts_served(port, path) for port in cluster.app_ports]
    assert sum(served) == 60 and min(served) > 0, served


def test_thirty_members_race_for_five_slots(cluster, cluster_app):
    visit = organiser_and_visit("race-slots")
    item = make_item(visit, "14:00", "15:36", kind=ItemKind.SHOWCASE, title="Member showcase")
    slots = make_showcase(item, slot_minutes=10, buffer_minutes=2,
                          requires_approval=False).slots
    raced = [slot.id for slot in slots[:5]]
    jobs = []
    for b in range(15):
        business = make_business(name=f"Race studio {b}", organisation=visit.organisation)
        for person in range(2):
            n = 2 * b + person
            member = make_member(business, email=f"p{n}@race-studio{b}.example")
            jobs.append(booking_job(cluster, member.email, raced[(b + person) % 5], n,
                                    session=http_from))

    responses = fire_together(jobs)

    db.session.rollback()
    bookings = db.session.scalars(
        select(ShowcaseBooking).where(ShowcaseBooking.visit_id == visit.id)).all()
    assert len(bookings) == 5
    assert {b.status for b in bookings} == {BookingStatus.APPROVED}
    assert sorted(b.slot_id for b in bookings) == sorted(raced)
    assert len({b.business_id for b in bookings}) == 5
    codes = collections.Counter(r.status_code for r in responses)
    assert codes == {200: 5, 409: 25}, (codes, cluster.log())


def test_registration_rate_limit_holds_across_both_servers(cluster, cluster_app):
    """The default limit, 10 per minute per address: the two servers (four processes)
    share one count in Redis, so exactly 10 of 16 POSTs from one address get through."""
    visit = organiser_and_visit("rate-limited")
    path = f"/visits/{visit.slug}/register"
    before = [cluster.posts_served(port, path) for port in cluster.app_ports]
    codes = []
    with http_from() as http:
        for n in range(16):
            token = csrf_token(http.get(cluster.url + path, timeout=30).text)
            codes.append(http.post(cluster.url + path, timeout=30,
                                   data=registration_form(1000 + n, token)).status_code)

    assert collections.Counter(codes) == {200: 10, 429: 6}, (codes, cluster.log())
    assert codes[:10] == [200] * 10
    served = [cluster.posts_served(port, path) - b for port, b in zip(cluster.app_ports, before,
                                                                      strict=True)]
    assert min(served) > 0, served  # both servers counted
    assert statuses(visit.id) == {RegistrationStatus.CONFIRMED: 10}


def sequence_of(body: str, uid: str) -> int:
    event = body.split(f"UID:{uid}", 1)[1].split("END:VEVENT", 1)[0]
    event = event.replace("\r\n ", "")
    return int(event.split("SEQUENCE:", 1)[1].split("\r\n", 1)[0])


def test_public_calendar_cached_by_nginx_and_fresh_within_max_age(cluster, cluster_app):
    visit = organiser_and_visit("cached-calendar")
    item = make_item(visit, "10:00", "11:00", title="Studio tour")
    organiser = visit.organisers[0]
    url = f"{cluster.url}/visits/{visit.slug}/agenda.ics"

    first = requests.get(url, timeout=30)
    second = requests.get(url, timeout=30)
    assert first.status_code == second.status_code == 200
    assert first.headers["X-Cache-Status"] == "MISS"
    assert second.headers["X-Cache-Status"] == "HIT"
    assert second.content == first.content
    assert first.headers["Cache-Control"].startswith(f"public, max-age={CALENDAR_MAX_AGE}")
    before = sequence_of(first.text, item.uid)
    # A visitor with a session is never served from the cache.
    with_session = requests.get(url, cookies={"session": "x"}, timeout=30)
    assert with_session.headers["X-Cache-Status"] == "BYPASS"

    agenda.set_item_status(organiser, visit.slug, item.id, ItemStatus.CANCELLED)
    edited = time.monotonic()

    # Until the copy is max-age old, nginx may still answer with it; by then, never.
    while True:
        response = requests.get(url, timeout=30)
        waited = time.monotonic() - edited
        if sequence_of(response.text, item.uid) > before:
            break
        assert waited < CALENDAR_MAX_AGE + 1.5, response.headers
        time.sleep(0.25)
    assert "STATUS:CANCELLED" in response.text
    assert response.headers["X-Cache-Status"] in {"EXPIRED", "REVALIDATED", "MISS", "UPDATING",
                                                  "HIT"}


def test_second_outbox_worker_each_message_delivered_once(cluster, cluster_app):
    env = {**cluster.env, "FLASK_APP": "eventsapp", "DATABASE_URL": cluster.database_uri,
           "PYTHONFAULTHANDLER": "1"}
    log_path = cluster.run_dir / "outbox-2.log"
    with log_path.open("wb") as log:
        second = subprocess.Popen(
            [str(Path(sys.executable).parent / "flask"), "outbox", "send", "--watch",
             "--interval", "0.2"],
            env=env, stdout=log, stderr=subprocess.STDOUT)
    cluster.extra.append(second)
    visit = organiser_and_visit("two-workers", capacity=100)
    fire_together([register_job(cluster, visit.slug, 2000 + n, session=http_from)
                   for n in range(40)])

    deadline = time.monotonic() + 60
    while True:
        db.session.rollback()
        waiting = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status != OutboxStatus.SENT))
        if waiting == 0:
            break
        assert time.monotonic() < deadline, cluster.log()
        time.sleep(0.2)
    time.sleep(0.5)  # the last SMTP transaction ends before its row is marked sent

    sent = db.session.scalars(select(OutboxMessage.to)).all()
    delivered = [message["To"] for message in cluster.inbox.messages]
    assert len(delivered) == len(sent)
    assert collections.Counter(delivered) == collections.Counter(sent)
    expected = {f"delegate{2000 + n}@example.org" for n in range(40)}
    ours = [to for to in delivered if to in expected]
    assert len(ours) == len(set(ours)) == 40
    second.terminate()
    second.wait(timeout=30)
    assert b"Sent" in log_path.read_bytes()  # the second worker took its share


def test_one_app_server_killed_mid_storm(cluster, cluster_app):
    """Runs last: it leaves one app server dead."""
    visit = organiser_and_visit("storm", capacity=500)
    path = f"/visits/{visit.slug}/register"
    answered: dict[int, requests.Response] = {}
    lock = threading.Lock()
    killed = threading.Event()

    def register(n: int):
        with http_from() as http:
            try:
                token = csrf_token(http.get(cluster.url + path, timeout=30).text)
                response = http.post(cluster.url + path, timeout=60,
                                     data=registration_form(3000 + n, token))
            except requests.RequestException as exc:
                return n, exc
        with lock:
            answered[n] = response
            if len(answered) == 30 and not killed.is_set():
                victim = cluster.pid(f"app-{cluster.app_ports[0]}")
                os.killpg(victim, signal.SIGKILL)  # the server and its workers, at once
                killed.set()
        return n, response

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(register, range(120)))

    assert killed.is_set()
    dead, survivor = cluster.app_ports
    served = {port: cluster.posts_served(port, path) for port in cluster.app_ports}
    # About half of the first 30 went to the server that was killed; the rest, all 90
    # sent after the kill, to the other.
    assert served[dead] <= 30 and served[survivor] >= 90, served
    failures = [(n, r) for n, r in results if not isinstance(r, requests.Response)]
    assert not failures, failures
    codes = collections.Counter(r.status_code for _, r in results)
    # Only a POST the dead server had already taken can fail (a 502): nginx never
    # repeats a POST; everything else went to the other server.
    assert codes[200] >= 120 - 2 and set(codes) <= {200, 502}, codes
    db.session.rollback()
    rows = db.session.scalars(select(Registration.email).where(
        Registration.visit_id == visit.id)).all()
    assert len(rows) == len(set(rows))  # none doubled
    ok = {f"delegate{3000 + n}@example.org" for n, r in results if r.status_code == 200}
    assert ok <= set(rows)  # every answered registration has its row
    print(f"\nkilled mid-storm: {dict(codes)}; rows {len(rows)}")
