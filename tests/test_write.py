"""write(): the one write transaction commits at the end of its block and rolls back
on any exception, leaving nothing half-saved."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from eventsapp.db import write
from eventsapp.visits.models import Visit
from tests.support import make_visit


def _title(db, slug: str) -> str:
    db.session.rollback()
    return db.session.scalar(select(Visit.title).where(Visit.slug == slug))


def test_the_block_commits_when_it_ends(db):
    visit = make_visit(slug="write-commits", title="Before")
    with write():
        db.session.get(Visit, visit.id).title = "After"
    assert _title(db, "write-commits") == "After"


def test_an_exception_rolls_everything_back(db):
    visit = make_visit(slug="write-rolls-back", title="Before")
    with pytest.raises(LookupError), write():
        db.session.get(Visit, visit.id).title = "Half saved"
        db.session.flush()
        raise LookupError("a rule refused")
    assert _title(db, "write-rolls-back") == "Before"
