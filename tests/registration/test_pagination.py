"""The organiser's registrations table comes in pages of 50, in queue order, at the
same cost in queries whatever the number of registrations."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

from eventsapp.extensions import db
from eventsapp.registration.models import Registration, RegistrationStatus
from eventsapp.registration.rules.common import new_registration
from tests.support import make_visit, page_text


def add_registrations(visit, count: int, waitlisted_from: int | None = None) -> None:
    """``count`` registrations in one commit, queued in order; from ``waitlisted_from``
    (1-based) on they wait."""
    start = datetime.now(UTC)
    for n in range(1, count + 1):
        waiting = waitlisted_from is not None and n >= waitlisted_from
        registration = new_registration(visit)
        registration.status = (RegistrationStatus.WAITLISTED if waiting
                               else RegistrationStatus.CONFIRMED)
        registration.full_name = f"Delegate {n:03d}"
        registration.email = registration.email_key = f"delegate{n}@example.org"
        registration.organisation = "Clayworks" if n % 10 == 0 else "Example Ltd"
        registration.queued_at = start + timedelta(seconds=n)
        db.session.add(registration)
    db.session.commit()


def names(response) -> list[str]:
    """Each row's name once (a row also names its person in its "Open" link)."""
    found = re.findall(r"Delegate \d{3}", response.get_data(as_text=True))
    return list(dict.fromkeys(found))


def test_pages_of_fifty_in_queue_order(organiser_client, organiser):
    visit = make_visit(organisers=[organiser])
    add_registrations(visit, 120, waitlisted_from=101)
    url = f"/organiser/visits/{visit.slug}/registrations"

    first = organiser_client.get(url)
    assert names(first) == [f"Delegate {n:03d}" for n in range(1, 51)]
    assert "Showing 1–50 of 120" in page_text(first)
    assert f'{url}?page=2" rel="next"' in first.get_data(as_text=True)

    last = organiser_client.get(url + "?page=3")
    assert names(last) == [f"Delegate {n:03d}" for n in range(101, 121)]
    assert "Showing 101–120 of 120" in page_text(last)
    assert "rel=\"next\"" not in last.get_data(as_text=True)
    # Places on the waiting list count everyone waiting, on any page.
    assert "Delegate 101 Example Ltd" in page_text(last)
    assert "Waiting list (position 1)" in page_text(last)
    assert "Waiting list (position 20)" in page_text(last)


def test_odd_page_numbers_show_a_real_page(organiser_client, organiser):
    visit = make_visit(organisers=[organiser])
    add_registrations(visit, 60)
    url = f"/organiser/visits/{visit.slug}/registrations"
    for value, expected_first in (("99", 51), ("0", 1), ("abc", 1), ("²", 1),
                                  ("9" * 40, 1), ("-1", 1)):
        answer = organiser_client.get(url, query_string={"page": value})
        assert answer.status_code == 200, value
        assert names(answer)[0] == f"Delegate {expected_first:03d}", value


def test_search_and_filter_are_kept_across_pages(organiser_client, organiser):
    visit = make_visit(organisers=[organiser])
    add_registrations(visit, 600)
    url = f"/organiser/visits/{visit.slug}/registrations"

    answer = organiser_client.get(url, query_string={"q": "clayworks", "status": "confirmed"})
    assert "Showing 1–50 of 60" in page_text(answer)
    assert names(answer)[:2] == ["Delegate 010", "Delegate 020"]
    page_two = re.search(r'href="([^"]*page=2[^"]*)"', answer.get_data(as_text=True)).group(1)
    assert "q=clayworks" in page_two and "status=confirmed" in page_two
    second = organiser_client.get(html.unescape(page_two))
    assert names(second) == ["Delegate 510", "Delegate 520", "Delegate 530", "Delegate 540",
                             "Delegate 550", "Delegate 560", "Delegate 570", "Delegate 580",
                             "Delegate 590", "Delegate 600"]


def test_a_page_costs_the_same_queries_for_60_and_2000(organiser_client, organiser,
                                                       count_queries):
    small = make_visit(organisers=[organiser], slug="small")
    large = make_visit(organisers=[organiser], slug="large")
    add_registrations(small, 60, waitlisted_from=41)
    add_registrations(large, 2000, waitlisted_from=80)
    counts = []
    for slug in ("small", "large"):
        organiser_client.get(f"/organiser/visits/{slug}/registrations")  # warm the login
        with count_queries() as counted:
            answer = organiser_client.get(f"/organiser/visits/{slug}/registrations?page=2")
        assert answer.status_code == 200
        assert len(names(answer)) == (10 if slug == "small" else 50)
        counts.append(counted.count)
    assert counts[0] == counts[1]
    assert db.session.scalar(db.select(db.func.count()).select_from(Registration)) == 2060
