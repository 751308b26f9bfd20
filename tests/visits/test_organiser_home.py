"""The organiser home groups visits (running now, upcoming, drafts, past and cancelled)
with each visit's counts, and a visit's page opens with what needs the organiser now.
Stored data in, rendered text out."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from eventsapp.agenda.models import ItemKind
from eventsapp.registration.models import RegistrationStatus as S
from eventsapp.visits.models import VisitStatus
from tests.support import (
    make_booking,
    make_business,
    make_item,
    make_registration,
    make_showcase,
    make_venue,
    make_visit,
)

TODAY = datetime.now(UTC).date()


def _text(markup: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


def _group(markup: str, key: str) -> str | None:
    """The text of one group of the home page, or None when it is not shown."""
    found = re.search(rf'<section class="visit-group" id="visits-{key}".*?</section>', markup, re.S)
    return _text(found.group(0)) if found else None


def _card(markup: str, visit) -> str:
    return _text(re.search(rf'<li class="card" id="visit-{visit.id}">.*?</ul>\s*</li>',
                           markup, re.S).group(0))


def _visit(organiser, slug, start_in_days, status=VisitStatus.PUBLISHED, days=2, **fields):
    start = TODAY + timedelta(days=start_in_days)
    return make_visit(organisers=[organiser], slug=slug, title=fields.pop("title", slug.title()),
                      start_date=start, end_date=start + timedelta(days=days - 1),
                      status=status, **fields)


@pytest.fixture
def visits(organiser):
    running = _visit(organiser, "running", -1, capacity=3, title="Stoke today")
    soon = _visit(organiser, "soon", 10, title="Leeds next week")
    later = _visit(organiser, "later", 40, capacity=50, title="Hull in spring")
    draft = _visit(organiser, "draft", 60, VisitStatus.DRAFT, title="Plans for Derby")
    past = _visit(organiser, "past", -30, title="Last year in Derby")
    cancelled = _visit(organiser, "called-off", 20, VisitStatus.CANCELLED, title="Called off")
    return running, soon, later, draft, past, cancelled


def test_the_home_groups_visits_and_leaves_out_empty_groups(organiser_client, organiser):
    upcoming = _visit(organiser, "soon", 10, title="Leeds next week")
    draft = _visit(organiser, "draft", 60, VisitStatus.DRAFT, title="Plans for Derby")

    markup = organiser_client.get("/organiser/").get_data(as_text=True)

    assert _group(markup, "upcoming").startswith("Upcoming (1) Leeds next week")
    assert _group(markup, "drafts").startswith("Drafts (1) Plans for Derby")
    assert _group(markup, "running") is None and _group(markup, "past") is None
    assert upcoming.title not in _group(markup, "drafts")
    assert draft.title not in _group(markup, "upcoming")


def test_each_group_holds_its_visits_in_order(organiser_client, visits):
    running, soon, later, draft, past, cancelled = visits

    markup = organiser_client.get("/organiser/").get_data(as_text=True)

    headings = re.findall(r'<h2 id="visits-[a-z]+-heading">([^<]+)', markup)
    assert [h.strip() for h in headings] == ["Running now", "Upcoming", "Drafts",
                                             "Past and cancelled"]
    assert "Stoke today" in _group(markup, "running")
    upcoming = _group(markup, "upcoming")
    assert upcoming.startswith("Upcoming (2)")
    assert upcoming.index("Leeds next week") < upcoming.index("Hull in spring")
    assert "Plans for Derby" in _group(markup, "drafts")
    past_group = _group(markup, "past")
    assert past_group.startswith("Past and cancelled (2)")
    # the cancelled one is later than last year's visit: most recent first
    assert past_group.index("Called off") < past_group.index("Last year in Derby")


def test_a_visit_that_ended_yesterday_in_its_own_zone_is_past(organiser_client, organiser):
    """'Today' is the visit's own date: far west of UTC, yesterday may still be running."""
    _visit(organiser, "ended", -1, days=1, timezone="Pacific/Kiritimati", title="Ended (+14)")
    _visit(organiser, "on", 0, days=1, timezone="Pacific/Kiritimati", title="Line Islands")

    markup = organiser_client.get("/organiser/").get_data(as_text=True)

    kiritimati_today = datetime.now(UTC).astimezone(
        __import__("zoneinfo").ZoneInfo("Pacific/Kiritimati")).date()
    if kiritimati_today == TODAY:
        assert "Ended (+14)" in _group(markup, "past")
        assert "Line Islands" in _group(markup, "running")
    else:  # Kiritimati is already on the next day: today's UTC date is over there
        assert "Line Islands" in _group(markup, "past")


def test_each_visit_shows_its_counts(organiser_client, visits):
    running, soon, *_ = visits
    for status in (S.CONFIRMED, S.CONFIRMED, S.WAITLISTED, S.PENDING_APPROVAL,
                   S.PENDING_APPROVAL, S.CANCELLED):
        make_registration(running, status=status)
    showcase = make_showcase(make_item(running, "13:00", "14:00", kind=ItemKind.SHOWCASE,
                                       title="Member showcase"))
    make_booking(showcase.slots[0], make_business(name="Saggar Lane"), status="pending")
    make_booking(showcase.slots[1], make_business(name="Marl Hill"), status="approved")
    make_registration(soon, email="only@example.org")

    markup = organiser_client.get("/organiser/").get_data(as_text=True)

    assert _card(markup, running).endswith(
        "2 confirmed of 3 places 1 waiting 2 awaiting approval 1 booking to decide")
    assert _card(markup, soon).endswith(
        "1 confirmed (no limit on places) 0 waiting 0 awaiting approval 0 bookings to decide")
    assert ('href="/organiser/visits/running/registrations?status=pending_approval">'
            "2 awaiting approval</a>") in markup
    assert 'href="/organiser/visits/running/showcases">1 booking to decide</a>' in markup


def test_the_counts_take_the_same_queries_for_few_visits_or_many(
        organiser_client, organiser, count_queries):
    def add_visits(prefix: str, count: int):
        for n in range(count):
            visit = _visit(organiser, f"{prefix}-{n}", 5 + n, capacity=10)
            make_registration(visit, email=f"a{n}@example.org")
            make_registration(visit, email=f"b{n}@example.org", status=S.PENDING_APPROVAL)

    def counted():
        with count_queries() as counter:
            assert organiser_client.get("/organiser/").status_code == 200
        return counter.count

    add_visits("few", 1)
    counted()  # the first visit makes the organiser's calendar feed
    add_visits("few-more", 1)
    few = counted()
    add_visits("many", 12)
    assert counted() == few
    # The user, the organisations they read, the visits, registrations by status, bookings
    # to decide, the organisation they work in.
    assert few <= 6


def test_no_visits_gives_a_way_to_create_one(organiser_client):
    markup = organiser_client.get("/organiser/").get_data(as_text=True)

    assert "No visits yet" in _text(markup)
    assert '<a class="button" href="/organiser/visits/new">Create a visit</a>' in markup
    assert "visit-group" not in markup


# --- a visit's page: what needs the organiser now ------------------------------------------


def _needs(markup: str) -> str:
    return _text(re.search(r'<section class="needs-now.*?</section>', markup, re.S).group(0))


def test_the_visit_page_opens_with_nothing_needs_you_now(organiser_client, organiser):
    visit = _visit(organiser, "calm", 10, capacity=20)
    make_item(visit, "09:00", "10:00", title="Welcome")
    make_registration(visit)

    markup = organiser_client.get("/organiser/visits/calm/").get_data(as_text=True)

    assert _needs(markup) == "Needs you now Nothing needs you now. 1 confirmed of 20 places."
    # it comes before the visit's details and actions
    assert markup.index('id="needs-you"') < markup.index('class="facts"')


def test_the_visit_page_lists_what_needs_the_organiser_with_links(organiser_client, organiser):
    visit = _visit(organiser, "busy", 10)
    make_registration(visit, status=S.PENDING_APPROVAL)
    make_registration(visit, status=S.PENDING_APPROVAL)
    make_registration(visit)
    planned = make_showcase(make_item(visit, "13:00", "14:00", kind=ItemKind.SHOWCASE,
                                      title="Afternoon showcase"))
    make_booking(planned.slots[0], make_business(name="Saggar Lane"), status="pending")
    bare = make_item(visit, "15:00", "16:00", kind=ItemKind.SHOWCASE, title="Late showcase")

    markup = organiser_client.get("/organiser/visits/busy/").get_data(as_text=True)
    needs = _needs(markup)

    assert needs == ("Needs you now 2 registrations awaiting approval "
                            "1 showcase booking to decide "
                            "Set the slots of the showcase “Late showcase” : members cannot book "
                            "it yet 1 confirmed, 2 awaiting approval.")
    assert "Afternoon showcase" not in needs  # it has its slots
    assert ('href="/organiser/visits/busy/registrations?status=pending_approval">'
            "2 registrations awaiting approval</a>") in markup
    assert 'href="/organiser/visits/busy/showcases">1 showcase booking to decide</a>' in markup
    assert f'href="/organiser/visits/busy/showcases/{bare.id}">Set the slots' in markup
    assert "Nothing needs you now" not in needs


def test_agenda_warnings_are_among_what_needs_the_organiser(organiser_client, organiser):
    from eventsapp.agenda.rules import agenda_warnings

    visit = _visit(organiser, "clash", 10)
    hall = make_venue(visit, name="Spode Works")
    make_item(visit, "09:00", "11:00", title="Long welcome", venue=hall)
    make_item(visit, "10:00", "12:00", title="Studio tour", venue=hall)
    warnings = agenda_warnings(visit)
    assert warnings, "two overlapping items should be a warning"

    markup = organiser_client.get("/organiser/visits/clash/").get_data(as_text=True)

    noun = "agenda warning" if len(warnings) == 1 else "agenda warnings"
    link = f'<a href="/organiser/visits/clash/agenda#warnings-heading">{len(warnings)} {noun}'
    assert f"{link} to check</a>" in markup
    # ... on the Agenda's own page, where they are listed
    agenda = organiser_client.get("/organiser/visits/clash/agenda").get_data(as_text=True)
    assert 'id="warnings-heading"' in agenda and "Things to check" in agenda
