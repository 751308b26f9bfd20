"""The run sheet builder: plain data in, rows and CSV bytes out, no Flask."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from eventsapp.showcase.run_sheet import HEADER, RunSheetEntry, rows, run_sheet_csv

LONDON = ZoneInfo("Europe/London")


def entry(hour: int, minute: int, month: int = 6, **overrides) -> RunSheetEntry:
    starts = datetime(2030, month, 12, hour, minute, tzinfo=UTC).astimezone(LONDON)
    fields = dict(
        starts=starts,
        ends=starts.replace(minute=minute + 10),
        member="Clayworks Studio",
        title="Printing in clay",
        format="Demo",
        equipment=("Power", "Table"),
        people=("Mina Maker", "Sam Potter"),
    )
    fields.update(overrides)
    return RunSheetEntry(**fields)


def parse(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads accents with the byte-order mark
    return list(csv.reader(io.StringIO(text[1:])))


def test_rows_in_time_order_with_the_zone_named():
    later = entry(9, 12, member="Later Ltd")
    earlier = entry(9, 0, member="Earlier Ltd", pending=True, equipment=(), people=())
    assert rows([later, earlier]) == [
        ["10:00–10:10 BST", "Earlier Ltd", "Printing in clay", "Demo", "", "",
         "Pending approval"],
        ["10:12–10:22 BST", "Later Ltd", "Printing in clay", "Demo", "Power, Table",
         "Mina Maker, Sam Potter", "Approved"],
    ]


def test_winter_times_say_gmt():
    [row] = rows([entry(10, 0, month=12)])
    assert row[0] == "10:00–10:10 GMT"


def test_zone_without_an_abbreviation_shows_the_offset():
    starts = datetime(2030, 6, 12, 9, 0, tzinfo=UTC).astimezone(ZoneInfo("Asia/Dubai"))
    [row] = rows([entry(9, 0, starts=starts, ends=starts.replace(minute=10))])
    assert row[0] == "13:00–13:10 UTC+04:00"


def test_csv_has_the_header_and_neutralises_formula_cells():
    data = run_sheet_csv([
        entry(9, 0, member="=HYPERLINK(\"http://evil.example\")", title="+1 idea",
              people=("-Sam", "@Jo")),
        entry(9, 12, member="Café Ceramics"),
    ])
    parsed = parse(data)
    assert parsed[0] == list(HEADER)
    assert parsed[1][:3] == ["10:00–10:10 BST", "'=HYPERLINK(\"http://evil.example\")",
                             "'+1 idea"]
    assert parsed[1][5] == "'-Sam, @Jo"
    assert parsed[2][1] == "Café Ceramics"
    assert len(parsed) == 3


def test_empty_run_sheet_is_just_the_header():
    assert parse(run_sheet_csv([])) == [list(HEADER)]
