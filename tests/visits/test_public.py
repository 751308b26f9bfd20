"""The public pages: the list of visits and a visit's agenda, as a visitor sees them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from eventsapp.agenda import rules as agenda
from eventsapp.agenda.models import AgendaItem, ItemKind, ItemStatus
from eventsapp.agenda.rules import ItemInput
from eventsapp.extensions import db
from eventsapp.visits.models import VisitStatus
from tests import support
from tests.support import make_item, make_items, make_venue, make_visit

SUMMER = date(2027, 7, 14)


def page_text(markup: str) -> str:
    # "09:00 – 10:00" is one time range to a reader; the assertions spell it "09:00–10:00".
    return support.page_text(markup).replace(" – ", "–")


def get_page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def day_text(markup: str, heading: str) -> str:
    """The text of the agenda day whose heading starts with ``heading``."""
    for chunk in markup.split('<section class="agenda-day"')[1:]:
        text = page_text(chunk.split("</section>", 1)[0].split(">", 1)[1])
        if text.startswith(heading):
            return text
    raise AssertionError(f"no agenda day headed {heading!r}")


# --- the list of visits ----------------------------------------------------------------------


def test_index_lists_published_upcoming_visits_only(client):
    today = datetime.now(UTC).date()
    make_visit(slug="stoke", title="Stoke-on-Trent visit", city="Stoke-on-Trent",
               host="Platform Stoke", status=VisitStatus.PUBLISHED,
               start_date=today + timedelta(days=30), end_date=today + timedelta(days=31),
               summary="Ceramics, games and the Spode Works.")
    make_visit(slug="hull", title="Hull visit", city="Hull", status=VisitStatus.PUBLISHED,
               start_date=today + timedelta(days=10))
    make_visit(slug="draft", title="Draft visit", status=VisitStatus.DRAFT)
    make_visit(slug="past", title="Past visit", status=VisitStatus.PUBLISHED,
               start_date=today - timedelta(days=10))
    make_visit(slug="off", title="Cancelled visit", status=VisitStatus.CANCELLED)

    markup = get_page(client, "/")
    text = page_text(markup)

    assert "Hull visit" in text and "Stoke-on-Trent visit" in text
    assert text.index("Hull visit") < text.index("Stoke-on-Trent visit")  # soonest first
    for hidden in ("Draft visit", "Past visit", "Cancelled visit"):
        assert hidden not in text
    assert 'href="/visits/stoke/"' in markup
    assert "City Stoke-on-Trent" in text
    assert "Hosted by Platform Stoke" in text
    start = today + timedelta(days=30)
    assert f"{start.day}" in text and f"{start:%B}" in text
    assert "Ceramics, games and the Spode Works." in text


def test_index_says_so_when_nothing_is_published(client):
    make_visit(slug="draft", title="Draft visit")

    text = page_text(get_page(client, "/"))

    assert "No visits are published at the moment" in text
    assert "Draft visit" not in text


# --- a visit's page ----------------------------------------------------------------------------


@pytest.fixture
def stoke(app):
    visit = make_visit(slug="stoke", title="Regions and Clusters: Stoke-on-Trent",
                       city="Stoke-on-Trent", host="Platform Stoke",
                       status=VisitStatus.PUBLISHED, start_date=SUMMER,
                       end_date=SUMMER + timedelta(days=1),
                       summary="Two days with the ceramics and games cluster.")
    works = make_venue(visit, name="Spode Works", address="Elenora Street, Stoke ST4 1QQ",
                       access_notes="Step-free entrance on Elenora Street.")
    station = make_venue(visit, name="Fire Station", address="Hanley", latitude=53.024,
                         longitude=-2.175)
    make_item(visit, "09:30", "10:15", title="Welcome and introductions", venue_id=works.id,
              hosts="Ada Lovelace\nBob Baker", description="Coffee from 09:15.",
              kind=ItemKind.TALK)
    make_item(visit, "10:30", "12:00", title="Studio tour", venue_id=works.id,
              kind=ItemKind.TOUR, capacity=20)
    make_item(visit, "14:00", "15:00", title="Called-off panel", venue_id=station.id,
              kind=ItemKind.PANEL, status=ItemStatus.CANCELLED, sequence=1)
    make_item(visit, "15:00", "16:00", title="Deleted session", status=ItemStatus.CANCELLED,
              deleted_at=datetime.now(UTC))
    make_item(visit, "10:00", "11:00", day=1, title="Games showcase", venue_id=station.id,
              kind=ItemKind.SHOWCASE)
    return visit


def test_visit_page_shows_the_visit_and_its_agenda(client, stoke):
    markup = get_page(client, "/visits/stoke/")
    text = page_text(markup)

    assert "<h1>Regions and Clusters: Stoke-on-Trent</h1>" in markup
    assert "City Stoke-on-Trent" in text and "Hosted by Platform Stoke" in text
    assert "14–15 July 2027" in text
    assert "Two days with the ceramics and games cluster." in text
    assert "Times are shown in Europe/London time" in text

    wednesday = day_text(markup, "Wednesday 14 July 2027")
    assert "09:30–10:15 BST Talk Welcome and introductions" in wednesday
    assert "At Spode Works · With Ada Lovelace, Bob Baker" in wednesday
    assert "Coffee from 09:15." in wednesday
    assert "10:30–12:00 BST Tour Studio tour" in wednesday
    assert "Limited to 20 places" in wednesday
    assert "Games showcase" not in wednesday
    assert "10:00–11:00 BST Showcase Games showcase" in day_text(markup, "Thursday 15 July")
    assert "Deleted session" not in text

    assert '<time datetime="2027-07-14T09:30:00+01:00">09:30</time>' in markup
    assert '<time datetime="2027-07-14T10:15:00+01:00">10:15</time>' in markup
    assert '<time datetime="2027-07-14">Wednesday 14 July 2027</time>' in markup
    assert re.search(r"<ol class=\"agenda\">", markup)


def test_cancelled_item_is_struck_through_and_labelled(client, stoke):
    markup = get_page(client, "/visits/stoke/")

    cancelled = re.search(r'<li class="([^"]*)"[^>]*>(?:(?!</li>).)*Called-off panel',
                          markup, re.S)
    assert cancelled and "is-cancelled" in cancelled.group(1).split()
    assert "14:00–15:00 BST Panel Cancelled Called-off panel" in page_text(markup)
    kept = re.search(r'<li class="([^"]*)"[^>]*>(?:(?!</li>).)*Studio tour', markup, re.S)
    assert "is-cancelled" not in kept.group(1).split()


def test_venues_are_listed_with_address_access_and_a_map_link(client, stoke):
    markup = get_page(client, "/visits/stoke/")
    text = page_text(markup)
    works = next(v for v in stoke.venues if v.name == "Spode Works")

    venues = text[text.index("Venues"):]
    assert "Spode Works Elenora Street, Stoke ST4 1QQ" in venues
    assert "Access: Step-free entrance on Elenora Street." in venues
    assert f'id="venue-{works.id}"' in markup
    assert f'<a href="#venue-{works.id}">Spode Works</a>' in markup
    assert re.search(
        r'<a href="https://www\.openstreetmap\.org/search\?query=Spode\+Works%2C\+Elenora'
        r'\+Street%2C\+Stoke\+ST4\+1QQ"[^>]*>Map of Spode Works</a>', markup)
    assert re.search(
        r'<a href="https://www\.openstreetmap\.org/\?mlat=53\.024000&amp;mlon=-2\.175000'
        r'#map=17/53\.024000/-2\.175000"[^>]*>Map of Fire Station</a>', markup)


def test_visit_page_has_no_inline_script_and_escapes_what_organisers_type(client, stoke):
    make_item(stoke, "17:00", "18:00", title="<script>alert(1)</script>")

    markup = get_page(client, "/visits/stoke/")

    assert re.findall(r"<script(?![^>]*\bsrc=)", markup) == []
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup


def test_a_cancelled_visit_keeps_its_page_with_a_banner(client, stoke):
    stoke.status = VisitStatus.CANCELLED
    from eventsapp.extensions import db

    db.session.commit()

    text = page_text(get_page(client, "/visits/stoke/"))

    assert "This visit has been cancelled." in text
    assert "Welcome and introductions" in text


def test_a_published_visit_has_no_cancelled_banner(client, stoke):
    assert "has been cancelled" not in page_text(get_page(client, "/visits/stoke/"))


def test_a_visit_without_items_says_so_for_each_day(client):
    make_visit(slug="empty", status=VisitStatus.PUBLISHED, start_date=SUMMER)

    text = page_text(get_page(client, "/visits/empty/"))

    assert text.count("Nothing is on the agenda for this day yet.") == 2
    assert "Venues" not in text


def test_a_draft_visit_is_not_found(client):
    make_visit(slug="draft", status=VisitStatus.DRAFT)

    response = client.get("/visits/draft/")

    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_an_unknown_visit_is_not_found(client):
    assert client.get("/visits/no-such-visit/").status_code == 404


def test_the_page_costs_the_same_queries_for_5_and_200_items(client, count_queries):
    small = make_visit(slug="small", status=VisitStatus.PUBLISHED, start_date=SUMMER)
    large = make_visit(slug="large", status=VisitStatus.PUBLISHED, start_date=SUMMER)
    for visit, count in ((small, 5), (large, 200)):
        first, second = make_venue(visit, name="Spode Works"), make_venue(visit, name="Station")
        make_items(visit, count // 2, venue=first)
        make_items(visit, count - count // 2, venue=second, capacity=10,
                   status=ItemStatus.CANCELLED)

    counts = {}
    for slug in ("small", "large"):
        with count_queries() as cold:  # the agenda is rendered from the database
            page = get_page(client, f"/visits/{slug}/")
        with count_queries() as warm:  # the agenda's HTML comes from the cache
            again = get_page(client, f"/visits/{slug}/")
        assert again == page
        counts[slug] = (cold.count, warm.count, page.count('class="agenda-item'))
        assert warm.count <= 2, warm.statements
        assert cold.count <= 7, cold.statements

    assert counts["small"][2] == 5
    assert counts["large"][2] == 200
    assert counts["small"][:2] == counts["large"][:2]


def test_an_edit_shows_on_the_page_at_once(client, organiser):
    visit = make_visit(slug="edited", status=VisitStatus.PUBLISHED, start_date=SUMMER,
                       organisers=[organiser])
    item = make_items(visit, 3)[0]
    assert "Studio tour" not in get_page(client, "/visits/edited/")

    item.title = "Studio tour"
    db.session.commit()

    assert "Studio tour" in get_page(client, "/visits/edited/")


def test_healthz_reports_the_database_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


# --- across the end of British Summer Time -------------------------------------------------------


def test_a_visit_across_the_end_of_british_summer_time(client, db, organiser):
    # Clocks go back at 02:00 BST on Sunday 25 October 2026.
    make_visit(organisers=[organiser], slug="autumn", status=VisitStatus.PUBLISHED,
               start_date=date(2026, 10, 24), end_date=date(2026, 10, 25))

    def add(day: int, start: tuple[int, int], end: tuple[int, int], title: str) -> AgendaItem:
        return agenda.add_item(organiser, "autumn", ItemInput(
            kind=ItemKind.TALK, title=title,
            starts_local=datetime(2026, 10, day, *start),  # noqa: DTZ001 - wall time
            ends_local=datetime(2026, 10, day, *end)))  # noqa: DTZ001

    saturday = add(24, (10, 0), (11, 0), "Saturday talk")
    sunday = add(25, (10, 0), (11, 0), "Sunday talk")
    night = add(25, (1, 30), (1, 45), "Night walk")  # 01:30 happens twice that night

    db.session.expire_all()
    saturday, sunday, night = (db.session.get(AgendaItem, i.id) for i in (saturday, sunday, night))
    assert saturday.starts_at == datetime(2026, 10, 24, 9, 0, tzinfo=UTC)
    assert sunday.starts_at == datetime(2026, 10, 25, 10, 0, tzinfo=UTC)
    assert night.starts_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # the first 01:30

    markup = get_page(client, "/visits/autumn/")

    assert "10:00–11:00 BST Talk Saturday talk" in day_text(markup, "Saturday 24 October")
    sunday_text = day_text(markup, "Sunday 25 October")
    assert "10:00–11:00 GMT Talk Sunday talk" in sunday_text
    assert "01:30–01:45 BST Talk Night walk" in sunday_text
    assert sunday_text.index("Night walk") < sunday_text.index("Sunday talk")
    assert '<time datetime="2026-10-24T10:00:00+01:00">10:00</time>' in markup
    assert '<time datetime="2026-10-25T10:00:00+00:00">10:00</time>' in markup
    assert '<time datetime="2026-10-25T01:30:00+01:00">01:30</time>' in markup
