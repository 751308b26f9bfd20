"""registration on the day: organisers may keep registration open until the visit ends

Revision ID: 7654701b23cf
Revises: a7c33ea47976
Create Date: 2026-12-04 14:56:04.006511

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7654701b23cf'
down_revision = 'a7c33ea47976'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN, not batch mode: on SQLite batch mode would copy the visits
    # table and lose its trigger (visit_counts_new_visit).
    op.add_column('visits', sa.Column('registration_on_the_day', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))


def downgrade():
    # SQLite (3.35+) drops a column in place; the trigger on visits stays.
    op.drop_column('visits', 'registration_on_the_day')
