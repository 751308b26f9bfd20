"""404 and 403 pages say what may have happened and offer the way on: the visit an
address is under, a lost private link, logging in, the list of visits."""

from __future__ import annotations

import html
import re

from eventsapp.visits.models import VisitStatus
from tests import support
from tests.conftest import login
from tests.support import page_text


def links_of(response) -> list[tuple[str, str]]:
    main = response.get_data(as_text=True).split("<main", 1)[1].split("</main>", 1)[0]
    return [(html.unescape(href), " ".join(html.unescape(label).split()))
            for href, label in re.findall(r'<a href="([^"]*)">(.*?)</a>', main, re.S)]


HOME = ("/", "Go to the list of visits")


def test_a_mistyped_address(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    text = page_text(response)
    assert "Page not found" in text
    assert "The address may be mistyped, or the page may have moved or been removed." in text
    assert links_of(response) == [HOME]


def test_under_a_published_visit_it_offers_the_visit(app, client):
    support.make_visit(slug="cic-stoke", title="Stoke delegation",
                         status=VisitStatus.PUBLISHED)
    response = client.get("/visits/cic-stoke/items/999.ics")
    assert response.status_code == 404
    assert "This page is not part of Stoke delegation, or no longer is" in page_text(response)
    assert links_of(response) == [("/visits/cic-stoke/", "Go to Stoke delegation"), HOME]


def test_an_item_id_beyond_any_row_is_a_404_with_the_way_on(app, client):
    support.make_visit(slug="cic-stoke", title="Stoke delegation",
                         status=VisitStatus.PUBLISHED)
    for item_id in (2**31, 2**63, 10**30):
        response = client.get(f"/visits/cic-stoke/items/{item_id}.ics")
        assert response.status_code == 404
        assert ("/visits/cic-stoke/", "Go to Stoke delegation") in links_of(response)


def test_under_a_draft_or_unknown_visit_it_does_not(app, client):
    support.make_visit(slug="secret-draft", title="Secret draft")
    for path in ("/visits/secret-draft/agenda.json", "/visits/secret-draft/",
                 "/visits/nobody/register"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Secret draft" not in response.get_data(as_text=True)
        assert links_of(response) == [HOME], path


def test_a_broken_private_link_offers_the_lost_link_page(client):
    response = client.get("/r/not-a-real-token")
    assert response.status_code == 404
    text = page_text(response)
    assert "This private link does not work. It may have been copied only in part" in text
    assert links_of(response) == [("/lost-link", "Lost your link? We can email it again"),
                                  HOME]


def test_an_unknown_organiser_page_offers_login_when_logged_out(client):
    response = client.get("/organiser/no-such-thing")
    assert response.status_code == 404
    assert links_of(response) == [("/login?next=/organiser/no-such-thing", "Log in"), HOME]


def test_403_for_a_member_in_the_organiser_area(app, client, member):
    login(client, member)
    response = client.get("/organiser/")
    assert response.status_code == 403
    text = page_text(response)
    assert "You may not see this page" in text
    assert ("You are logged in as member@example.org, and this page is not for that "
            "account. If you have another account, log out and log in with it.") in text
    assert links_of(response) == [HOME]
    assert "Log out" in response.get_data(as_text=True)  # the header's button


def test_403_for_an_organiser_in_the_member_area(app, organiser_client):
    response = organiser_client.get("/member/")
    assert response.status_code == 403
    assert "You are logged in as organiser@example.org" in page_text(response)
