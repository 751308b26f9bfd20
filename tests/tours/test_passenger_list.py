"""The convenor downloads each travel leg's passenger list as CSV from the dashboard:
who travels, how to reach them, which visits they joined and what they need; a cell a
spreadsheet would run as a formula is neutralised."""

from __future__ import annotations

import csv
import io

from eventsapp.tours.rules import registering
from tests.conftest import login
from tests.support import make_user
from tests.tours.world import make_tour, viewer_of


def rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def register(world, name, email, visits, legs=(), **details):
    return registering.register("smaller-cities", registering.Delegate(
        name, email, privacy_accepted=True, **details),
        registering.Choices(frozenset(v.id for v in visits),
                            leg_ids=frozenset(leg.id for leg in legs)))


def test_a_legs_passengers_as_csv(client, app):
    world = make_tour(capacity=1)
    coventry, stoke, hull = world.visits
    register(world, "Bea Both", "bea@example.org", [coventry, stoke], organisation="DCMS",
             dietary="Vegetarian", access_needs="Step-free route")
    register(world, "=HYPERLINK(\"http://evil.example\")", "eve@example.org", [hull],
             legs=[world.legs[0]], organisation="+Evil Ltd")
    register(world, "Wes Waiting", "wes@example.org", [coventry, stoke])  # both full
    login(client, world.convenor)

    dashboard = client.get("/organiser/tours/smaller-cities/dashboard").text
    link = f"/organiser/tours/smaller-cities/legs/{world.legs[0].id}/passengers.csv"
    assert f'href="{link}"' in dashboard
    response = client.get(link)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert "passengers.csv" in response.headers["Content-Disposition"]
    header, *people = rows(response)
    assert header == ["Name", "Email", "Organisation", "Visits joined", "Dietary needs",
                      "Access needs", "On this leg because"]
    assert people == [
        ["'=HYPERLINK(\"http://evil.example\")", "eve@example.org", "'+Evil Ltd",
         "Delegation: Hull", "", "", "ticked the leg"],
        ["Bea Both", "bea@example.org", "DCMS", "Delegation: Coventry; Delegation: Stoke-on-Trent",
         "Vegetarian", "Step-free route", "on the visits at both ends"],
    ]  # Wes waits for both visits and ticked no leg: not a passenger

    second = client.get(f"/organiser/tours/smaller-cities/legs/{world.legs[1].id}/passengers.csv")
    assert rows(second)[1:] == []
    assert client.get("/organiser/tours/smaller-cities/legs/999999/passengers.csv"
                      ).status_code == 404


def test_a_viewer_of_the_convenor_may_download_it_others_may_not(client, app):
    world = make_tour()
    link = f"/organiser/tours/smaller-cities/legs/{world.legs[0].id}/passengers.csv"
    login(client, viewer_of(world.convenor_organisation))
    assert client.get(link).status_code == 200
    client.post("/logout")
    login(client, make_user("someone@elsewhere.example"))
    assert client.get(link).status_code == 404
