"""The agenda as CSV: export, preview with every row's problems, all-or-nothing import."""

from __future__ import annotations

import io
import re
import time
from datetime import UTC, date, datetime

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from eventsapp.agenda.models import ItemKind, ItemStatus
from tests.agenda.test_organiser_agenda import item_count, items, page
from tests.support import local, make_item, make_venue, make_visit

IMPORT = "/organiser/visits/cic-stoke/agenda/import"
CONFIRM = IMPORT + "/confirm"
EXPORT = "/organiser/visits/cic-stoke/agenda.csv"
HEADER = "date,start,end,title,kind,venue,hosts,description,capacity\r\n"


@pytest.fixture
def visit(organiser):
    visit = make_visit(organisers=[organiser], slug="cic-stoke",
                       start_date=date(2030, 6, 12), end_date=date(2030, 6, 13))
    make_venue(visit, name="Spode Works")
    return visit


def upload(client, body: bytes | str, name: str = "agenda.csv"):
    """POST a file as a browser would, encoded here in memory: the test client would
    spool a large one to a temporary file it never closes."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    boundary, encoded = encode_multipart(
        {"file": FileStorage(io.BytesIO(data), filename=name, content_type="text/csv")})
    return client.post(IMPORT, data=encoded,
                       content_type=f"multipart/form-data; boundary={boundary}")


def confirm(client, preview_response):
    token = re.search(r'name="file_data" type="hidden" value="([^"]+)"',
                      page(preview_response)).group(1)
    return client.post(CONFIRM, data={"file_data": token})


GOOD = (HEADER
        + "2030-06-12,09:30,10:15,Opening keynote,talk,Spode Works,"
        + "\"Dr Ada Lovelace\nGrace Hopper\",Why clusters matter.,\r\n"
        + "12/06/2030,10:15,10:30,Coffee,Break,spode works,,,\r\n"
        + "2030-06-13,23:30,2030-06-14 00:30,Night tour,tour,,,\"Lamps, kilns\",12\r\n")


def test_a_good_file_is_previewed_then_saved_whole(organiser_client, visit, db):
    response = upload(organiser_client, "\ufeff" + GOOD)  # Excel's "CSV UTF-8" has a BOM
    text = page(response)
    assert response.status_code == 200
    assert "Ready to import" in text and "3 items will be added" in text
    assert item_count(db) == 0  # nothing saved by the preview
    response = confirm(organiser_client, response)
    assert response.status_code == 303
    saved = items(db)
    assert [i.title for i in saved] == ["Opening keynote", "Coffee", "Night tour"]
    keynote, coffee, tour = saved
    assert keynote.starts_at.replace(tzinfo=UTC) == local(visit, 0, "09:30")  # BST: 08:30 UTC
    assert keynote.hosts == "Dr Ada Lovelace\nGrace Hopper"
    assert keynote.venue.name == coffee.venue.name == "Spode Works"
    assert coffee.kind is ItemKind.BREAK
    assert tour.ends_at.replace(tzinfo=UTC) == datetime(2030, 6, 13, 23, 30, tzinfo=UTC)
    assert (tour.capacity, tour.venue_id, tour.description) == (12, None, "Lamps, kilns")
    assert all(i.status is ItemStatus.CONFIRMED for i in saved)
    flashed = page(organiser_client.get("/organiser/visits/cic-stoke/"))
    assert "Imported 3 agenda items." in flashed


def test_every_rows_problems_are_listed_and_nothing_is_saved(organiser_client, visit, db):
    body = (HEADER
            + "2030-06-12,09:30,10:15,Fine row,talk,Spode Works,,,\r\n"
            + "2030-07-01,10:00,09:00,,dance,The Moon,,,0\r\n"
            + "2030-06-12,9am,10:00,=HYPERLINK(\"x\"),talk,,@host,,\r\n")
    response = upload(organiser_client, body)
    assert response.status_code == 422
    text = page(response).replace("&#34;", '"').replace("&amp;", "&")
    assert "Nothing was saved" in text
    expected = [
        ("Row 3", "title", "Enter a title."),
        ("Row 3", "kind", "“dance” is not a kind of item."),
        ("Row 3", "venue", "This visit has no venue called “The Moon”"),
        ("Row 3", "capacity", "Capacity must be a whole number from 1"),
        ("Row 3", "date", "01 July 2030 is not a day of this visit"),
        ("Row 3", "end", "The end (09:00) must be after the start (10:00)."),
        ("Row 4", "title", "starts with =, which a spreadsheet runs as a formula"),
        ("Row 4", "hosts", "starts with @"),
        ("Row 4", "start", "“9am” is not a time"),
    ]
    for row, column, message in expected:
        assert re.search(rf"<td>{row}</td><td>{column}</td><td>[^<]*{re.escape(message)}",
                         text), (row, column, message)
    assert "<td>Row 2</td>" not in text
    assert 'name="file_data"' not in text  # no way to save it
    assert item_count(db) == 0


@pytest.mark.parametrize(("body", "message"), [
    ("date,start,end,title,kind\r\n2030-06-12,09:00,10:00,Caf\xe9,talk\r\n".encode("latin-1"),
     "The file is not UTF-8 text"),
    ("date,start,title\r\n2030-06-12,09:00,Talk\r\n", "The file has no “end”, “kind” columns"),
    ("date,start,end,title,kind,titel\r\n", "Unknown column “titel”"),
    ("", "The file is empty."),
    (HEADER, "The file has no agenda rows below its header."),
    (b"\x00\x01\x02binary", "The file is not a CSV text file."),
])
def test_bad_files_get_a_clear_message(organiser_client, visit, db, body, message):
    response = upload(organiser_client, body)
    assert response.status_code == 422
    assert message in page(response).replace("&#34;", '"')
    assert item_count(db) == 0


def test_a_file_of_ten_thousand_rows_is_refused_quickly(organiser_client, visit, db):
    row = "2030-06-12,09:30,10:15,Talk,talk,Spode Works,,,\r\n"
    body = HEADER + row * 10_000
    started = time.perf_counter()
    response = upload(organiser_client, body)
    elapsed = time.perf_counter() - started
    assert response.status_code == 422
    assert "The file has more than 1,000 rows" in page(response)
    assert elapsed < 5  # generous: it stops reading at row 1,001
    assert item_count(db) == 0
    assert upload(organiser_client, HEADER + row * 1000).status_code == 200


def test_a_file_over_a_megabyte_is_refused_before_it_is_read(organiser_client, visit):
    response = upload(organiser_client, HEADER + "x" * (2 * 1024 * 1024))
    assert response.status_code == 413
    assert "larger than 1 MB" in page(response)


def test_confirm_checks_again_and_saves_none_if_the_visit_changed(organiser_client, visit, db):
    response = upload(organiser_client, GOOD)
    venue = visit.venues[0]
    db.session.delete(venue)
    db.session.commit()
    response = confirm(organiser_client, response)
    assert response.status_code == 422
    assert "This visit has no venue called “Spode Works”" in page(response)
    assert item_count(db) == 0


def test_a_lost_or_forged_confirmation_saves_nothing(organiser_client, visit, db):
    response = organiser_client.post(CONFIRM, data={"file_data": "not base64!"})
    assert response.status_code == 303
    assert item_count(db) == 0


def test_export_then_import_round_trips(organiser_client, visit, db):
    venue = visit.venues[0]
    make_item(visit, "09:30", "10:15", title="=SUM(A1)", venue=venue,
              hosts="Dr Ada Lovelace\n-Grace", description="+ first\nsecond", capacity=40)
    make_item(visit, "23:30", "23:59", day=1, kind=ItemKind.TOUR, title="Late",
              ends_at=local(visit, 2, "01:15"))
    make_item(visit, "12:00", "13:00", title="Dropped", status=ItemStatus.CANCELLED)
    response = organiser_client.get(EXPORT)
    assert response.mimetype == "text/csv"
    body = response.get_data()
    text = body.decode("utf-8-sig")
    assert text.startswith(HEADER)
    assert "'=SUM(A1)" in text and "Dropped" not in text
    assert "2030-06-14 01:15" in text  # ends the next day: the end carries its date
    before = [(i.title, i.kind, i.starts_at, i.ends_at, i.venue_id, i.hosts, i.description,
               i.capacity) for i in items(db) if i.status is ItemStatus.CONFIRMED]
    for item in items(db):
        db.session.delete(item)
    db.session.commit()
    response = upload(organiser_client, body)
    assert response.status_code == 200, page(response)
    confirm(organiser_client, response)
    after = [(i.title, i.kind, i.starts_at, i.ends_at, i.venue_id, i.hosts, i.description,
              i.capacity) for i in items(db)]
    assert after == before
    assert organiser_client.get(EXPORT).get_data() == body


def test_import_and_export_are_for_the_visits_organisers_only(client, visit):
    from tests.conftest import login
    from tests.support import make_user

    login(client, make_user(email="other@example.org"))
    assert client.get(EXPORT).status_code == 404
    assert client.get(IMPORT).status_code == 404
    assert upload(client, GOOD).status_code == 404
