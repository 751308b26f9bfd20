"""An agenda as a CSV file, out and back in.

The columns are COLUMNS; times are wall times in the visit's zone. Reading a file
finds every problem of every row (its row number, its column, a message) and saves
nothing; importing saves all the rows in one transaction, or none when any row has a
problem. What the export writes, the import reads back as the same items.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from eventsapp.accounts.models import User
from eventsapp.agenda import changelog
from eventsapp.agenda.models import AgendaItem, ItemKind, ItemStatus
from eventsapp.db import write
from eventsapp.errors import ValidationError
from eventsapp.extensions import db
from eventsapp.spreadsheet import FORMULA_STARTS
from eventsapp.timezones import NonexistentLocalTime, to_local, to_utc
from eventsapp.visits.models import Visit
from eventsapp.visits.rules import organiser_visit
from eventsapp.web.forms import clean_lines, clean_text

COLUMNS = ("date", "start", "end", "title", "kind", "venue", "hosts", "description",
           "capacity")
REQUIRED = ("date", "start", "end", "title", "kind")
MAX_ROWS = 1000
MAX_BYTES = 1024 * 1024
MAX_CAPACITY = 100_000
LIMITS = {"title": 200, "hosts": 500, "description": 5000}
# What a spreadsheet runs as a formula; the export puts an apostrophe before such a cell.
FORMULA_CHARS = ("=", "+", "-", "@")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%H.%M")


@dataclass(frozen=True)
class Problem:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    message: str


@dataclass
class Row:
    number: int
    cells: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    starts_at: datetime | None = None  # UTC, once the row is good
    ends_at: datetime | None = None
    kind: ItemKind | None = None
    venue_id: int | None = None
    capacity: int | None = None


@dataclass
class Preview:
    """What importing the file would do: its rows and every problem found."""

    file_problems: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return [problem for row in self.rows for problem in row.problems]

    @property
    def ok(self) -> bool:
        return not self.file_problems and not self.problems and bool(self.rows)


class ImportRefused(ValidationError):
    """The file, or one of its rows, has problems: nothing was saved."""

    def __init__(self, preview: Preview):
        super().__init__({"file": "The file has problems: nothing was saved."})
        self.preview = preview


# --- reading ---------------------------------------------------------------------------


def _text(raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise ValueError(f"The file is larger than {MAX_BYTES // 1024 // 1024} MB, the most "
                         "that can be imported at once. Split it into smaller files.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read). In your "
            "spreadsheet, save it as “CSV UTF-8 (comma delimited)” and upload that."
        ) from exc
    if "\x00" in text:
        raise ValueError("The file is not a CSV text file. Save your spreadsheet as "
                         "“CSV UTF-8 (comma delimited)” and upload that.")
    return text


def _header(names: list[str]) -> tuple[list[str], list[str]]:
    """The columns by position, and what is wrong with them."""
    columns = [name.strip().lower() for name in names]
    problems = []
    unknown = [name for name in columns if name and name not in COLUMNS]
    if unknown:
        problems.append(
            "Unknown " + ("columns " if len(unknown) > 1 else "column ")
            + ", ".join(f"“{name}”" for name in unknown)
            + f". The columns are: {', '.join(COLUMNS)}."
        )
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        problems.append(
            "The file has no " + ", ".join(f"“{name}”" for name in missing)
            + (" columns" if len(missing) > 1 else " column")
            + f". Its first row must name the columns: {', '.join(COLUMNS)}."
        )
    repeated = sorted({name for name in columns if name and columns.count(name) > 1})
    if repeated:
        problems.append("These columns appear twice: " + ", ".join(repeated) + ".")
    return columns, problems


def read_rows(raw: bytes) -> Preview:
    """The file's rows as cells by column name, or what makes the file unreadable. At
    most MAX_ROWS rows are read: a longer file is refused without reading the rest."""
    preview = Preview()
    try:
        text = _text(raw)
    except ValueError as exc:
        preview.file_problems.append(str(exc))
        return preview
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        names = next(reader, None)
        if names is None or not any(cell.strip() for cell in names):
            preview.file_problems.append(
                f"The file is empty. Its first row must name the columns: {', '.join(COLUMNS)}."
            )
            return preview
        columns, preview.file_problems = _header(names)
        if preview.file_problems:
            return preview
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(preview.rows) == MAX_ROWS:
                preview.file_problems.append(
                    f"The file has more than {MAX_ROWS:,} rows, the most that can be "
                    "imported at once. Split it into several files."
                )
                preview.rows = []
                return preview
            row = Row(number, {name: "" for name in COLUMNS})
            for name, cell in zip(columns, cells, strict=False):
                if name:
                    row.cells[name] = cell
            if len(cells) > len(columns):
                row.problems.append(Problem(number, "", "This row has more cells than the "
                                            "header has columns."))
            preview.rows.append(row)
    except csv.Error as exc:
        preview.file_problems.append(f"The file could not be read as CSV: {exc}.")
        preview.rows = []
    if not preview.rows and not preview.file_problems:
        preview.file_problems.append("The file has no agenda rows below its header.")
    return preview


def _unformula(row: Row, name: str) -> str:
    """The cell's text; a formula is a problem, an apostrophe-guarded one is text."""
    value = row.cells[name]
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    if value.lstrip().startswith(FORMULA_CHARS):
        row.problems.append(Problem(
            row.number, name,
            f"“{value[:40]}” starts with {value.lstrip()[0]}, which a spreadsheet runs as a "
            "formula. Put an apostrophe before it to keep it as text.",
        ))
    return value


def _parse(value: str, formats: tuple[str, ...]):
    for fmt in formats:
        try:
            return datetime.strptime(value.strip(), fmt)  # noqa: DTZ007 a wall time, zone later
        except ValueError:
            continue
    return None


def _end(value: str, day: date) -> datetime | None:
    """An end is a time on the row's date, or a date and time when it ends on another day."""
    parsed = _parse(value, TIME_FORMATS)
    if parsed is not None:
        return datetime.combine(day, parsed.time())
    return _parse(value, tuple(f"{d} {t}" for d in DATE_FORMATS for t in TIME_FORMATS))


def _check_row(visit: Visit, row: Row, venues: dict[str, int]) -> None:
    cells = {name: _unformula(row, name) for name in COLUMNS}
    formulas = {p.column for p in row.problems}
    row.cells = cells

    def problem(column: str, message: str) -> None:
        if column not in formulas:  # one message per cell: the formula's
            row.problems.append(Problem(row.number, column, message))

    title = clean_text(cells["title"])
    if not title:
        problem("title", "Enter a title.")
    for name, limit in LIMITS.items():
        if len(clean_lines(cells[name])) > limit:
            problem(name, f"{name.capitalize()} must be {limit:,} characters or fewer.")
    kind_text = clean_text(cells["kind"]).lower()
    if kind_text in ItemKind.__members__.values():
        row.kind = ItemKind(kind_text)
    else:
        problem("kind", (f"“{cells['kind']}” is not a kind of item. " if kind_text
                         else "Enter the kind of item. ")
                + f"Use one of: {', '.join(kind.value for kind in ItemKind)}.")
    venue_text = clean_text(cells["venue"])
    if venue_text:
        row.venue_id = venues.get(venue_text.casefold())
        if row.venue_id is None:
            known = ", ".join(sorted(v.name for v in visit.venues)) or "none yet"
            problem("venue", f"This visit has no venue called “{venue_text}”. Add it to the "
                    f"visit first, or use one of its venues ({known}).")
    capacity_text = cells["capacity"].strip()
    if capacity_text:
        if capacity_text.isdigit() and 1 <= int(capacity_text) <= MAX_CAPACITY:
            row.capacity = int(capacity_text)
        else:
            problem("capacity", f"Capacity must be a whole number from 1 to {MAX_CAPACITY:,}, "
                    "or empty for no limit.")
    _check_times(visit, row, cells, problem)


def _check_times(visit: Visit, row: Row, cells: dict[str, str], problem) -> None:
    parsed_day = _parse(cells["date"], DATE_FORMATS)
    if parsed_day is None:
        problem("date", f"“{cells['date']}” is not a date: write it as 2030-06-12.")
        return
    day = parsed_day.date()
    if day not in visit.days:
        problem("date", f"{day:%d %B %Y} is not a day of this visit "
                f"({visit.start_date:%d %B} – {visit.end_date:%d %B %Y}).")
    start_time = _parse(cells["start"], TIME_FORMATS)
    if start_time is None:
        problem("start", f"“{cells['start']}” is not a time: write it as 09:30.")
    ends_local = _end(cells["end"], day)
    if ends_local is None:
        problem("end", f"“{cells['end']}” is not a time: write it as 10:15.")
    if start_time is None or ends_local is None:
        return
    zone = visit.zone
    try:
        row.starts_at = to_utc(datetime.combine(day, start_time.time()), zone)
    except NonexistentLocalTime as exc:
        problem("start", str(exc))
    try:
        row.ends_at = to_utc(ends_local, zone)
    except NonexistentLocalTime as exc:
        problem("end", str(exc))
    if row.starts_at and row.ends_at and row.ends_at <= row.starts_at:
        problem("end", f"The end ({cells['end'].strip()}) must be after the start "
                f"({cells['start'].strip()}).")


def preview_import(visit: Visit, raw: bytes) -> Preview:
    """Every problem of the file and of each of its rows; nothing is saved."""
    preview = read_rows(raw)
    venues = {venue.name.casefold(): venue.id for venue in visit.venues}
    for row in preview.rows:
        _check_row(visit, row, venues)
    return preview


def organiser_preview(actor: User, slug: str, raw: bytes) -> Preview:
    return preview_import(organiser_visit(actor, slug), raw)


# --- saving ----------------------------------------------------------------------------


def import_agenda(actor: User, slug: str, raw: bytes) -> list[AgendaItem]:
    """Add every row of the file to the agenda, or none (ImportRefused) if any row or
    the file has a problem."""
    with write():
        visit = organiser_visit(actor, slug)
        preview = preview_import(visit, raw)
        if not preview.ok:
            raise ImportRefused(preview)
        items = []
        for row in preview.rows:
            item = AgendaItem(
                visit=visit, status=ItemStatus.CONFIRMED, sequence=0, kind=row.kind,
                title=clean_text(row.cells["title"]),
                description=clean_lines(row.cells["description"]),
                hosts="\n".join(_host_names(row.cells["hosts"])),
                starts_at=row.starts_at, ends_at=row.ends_at, venue_id=row.venue_id,
                capacity=row.capacity,
            )
            db.session.add(item)
            items.append(item)
        db.session.flush()
        for item in items:
            changelog.item_added(actor, item)
    return items


def _host_names(value: str) -> list[str]:
    """One host per line in the cell; a semicolon also separates hosts."""
    names = clean_lines(value).replace(";", "\n").split("\n")
    return [clean_text(name) for name in names if clean_text(name)]


# --- the export ------------------------------------------------------------------------


def agenda_rows(visit: Visit) -> list[list[object]]:
    """The live, confirmed items in the import's columns (cancelled items are left out:
    importing the file would bring them back as confirmed)."""
    zone = visit.zone
    rows = []
    for item in visit.live_items:
        if item.is_cancelled:
            continue
        starts, ends = to_local(item.starts_at, zone), to_local(item.ends_at, zone)
        end = f"{ends:%H:%M}" if ends.date() == starts.date() else f"{ends:%Y-%m-%d %H:%M}"
        rows.append([
            f"{starts:%Y-%m-%d}", f"{starts:%H:%M}", end, item.title, item.kind.value,
            item.venue.name if item.venue else "", "\n".join(item.host_names),
            item.description, "" if item.capacity is None else item.capacity,
        ])
    return rows
