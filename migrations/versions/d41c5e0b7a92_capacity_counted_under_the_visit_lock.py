"""confirmed registrations counted under the visit's lock: no visit_counts

The capacity check counts a visit's confirmed registrations under the visit's lock
instead of reading a row that triggers kept, so ``visit_counts``, its triggers and
(on PostgreSQL) their functions go. The count is served by the index on
``registrations (visit_id, status, queued_at)`` (ix_registrations_visit_status, from
the initial schema), whose first two columns are the ones counted: no new index.

A downgrade makes the table and its triggers again as a7c33ea47976 did, counting
the registrations there are.

Revision ID: d41c5e0b7a92
Revises: a7e223641692
Create Date: 2026-12-04 18:40:00

"""
import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd41c5e0b7a92'
down_revision = 'a7e223641692'
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = ("visit_counts_new_visit", "visit_counts_insert", "visit_counts_delete",
                   "visit_counts_update")


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # IF EXISTS: a batch rebuild of a table drops its triggers with the old copy.
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS visit_counts_new_visit ON visits")
        op.execute("DROP TRIGGER IF EXISTS visit_counts_insert_delete ON registrations")
        op.execute("DROP TRIGGER IF EXISTS visit_counts_update ON registrations")
        op.execute("DROP FUNCTION IF EXISTS visit_counts_new_visit()")
        op.execute("DROP FUNCTION IF EXISTS visit_counts_registration()")
    op.drop_table('visit_counts')
    indexes = {index["name"] for index in sa.inspect(op.get_bind()).get_indexes("registrations")}
    if "ix_registrations_visit_status" not in indexes:
        op.create_index("ix_registrations_visit_status", "registrations",
                        ["visit_id", "status", "queued_at"])


def downgrade():
    # The table, its count of what is there and its triggers, as the revision that
    # first made them (loaded from its file: one copy of the trigger SQL).
    path = Path(__file__).with_name("a7c33ea47976_confirmed_registrations_counted_by_.py")
    spec = importlib.util.spec_from_file_location("a7c33ea47976", path)
    earlier = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(earlier)
    earlier.upgrade()
