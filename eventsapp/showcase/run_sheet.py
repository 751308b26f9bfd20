"""A showcase's run sheet: who presents when, what, and what they need (pure).

Plain data in (wall times already in the visit's zone), rows and CSV bytes out; the
printable page and the CSV use the same rows, so they always agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from eventsapp.spreadsheet import to_csv
from eventsapp.timezones import local_range

HEADER = ("Time", "Member", "Title", "Format", "Equipment", "People", "Status")
APPROVED, PENDING = "Approved", "Pending approval"


@dataclass(frozen=True)
class RunSheetEntry:
    starts: datetime  # aware, in the visit's zone
    ends: datetime
    member: str
    title: str
    format: str
    equipment: Sequence[str] = field(default_factory=tuple)
    people: Sequence[str] = field(default_factory=tuple)
    pending: bool = False


def time_label(entry: RunSheetEntry) -> str:
    """'09:00–09:10 BST': the zone named, as everywhere times are shown."""
    return str(local_range(entry.starts, entry.ends, entry.starts.tzinfo))


def rows(entries: Iterable[RunSheetEntry]) -> list[list[str]]:
    """One row per booking in time order; pending bookings say so."""
    return [
        [
            time_label(entry),
            entry.member,
            entry.title,
            entry.format,
            ", ".join(entry.equipment),
            ", ".join(entry.people),
            PENDING if entry.pending else APPROVED,
        ]
        for entry in sorted(entries, key=lambda e: e.starts)
    ]


def run_sheet_csv(entries: Iterable[RunSheetEntry]) -> bytes:
    """The run sheet as CSV; cells a spreadsheet would run as formulas are neutralised."""
    return to_csv(HEADER, rows(entries))
