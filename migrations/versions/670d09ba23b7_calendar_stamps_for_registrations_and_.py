"""calendar stamps for registrations and once-approved bookings

registrations.feed_sequence / feed_changed_at: raised by each change of status, so an
attendee's feed raises SEQUENCE and DTSTAMP. showcase_bookings.approved_at: a booking
that was ever approved stays in the public calendars (CANCELLED once it is not);
bookings approved today count as approved when they were last changed.

Revision ID: 670d09ba23b7
Revises: 7654701b23cf
Create Date: 2026-12-04 14:56:02.339698

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '670d09ba23b7'
down_revision = '7654701b23cf'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feed_sequence', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('feed_changed_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('showcase_bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True))

    op.execute("UPDATE showcase_bookings SET approved_at = updated_at WHERE status = 'approved'")


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+, PostgreSQL): a batch rebuild of registrations on
    # SQLite would drop the triggers that keep visit_counts.
    op.execute("ALTER TABLE showcase_bookings DROP COLUMN approved_at")
    op.execute("ALTER TABLE registrations DROP COLUMN feed_changed_at")
    op.execute("ALTER TABLE registrations DROP COLUMN feed_sequence")
