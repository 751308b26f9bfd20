"""Hypothesis settings for the fuzz tests, and a way to start each example afresh.

The ``fuzz`` profile (the default) is derandomised: every run, in CI or on a laptop,
tries the same examples, and writes no example database (``ci``, chosen when CI is
set, is the same without shrinking). ``HYPOTHESIS_PROFILE=explore``
searches at random with more examples and keeps what it finds under ``.hypothesis/``
(git-ignored), so a failure found there is replayed first on the next explore run;
copy it into an ``@example`` to keep it covered by the fuzz profile too.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase

from eventsapp.extensions import db

_SUPPRESSED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
               HealthCheck.data_too_large]

settings.register_profile(
    "fuzz",
    max_examples=40,
    deadline=None,
    derandomize=True,
    print_blob=True,
    suppress_health_check=_SUPPRESSED,
)
# CI runs the same examples but does not shrink a failure (shrinking slow examples can
# take minutes per test): rerun the test locally to get the smallest failing input.
settings.register_profile(
    "ci",
    parent=settings.get_profile("fuzz"),
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
settings.register_profile(
    "explore",
    max_examples=300,
    deadline=None,
    print_blob=True,
    suppress_health_check=_SUPPRESSED,
    database=DirectoryBasedExampleDatabase(
        Path(__file__).resolve().parents[2] / ".hypothesis" / "examples"),
)
_DEFAULT = "ci" if os.environ.get("CI", "").lower() in ("1", "true", "yes") else "fuzz"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", _DEFAULT))


def reset_database() -> None:
    """Empty every table: many examples run inside one test function, and the ``app``
    fixture only empties the database after the whole test. DELETE, children first,
    rather than TRUNCATE: on a handful of rows it is many times faster on PostgreSQL."""
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def fresh(app):
    """Call ``fresh()`` at the start of each example: an empty database and a new,
    logged-out test client."""

    def start():
        reset_database()
        return app.test_client()

    return start
