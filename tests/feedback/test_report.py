"""The impact report page and CSV: numbers for a known data set, empty states,
neutralised CSV cells, a fixed number of queries, and who may see it."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from eventsapp.agenda.models import ItemKind, ItemStatus
from eventsapp.extensions import db
from eventsapp.feedback.models import Feedback, ItemFeedback
from eventsapp.registration.models import OrganisationType, RegistrationStatus
from eventsapp.visits.models import VisitStatus
from tests.conftest import login
from tests.feedback.helpers import ended_visit
from tests.support import (
    make_booking,
    make_business,
    make_item,
    make_registration,
    make_showcase,
    make_user,
    make_visit,
    page_text,
)

REPORT = "/organiser/visits/cic-stoke/report"
GOV, ACA, IND = (OrganisationType.GOVERNMENT, OrganisationType.ACADEMIA,
                 OrganisationType.INDUSTRY)
NOW = datetime.now(UTC)


def give(registration, visit_rating=None, items=(), comments="", minutes_ago=0):
    feedback = Feedback(registration_id=registration.id, visit_id=registration.visit_id,
                        visit_rating=visit_rating, comments=comments,
                        updated_at=NOW - timedelta(minutes=minutes_ago))
    feedback.item_ratings = [ItemFeedback(item_id=item.id, rating=r) for item, r in items]
    db.session.add(feedback)
    db.session.commit()


@pytest.fixture
def known(app, organiser):
    """6 confirmed (3 checked in), 1 waiting, 1 cancelled; 3 answers from confirmed
    people and 1 from the cancelled one, which is not counted."""
    visit = ended_visit([organiser])
    talk = make_item(visit, "09:00", "10:00", title="Welcome talk")
    tour = make_item(visit, "10:30", "11:30", title="Kiln tour", kind=ItemKind.TOUR)
    showcase_item = make_item(visit, "13:00", "14:00", title="Makers' showcase",
                              kind=ItemKind.SHOWCASE)
    showcase = make_showcase(showcase_item)
    make_booking(showcase.slots[0], make_business(name="Clayworks Studio"),
                 title="Clay printing in 3D")
    make_booking(showcase.slots[1], make_business(name="Pixel Mill"), status="pending",
                 title="Pending pixels")
    make_booking(showcase.slots[2], make_business(name="Glaze Lab"), status="declined",
                 title="Declined glaze")
    make_booking(showcase.slots[3], make_business(name="=cmd|' /C calc'!A0"),
                 title="@SUM(1+1)")

    came = NOW - timedelta(days=7)
    people = [
        make_registration(visit, organisation="Arts Council", organisation_type=GOV,
                          checked_in_at=came),
        make_registration(visit, organisation="arts  council ", organisation_type=GOV,
                          checked_in_at=came),
        make_registration(visit, organisation="ARTS COUNCIL", organisation_type=IND),
        make_registration(visit, organisation="Keele University", organisation_type=ACA,
                          checked_in_at=came),
        make_registration(visit, organisation="=HYPERLINK(\"http://x\")",
                          organisation_type=IND),
        make_registration(visit, organisation=""),
    ]
    make_registration(visit, status=RegistrationStatus.WAITLISTED,
                      organisation_type=OrganisationType.PRESS, organisation="Waiting Post")
    gone = make_registration(visit, status=RegistrationStatus.CANCELLED,
                             organisation_type=OrganisationType.PRESS,
                             organisation="Gone Gazette", checked_in_at=came)
    give(people[0], 5, [(talk, 5), (tour, 4)], "Superb day.", minutes_ago=30)
    give(people[1], 4, [(talk, 3)], "=1+1 made me laugh", minutes_ago=10)
    give(people[3], None, [(tour, 2)], "", minutes_ago=20)
    give(gone, 1, [(talk, 1)], "Not counted.", minutes_ago=1)
    return visit


def report_csv(client) -> list[list[str]]:
    response = client.get(f"{REPORT}.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def cell(rows, section, name, column="Value"):
    header = rows[0]
    for row in rows[1:]:
        if row[0] == section and row[1] == name:
            return row[header.index(column)]
    raise AssertionError(f"no row {section} / {name}")


def test_page_shows_the_known_figures(organiser_client, known):
    text = page_text(organiser_client.get(REPORT))

    assert "Confirmed registrations 6 Checked in 3 Attendance rate 50%" in text
    assert ("Government or policy 2 Academia 1 Industry 2 Investor 0 Press 0 Other 0 "
            "Not given 1") in text
    # Grouped whatever the capitals and spaces, shown as typed by most (here the first).
    assert "Arts Council 3" in text
    assert "Keele University 1" in text
    assert "(not given, or erased) 1" in text
    assert "Gone Gazette" not in text and "Waiting Post" not in text
    assert "Clayworks Studio Clay printing in 3D Makers' showcase" in text
    assert "Pending pixels" not in text and "Declined glaze" not in text
    assert "Responses 3 Response rate 50%" in text
    assert "Average 4.5 out of 5, from 2 ratings." in text
    assert "5 1 50% 4 1 50% 3 0 0% 2 0 0% 1 0 0%" in text  # rating, people, share
    assert "Welcome talk" in text and "4.0 2 0 0 1 0 1" in text  # avg, n, 1..5
    assert "Kiln tour" in text and "3.0 2 0 1 0 1 0" in text
    assert text.index("=1+1 made me laugh") < text.index("Superb day.")  # newest first
    assert "Not counted." not in text


def test_csv_has_the_same_figures(organiser_client, known):
    rows = report_csv(organiser_client)

    assert rows[0] == ["Section", "Name", "Value", "Detail", "Rated 1", "Rated 2",
                       "Rated 3", "Rated 4", "Rated 5"]
    assert cell(rows, "Attendance", "Confirmed registrations") == "6"
    assert cell(rows, "Attendance", "Checked in") == "3"
    assert cell(rows, "Attendance", "Attendance rate") == "50%"
    assert cell(rows, "Organisation type", "Government or policy") == "2"
    assert cell(rows, "Organisation type", "Industry") == "2"
    assert cell(rows, "Organisation type", "Not given") == "1"
    assert cell(rows, "Organisation", "Arts Council") == "3"
    assert cell(rows, "Showcase", "Clayworks Studio") == "Clay printing in 3D"
    assert cell(rows, "Showcase", "Clayworks Studio", "Detail") == "Makers' showcase"
    assert cell(rows, "Feedback", "Responses") == "3"
    assert cell(rows, "Feedback", "Response rate") == "50%"
    visit_row = next(r for r in rows if r[0] == "Visit rating")
    assert visit_row[2:] == ["4.5", "2", "0", "0", "0", "1", "1"]
    talk_row = next(r for r in rows if r[0] == "Session rating" and "Welcome talk" in r[1])
    assert talk_row[2:] == ["4.0", "2", "0", "0", "1", "0", "1"]
    comments = [r[2] for r in rows if r[0] == "Comment"]
    assert comments == ["'=1+1 made me laugh", "Superb day."]


def test_csv_cells_that_look_like_formulas_are_neutralised(organiser_client, known):
    rows = report_csv(organiser_client)
    cells = [value for row in rows for value in row]

    assert "'=HYPERLINK(\"http://x\")" in cells
    assert "'=cmd|' /C calc'!A0" in cells
    assert "'@SUM(1+1)" in cells
    assert not [value for value in cells if value.startswith(("=", "+", "-", "@"))]


def test_empty_visit_says_so_everywhere(organiser_client, organiser):
    make_visit(organisers=[organiser], slug="cic-stoke", status=VisitStatus.PUBLISHED)
    response = organiser_client.get(REPORT)
    text = page_text(response)

    assert response.status_code == 200
    assert "Attendance rate no check-ins recorded" in text
    assert "No confirmed registrations yet." in text
    assert "No member has an approved showcase booking on this visit." in text
    assert "Responses 0 Response rate no feedback yet" in text
    assert "No feedback yet." in text
    assert "Feedback can be requested once the visit is over, from" in text
    rows = report_csv(organiser_client)
    assert cell(rows, "Attendance", "Attendance rate") == "no check-ins recorded"
    assert cell(rows, "Visit rating", "The visit") == "—"


def test_no_check_ins_is_said_in_words(organiser_client, organiser):
    visit = ended_visit([organiser])
    make_registration(visit)
    text = page_text(organiser_client.get(REPORT))
    assert "Confirmed registrations 1 Checked in 0 Attendance rate no check-ins recorded" in text
    assert "No feedback yet." in text


def _grow(visit, registrations: int, items) -> None:
    for n in range(registrations):
        person = make_registration(visit, organisation=f"Org {n % 7}",
                                   organisation_type=list(OrganisationType)[n % 6],
                                   checked_in_at=NOW if n % 2 else None)
        give(person, n % 5 + 1, [(item, (n + i) % 5 + 1) for i, item in enumerate(items)],
             f"Comment {n}")


def test_fixed_number_of_queries_whatever_the_size(app, client, organiser, count_queries):
    visit = ended_visit([organiser])
    items = [make_item(visit, f"{9 + n}:00", f"{9 + n}:30", title=f"Session {n}")
             for n in range(3)]
    _grow(visit, 2, items[:1])
    login(client, organiser)

    def queries(url):
        db.session.expire_all()  # as in production, nothing is known before the request
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    few = queries(REPORT), queries(f"{REPORT}.csv")
    _grow(visit, 30, items)
    many = queries(REPORT), queries(f"{REPORT}.csv")

    assert many == few
    assert few[0] <= 10, "the user, the visit, its organisers and six for the figures"


def test_access(app, client, organiser, known):
    other = make_user(email="other@example.org")
    member = make_user(email="member@example.org", role="member")
    urls = [REPORT, f"{REPORT}.csv"]

    for url in urls:
        assert client.get(url).status_code == 302  # to /login
    login(client, member)
    for url in urls:
        assert client.get(url).status_code == 403
    assert client.post(f"{REPORT}/request-feedback").status_code == 403
    client.post("/logout")
    login(client, other)
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(f"{REPORT}/request-feedback").status_code == 404


def test_visit_page_links_to_the_report(organiser_client, known):
    markup = organiser_client.get("/organiser/visits/cic-stoke/").get_data(as_text=True)
    assert f'<a href="{REPORT}">After the visit</a>' in markup


def test_sessions_nobody_rated_are_listed_with_no_ratings_yet(organiser_client, known):
    """The makers' showcase had no ratings and a panel is added with none: both appear,
    in time order, saying so (page and CSV); a lunch (never rated) and a cancelled talk
    do not."""
    make_item(known, "15:00", "16:00", title="Panel: skills", kind=ItemKind.PANEL)
    make_item(known, "12:00", "13:00", title="Lunch", kind=ItemKind.MEAL)
    make_item(known, "16:30", "17:00", title="Dropped talk",
              status=ItemStatus.CANCELLED)
    text = page_text(organiser_client.get(REPORT))

    sessions = text.split("Ratings of the sessions", 1)[1].split("Comments", 1)[0]
    assert sessions.index("Welcome talk") < sessions.index("Kiln tour") \
        < sessions.index("Makers' showcase") < sessions.index("Panel: skills")
    assert "Makers' showcase" in sessions and "13:00) no ratings yet" in sessions
    assert "15:00) no ratings yet" in sessions
    assert "Kiln tour" in sessions and "3.0 2 0 1 0 1 0" in sessions
    assert "Lunch" not in sessions and "Dropped talk" not in sessions

    rows = report_csv(organiser_client)
    sessions_csv = {r[1]: r[2:] for r in rows if r[0] == "Session rating"}
    panel = next(v for k, v in sessions_csv.items() if k.startswith("Panel: skills"))
    assert panel == ["no ratings yet", "0", "0", "0", "0", "0", "0"]
    assert not [k for k in sessions_csv if "Lunch" in k or "Dropped talk" in k]
    talk = next(v for k, v in sessions_csv.items() if k.startswith("Welcome talk"))
    assert talk[:2] == ["4.0", "2"]
