"""CSV exports (pure: rows in, bytes out).

Cells that a spreadsheet would run as a formula (starting with = + - @, or a tab or
carriage return) are prefixed with an apostrophe, as Indico's spreadsheet writer does.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[object]],
               rows_per_chunk: int = 500) -> Iterator[bytes]:
    """The file in pieces of a few hundred rows, as ``rows`` are read: UTF-8 with a
    byte-order mark so that Excel reads accents correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([neutralise(cell) for cell in header])
    for number, row in enumerate(rows, start=1):
        writer.writerow([neutralise(cell) for cell in row])
        if number % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """The whole file at once (csv_chunks joined)."""
    return b"".join(csv_chunks(header, rows))
