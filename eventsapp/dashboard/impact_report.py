"""A visit's impact report (pure): who came, who showcased, what attendees said.

services.impact gathers the figures into an ImpactReport; the organiser's page and
the CSV both read it, so they always agree. No Flask, no database session here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from eventsapp.spreadsheet import to_csv

RATING_VALUES = (1, 2, 3, 4, 5)
NO_CHECK_INS = "no check-ins recorded"
NO_FEEDBACK = "no feedback yet"
NO_RATINGS = "no ratings yet"


@dataclass(frozen=True)
class Ratings:
    """How many gave each rating 1-5."""

    counts: Sequence[int] = (0, 0, 0, 0, 0)  # counts[0] is the number of 1s

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def average(self) -> float | None:
        if not self.total:
            return None
        return sum(value * n for value, n in zip(RATING_VALUES, self.counts, strict=True)) \
            / self.total

    @property
    def average_label(self) -> str:
        return "—" if self.average is None else f"{self.average:.1f}"

    def count(self, value: int) -> int:
        return self.counts[value - 1]

    def share(self, value: int) -> int:
        """Percentage of ratings with this value, for a bar's width."""
        return round(100 * self.count(value) / self.total) if self.total else 0


@dataclass(frozen=True)
class ItemRatings:
    title: str
    starts: datetime  # aware, in the visit's zone
    ratings: Ratings


@dataclass(frozen=True)
class Showcased:
    business: str
    title: str  # what they showed (the booking's title)
    item: str  # the showcase agenda item


@dataclass(frozen=True)
class Comment:
    written: datetime  # aware, in the visit's zone
    text: str


@dataclass(frozen=True)
class ImpactReport:
    title: str
    start_date: date
    end_date: date
    confirmed: int
    checked_in: int
    by_type: Sequence[tuple[str, int]]  # (label, confirmed attendees), every type
    by_organisation: Sequence[tuple[str, int]]  # most attendees first
    showcased: Sequence[Showcased] = field(default_factory=tuple)
    responses: int = 0
    visit_ratings: Ratings = field(default_factory=Ratings)
    item_ratings: Sequence[ItemRatings] = field(default_factory=tuple)
    comments: Sequence[Comment] = field(default_factory=tuple)  # newest first

    @property
    def attendance_rate(self) -> str:
        return percent(self.checked_in, self.confirmed) if self.checked_in else NO_CHECK_INS

    @property
    def response_rate(self) -> str:
        return percent(self.responses, self.confirmed) if self.responses else NO_FEEDBACK


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "—"


# Rating rows: Value is the average, Detail the number of ratings, then how many gave
# each rating. Showcase rows: Value is what was shown, Detail the agenda item.
HEADER = ("Section", "Name", "Value", "Detail", "Rated 1", "Rated 2", "Rated 3",
          "Rated 4", "Rated 5")


def _rating_row(section: str, name: str, ratings: Ratings, unrated: str = "—"
                ) -> list[object]:
    average = ratings.average_label if ratings.total else unrated
    return [section, name, average, ratings.total, *ratings.counts]


def rows(report: ImpactReport) -> list[list[object]]:
    """The report as rows of HEADER; a section per block of the page."""
    out: list[list[object]] = [
        ["Visit", "Title", report.title],
        ["Visit", "Dates", f"{report.start_date:%Y-%m-%d} to {report.end_date:%Y-%m-%d}"],
        ["Attendance", "Confirmed registrations", report.confirmed],
        ["Attendance", "Checked in", report.checked_in],
        ["Attendance", "Attendance rate", report.attendance_rate],
    ]
    out += [["Organisation type", label, n] for label, n in report.by_type]
    out += [["Organisation", name, n] for name, n in report.by_organisation]
    out += [["Showcase", s.business, s.title, s.item] for s in report.showcased]
    out += [
        ["Feedback", "Responses", report.responses],
        ["Feedback", "Response rate", report.response_rate],
        _rating_row("Visit rating", "The visit", report.visit_ratings),
    ]
    out += [_rating_row("Session rating", f"{i.title} ({i.starts:%d %b %H:%M})", i.ratings,
                        NO_RATINGS)
            for i in report.item_ratings]
    out += [["Comment", f"{c.written:%Y-%m-%d %H:%M}", c.text] for c in report.comments]
    return out


def impact_csv(report: ImpactReport) -> bytes:
    """The report as CSV; cells a spreadsheet would run as formulas are neutralised."""
    return to_csv(HEADER, rows(report))
