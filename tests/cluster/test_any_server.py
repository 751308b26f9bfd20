"""Nothing depends on which app server answers: a login, its form tokens and its end
(logging out ends every copy of the session), and the content built once per version,
kept in Redis. Every request goes through nginx; which server answered it is read from
the servers' access logs, where each request carries a marker of its own."""

from __future__ import annotations

import time
import uuid

import requests
from sqlalchemy import select

from eventsapp.accounts.models import User
from eventsapp.agenda import rules as agenda
from eventsapp.agenda.models import ItemStatus
from eventsapp.extensions import db
from eventsapp.visits.models import Venue, Visit, VisitStatus
from tests.cluster.conftest import client_address, http_from
from tests.live_server import csrf_token
from tests.support import PASSWORD, make_item, make_user, make_visit

TRIES = 12  # nginx alternates between the two servers: one of these lands on each


def marked(path: str) -> tuple[str, str]:
    marker = f"probe={uuid.uuid4().hex}"
    return f"{path}{'&' if '?' in path else '?'}{marker}", marker


def get_on(cluster, http: requests.Session, path: str, port: int,
           **options) -> requests.Response:
    """GET path through nginx until the app server on `port` is the one answering."""
    for _ in range(TRIES):
        url, marker = marked(path)
        response = http.get(cluster.url + url, timeout=30, **options)
        if cluster.served_by(marker) == port:
            return response
    raise AssertionError(f"nginx never sent {path} to {port} in {TRIES} requests")


def post(cluster, http: requests.Session, path: str, data: dict) -> tuple[requests.Response,
                                                                          int]:
    """POST through nginx (never repeated by nginx); the answer and the server's port."""
    url, marker = marked(path)
    response = http.post(cluster.url + url, data=data, timeout=30, allow_redirects=False)
    return response, cluster.served_by(marker)


def on_each_server(cluster, send) -> list[tuple[int, requests.Response]]:
    """``send(url)`` through nginx until each app server has answered at least once;
    every answer, with the port of the server that gave it."""
    answers = []
    for _ in range(TRIES):
        url, marker = marked("")
        response = send(url)
        answers.append((cluster.served_by(marker), response))
        if {port for port, _ in answers} == set(cluster.app_ports):
            return answers
    raise AssertionError(f"nginx sent all {TRIES} requests to one server")


def venue_names(visit_id: int) -> set[str]:
    db.session.rollback()  # see what the servers committed
    return set(db.session.scalars(select(Venue.name).where(Venue.visit_id == visit_id)))


def test_a_login_holds_on_either_server_until_it_logs_out(cluster, cluster_app):
    organiser = make_user(email="olu@any-server.example", name="Olu Organiser")
    visit = make_visit(organisers=[organiser], slug="any-server", title="Any server visit",
                       status=VisitStatus.PUBLISHED)
    first, second = cluster.app_ports
    # One browser: Flask-Login's strong session protection ties a session to the
    # client's address and browser, so a copy of the cookie is used from the same.
    address = client_address()
    browser = http_from(address)

    login_page = browser.get(cluster.url + "/login", timeout=30)
    answer, _ = post(cluster, browser, "/login", {
        "csrf_token": csrf_token(login_page.text), "email": organiser.email,
        "password": PASSWORD})
    assert answer.status_code == 302, answer.text
    assert answer.headers["Location"].endswith("/organiser/")

    # Logged in whichever server answers, with the browser's cookie or a copy of it.
    copy = http_from(address)
    copy.cookies.update(browser.cookies)
    for http in (browser, copy):
        for port, page in on_each_server(cluster, lambda query, http=http: http.get(
                f"{cluster.url}/organiser/{query}", timeout=30, allow_redirects=False)):
            assert page.status_code == 200, (port, page.status_code, page.headers)
            assert "Any server visit" in page.text and "Log out" in page.text

    # A form token made by one server is accepted by the other, both ways round. A POST
    # nginx happens to send to the server that made the token is fine too: it is kept.
    form_path = f"/organiser/visits/{visit.slug}/venues/new"
    crossed: set[tuple[int, int]] = set()
    posted: dict[str, int] = {}
    for issuer in (first, second, first, second, first, second):
        if {(first, second), (second, first)} <= crossed:
            break
        token = csrf_token(get_on(cluster, browser, form_path, issuer).text)
        name = f"Hall {len(posted) + 1}, token from {issuer}"
        answer, receiver = post(cluster, browser, form_path,
                                {"csrf_token": token, "name": name, "address": "1 Dock Road"})
        assert answer.status_code == 302, (issuer, receiver, answer.status_code)
        assert f"/organiser/visits/{visit.slug}/#venue-" in answer.headers["Location"]
        posted[name] = receiver
        if receiver != issuer:
            crossed.add((issuer, receiver))
    assert crossed == {(first, second), (second, first)}, posted
    assert venue_names(visit.id) == set(posted)

    # The tokens are checked all the same: a forged one is refused by either server.
    for port in (first, second):
        for _ in range(TRIES):
            answer, receiver = post(cluster, browser, form_path, {
                "csrf_token": "forged." + uuid.uuid4().hex, "name": f"Forged on {port}"})
            assert answer.status_code == 400 and "The form had expired" in answer.text
            if receiver == port:
                break
        else:
            raise AssertionError(f"no forged POST reached {port}")
    assert venue_names(visit.id) == set(posted)

    # Logging out on one server ends the session everywhere: the cookie as it was
    # before, replayed, is refused by both servers, the one that did not log it out too.
    token = csrf_token(get_on(cluster, browser, "/organiser/", first).text)
    before_logout = browser.cookies.copy()
    answer, logged_out_on = post(cluster, browser, "/logout", {"csrf_token": token})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/")
    db.session.rollback()
    assert db.session.get(User, organiser.id).session_version == 1

    assert logged_out_on in cluster.app_ports

    def replayed() -> requests.Session:
        replay = http_from(address)
        replay.cookies.update(before_logout)
        return replay

    refused = on_each_server(cluster, lambda query: replayed().get(
        f"{cluster.url}/organiser/{query}", timeout=30, allow_redirects=False))
    # The logout's own form token is still good for that cookie: the login is not.
    refused += on_each_server(cluster, lambda query: replayed().post(
        f"{cluster.url}{form_path}{query}", timeout=30, allow_redirects=False,
        data={"csrf_token": token, "name": "Too late"}))
    for port, answer in refused:
        assert answer.status_code == 302, (port, answer.status_code)
        assert "/login?next=" in answer.headers["Location"], (port, answer.headers)
    assert "Too late" not in venue_names(visit.id)

    # A new login works on both again.
    login_page = browser.get(cluster.url + "/login", timeout=30)
    answer, _ = post(cluster, browser, "/login", {
        "csrf_token": csrf_token(login_page.text), "email": organiser.email,
        "password": PASSWORD})
    assert answer.status_code == 302
    for port, page in on_each_server(cluster, lambda query: browser.get(
            f"{cluster.url}/organiser/{query}", timeout=30, allow_redirects=False)):
        assert page.status_code == 200, port


def cache_keys(cache_store, cluster, visit_id: int) -> dict[bytes, int]:
    """The visit's entries in the content cache (this run's prefix), with the
    milliseconds each has left to live."""
    pattern = f"{cluster.cache_prefix}*|{visit_id}|{cluster.url}|*"
    return {key: cache_store.pttl(key) for key in cache_store.scan_iter(match=pattern)}


def version_in(key: bytes) -> int:
    """The content version a key was built from ("...|v|<version>|<created>|<ended>")."""
    return int(key.decode().split("|v|", 1)[1].split("|", 1)[0])


def visit_version(visit_id: int) -> int:
    db.session.rollback()
    return db.session.get(Visit, visit_id).content_version


def test_content_built_through_one_server_is_read_through_the_other(cluster, cluster_app,
                                                                    cache_store):
    organiser = make_user(email="olu@shared-cache.example", name="Olu Organiser")
    visit = make_visit(organisers=[organiser], slug="shared-cache", status=VisitStatus.PUBLISHED)
    item = make_item(visit, "10:00", "11:00", title="Studio tour")
    path = f"/visits/{visit.slug}/agenda.ics"
    assert cache_keys(cache_store, cluster, visit.id) == {}

    # A query of its own: a MISS in nginx's cache, so an app server builds the calendar.
    url, marker = marked(path)
    built = requests.get(cluster.url + url, timeout=30)
    builder = cluster.served_by(marker)
    assert built.status_code == 200 and built.headers["X-Cache-Status"] == "MISS"
    assert "SUMMARY:Studio tour" in built.text
    entries = cache_keys(cache_store, cluster, visit.id)
    # The visit's events and the agenda.ics made of them, at its content version.
    assert sorted(key.decode().split("|", 1)[0].removeprefix(cluster.cache_prefix)
                  for key in entries) == ["agenda.ics", "calendar"]
    version = visit_version(visit.id)
    assert {version_in(key) for key in entries} == {version}

    time.sleep(1.5)
    reader = next(port for port in cluster.app_ports if port != builder)
    read = get_on(cluster, requests.Session(), path, reader)
    assert read.status_code == 200 and read.headers["X-Cache-Status"] == "MISS"
    assert read.content == built.content
    # Read, not built again: writing an entry gives it a whole new lifetime, and every
    # entry has aged since the first server stored it.
    after = cache_keys(cache_store, cluster, visit.id)
    assert after.keys() == entries.keys()
    for key, left in after.items():
        assert 0 < left <= entries[key] - 1000, (key, entries[key], left)

    # An organiser's change is a new version, under keys of its own: built once by
    # whichever server is asked first, read by the other.
    agenda.set_item_status(organiser, visit.slug, item.id, ItemStatus.CANCELLED)
    changed = get_on(cluster, requests.Session(), path, builder)
    assert "STATUS:CANCELLED" in changed.text
    assert visit_version(visit.id) > version
    newer = {key: left for key, left in cache_keys(cache_store, cluster, visit.id).items()
             if version_in(key) == visit_version(visit.id)}
    assert len(newer) == 2
    time.sleep(1.5)
    again = get_on(cluster, requests.Session(), path, reader)
    assert again.content == changed.content
    for key, left in cache_keys(cache_store, cluster, visit.id).items():
        if key in newer:
            assert 0 < left <= newer[key] - 1000, (key, newer[key], left)
