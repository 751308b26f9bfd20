"""When registration is open: never after the visit ends, by default not after it starts,
the organisers' own closing time when earlier; when a visit starts and ends; publishing
a visit that is over; where the demo visit falls."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from eventsapp.agenda.models import ItemStatus
from eventsapp.demo.loading import demo_start
from eventsapp.registration.rules.common import Window, registration_closes_at, registration_window
from eventsapp.visits import rules as visits
from eventsapp.visits.models import VisitStatus
from eventsapp.visits.rules import visit_span
from tests.support import make_item, make_user, make_visit


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def visit(db):
    # 29–30 December 2026 in London (GMT, so local time is UTC).
    return make_visit(start_date=date(2026, 12, 29), end_date=date(2026, 12, 30),
                      status=VisitStatus.PUBLISHED)


# --- when a visit takes place ----------------------------------------------------------


def test_without_items_the_visit_runs_from_midnight_of_its_first_day_to_the_end_of_its_last(
        visit):
    span = visit_span(visit)
    assert span.starts_at == utc(2026, 12, 29, 0, 0)
    assert span.ends_at == utc(2026, 12, 31, 0, 0)


def test_the_span_is_taken_in_the_visits_own_zone(db):
    tokyo = make_visit(slug="tokyo", timezone="Asia/Tokyo", start_date=date(2026, 12, 29),
                       end_date=date(2026, 12, 29))
    span = visit_span(tokyo)
    assert span.starts_at == utc(2026, 12, 28, 15, 0)  # 00:00 JST
    assert span.ends_at == utc(2026, 12, 29, 15, 0)


def test_with_items_the_visit_runs_from_its_first_live_item_to_its_last(db, visit):
    make_item(visit, "09:30", "10:00", day=0)
    make_item(visit, "16:00", "17:15", day=1)
    make_item(visit, "07:00", "08:00", day=0, title="Cancelled breakfast",
              status=ItemStatus.CANCELLED)
    make_item(visit, "18:00", "23:00", day=1, title="Deleted dinner",
              deleted_at=utc(2026, 12, 1))
    db.session.expire(visit, ["items"])
    span = visit_span(visit)
    assert span == visits.VisitSpan(utc(2026, 12, 29, 9, 30), utc(2026, 12, 30, 17, 15))
    # The copy kept between requests carries the same span.
    assert visit_span(visits.snapshot(visit)) == span


# --- the registration window -------------------------------------------------------------


def test_registration_closes_when_the_visit_starts_by_default(db, visit):
    make_item(visit, "09:30", "17:00", day=0)
    db.session.expire(visit, ["items"])
    assert registration_closes_at(visit) == utc(2026, 12, 29, 9, 30)
    assert registration_window(visit, utc(2026, 12, 29, 9, 29))[0] is Window.OPEN
    window, message = registration_window(visit, utc(2026, 12, 29, 9, 30))
    assert window is Window.CLOSED
    assert message == "This visit is under way, so registration has closed."


def test_on_the_day_registration_stays_open_until_the_visit_ends(db, visit):
    make_item(visit, "09:30", "17:00", day=1)
    visit.registration_on_the_day = True
    db.session.commit()
    db.session.expire(visit, ["items"])
    assert registration_closes_at(visit) == utc(2026, 12, 30, 17, 0)
    assert registration_window(visit, utc(2026, 12, 30, 16, 59))[0] is Window.OPEN
    window, message = registration_window(visit, utc(2026, 12, 30, 17, 0))
    assert window is Window.CLOSED
    assert message == "This visit is over, so registration has closed."


def test_a_visit_that_is_over_is_closed_whatever_the_organisers_set(db, visit):
    visit.registration_on_the_day = True
    visit.registration_closes_at = utc(2027, 6, 1, 12, 0)  # after the visit
    db.session.commit()
    assert registration_closes_at(visit) == utc(2026, 12, 31, 0, 0)
    assert registration_window(visit, utc(2027, 1, 5))[0] is Window.CLOSED


def test_the_organisers_earlier_closing_time_still_applies(db, visit):
    visit.registration_closes_at = utc(2026, 12, 20, 17, 0)
    db.session.commit()
    assert registration_closes_at(visit) == utc(2026, 12, 20, 17, 0)
    window, message = registration_window(visit, utc(2026, 12, 21))
    assert (window, message) == (Window.CLOSED, "Registration for this visit has closed.")


def test_closed_wins_over_not_yet_open(db, visit):
    """An opening time set after the visit started never opens registration."""
    visit.registration_opens_at = utc(2026, 12, 29, 12, 0)
    db.session.commit()
    assert registration_window(visit, utc(2026, 12, 29, 11, 0))[0] is Window.CLOSED


# --- saving and publishing a visit whose dates are past --------------------------------------


def test_a_visit_that_is_over_gets_a_warning_one_to_come_does_not(visit):
    assert visits.past_dates_warning(visit, utc(2026, 12, 30, 23, 59)) is None
    warning = visits.past_dates_warning(visit, utc(2026, 12, 31, 0, 0))
    assert warning.startswith("The dates of “Regions and Clusters delegation” are in the past")


def test_publishing_a_visit_that_is_over_needs_confirming(db):
    organiser = make_user()
    past = make_visit(organisers=[organiser], start_date=date(2026, 1, 6),
                      end_date=date(2026, 1, 7))
    with pytest.raises(visits.PastVisitNotConfirmed, match="was not published"):
        visits.set_visit_status(organiser, past.slug, VisitStatus.PUBLISHED)
    db.session.expire_all()
    assert past.status is VisitStatus.DRAFT and past.first_published_at is None

    visits.set_visit_status(organiser, past.slug, VisitStatus.PUBLISHED, confirm_past=True)
    db.session.expire_all()
    assert past.status is VisitStatus.PUBLISHED


def test_publishing_a_visit_to_come_needs_no_confirmation(db):
    organiser = make_user()
    future = make_visit(organisers=[organiser])
    visits.set_visit_status(organiser, future.slug, VisitStatus.PUBLISHED)
    assert future.status is VisitStatus.PUBLISHED


# --- the demo's dates ------------------------------------------------------------------------


@pytest.mark.parametrize(("today", "starts"), [
    (date(2026, 12, 4), date(2026, 12, 29)),  # Fri; 21 days on is Christmas Day (Fri)
    (date(2026, 12, 8), date(2026, 12, 29)),  # Tue: exactly three weeks on
    (date(2026, 12, 9), date(2027, 1, 5)),  # Wed: the Tuesday three weeks on has gone
    (date(2026, 12, 14), date(2027, 1, 5)),  # Mon
    (date(2027, 2, 20), date(2027, 3, 16)),  # Sat, across the end of February
    (date(2028, 2, 8), date(2028, 2, 29)),  # a leap day
])
def test_the_demo_starts_on_the_first_tuesday_at_least_three_weeks_ahead(today, starts):
    assert demo_start(today) == starts
    assert starts.weekday() == 1
    assert timedelta(days=21) <= starts - today < timedelta(days=28)
