"""outbox: sender's display name and Reply-To per message

Revision ID: 5e1d17a4b0c2
Revises: 64e41bd88b5a
Create Date: 2026-12-04 19:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e1d17a4b0c2'
down_revision = '64e41bd88b5a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('from_name', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('reply_to', sa.String(length=254), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('reply_to')
        batch_op.drop_column('from_name')
