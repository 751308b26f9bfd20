"""Check-in under real parallel requests (gunicorn, 4 processes x 4 threads) against the
configured database: the same person tapped in eight times at once by two organisers,
and twenty people checked in at once."""

from __future__ import annotations

import re

import requests
from sqlalchemy import func, select

from eventsapp.extensions import db
from eventsapp.registration.models import Registration
from eventsapp.visits.models import VisitStatus
from tests.live_server import csrf_token, fire_together, log_in
from tests.support import make_registration, make_user, make_visit

FLASH_RE = re.compile(r'<p class="flash[^"]*">(.*?)</p>', re.S)


def logged_in_cookies(server, email: str) -> requests.cookies.RequestsCookieJar:
    """Log in once through the form; the jobs share the session cookie (logging in per
    job would meet the login rate limit, which is not what is tested here)."""
    with requests.Session() as http:
        response = log_in(http, server, email, allow_redirects=False)
        assert response.status_code == 302, response.text[-500:]
        # The cookies themselves, with their domain: a job's session cookie, when the
        # server sends a new one (with its CSRF secret), then replaces this one.
        return http.cookies.copy()


def check_in_job(server, cookies, slug: str, registration_id: int):
    """GET the desk (for a CSRF token), wait for the others, then tap Check in."""
    desk = f"{server.url}/organiser/visits/{slug}/check-in"

    def job(barrier):
        with requests.Session() as http:
            http.cookies.update(cookies)
            page = http.get(desk, timeout=30)
            assert page.status_code == 200, page.text[-1000:]
            token = csrf_token(page.text)
            barrier.wait()
            return http.post(f"{desk}/{registration_id}", timeout=60,
                             data={"csrf_token": token})
    return job


def flash(response) -> str:
    return " ".join(FLASH_RE.findall(response.text))


def test_eight_taps_on_one_person_check_in_once(app, live_server, organiser):
    second = make_user(email="sam@example.org", name="Sam Second")
    visit = make_visit(organisers=[organiser, second], status=VisitStatus.PUBLISHED)
    ada = make_registration(visit, full_name="Ada Delegate")
    cookies = [logged_in_cookies(live_server, organiser.email),
               logged_in_cookies(live_server, second.email)]

    responses = fire_together([
        check_in_job(live_server, cookies[n % 2], visit.slug, ada.id) for n in range(8)
    ])

    assert [r.status_code for r in responses] == [200] * 8, live_server.log()[-3000:]
    db.session.rollback()  # see what the server committed
    row = db.session.get(Registration, ada.id)
    assert row.checked_in_at is not None
    assert row.checked_in_by_id in (organiser.id, second.id)
    first_by = "Olu Organiser" if row.checked_in_by_id == organiser.id else "Sam Second"
    messages = [flash(r) for r in responses]
    assert sum(m.startswith("Checked in Ada Delegate at ") for m in messages) == 1, messages
    already = [m for m in messages if "was already checked in" in m]
    assert len(already) == 7, messages
    # Everyone who came second was told the same first time and organiser.
    assert len(set(already)) == 1 and f"by {first_by}." in already[0]


def test_twenty_people_checked_in_at_once(app, live_server, organiser):
    visit = make_visit(organisers=[organiser], status=VisitStatus.PUBLISHED)
    people = [make_registration(visit) for _ in range(20)]
    make_registration(visit)  # one who has not arrived
    cookies = logged_in_cookies(live_server, organiser.email)

    responses = fire_together([
        check_in_job(live_server, cookies, visit.slug, person.id) for person in people
    ])

    assert [r.status_code for r in responses] == [200] * 20, live_server.log()[-3000:]
    assert all(flash(r).startswith("Checked in ") for r in responses)
    db.session.rollback()
    checked_in = db.session.scalar(
        select(func.count()).where(Registration.visit_id == visit.id,
                                   Registration.checked_in_at.is_not(None)))
    assert checked_in == 20
    counts = requests.get(f"{live_server.url}/organiser/visits/{visit.slug}/check-in/counts.json",
                          cookies=cookies, timeout=30)
    assert counts.json() == {"checked_in": 20, "confirmed": 21}
