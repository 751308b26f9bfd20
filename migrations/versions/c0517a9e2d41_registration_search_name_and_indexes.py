"""registration search name and the indexes that keep costs flat

``registrations.search_name``: the full name and organisation folded (case, accents
and runs of spaces left out), one line each, filled here for existing rows. Searches
match it with LIKE; on PostgreSQL a pg_trgm GIN index serves LIKE '%term%' (and
another one the email), on SQLite the indexes are plain. ``(visit_id, queued_at, id)``
lets the registrations list read only its page.

pg_trgm is a trusted extension (PostgreSQL 13 and later): the database's owner can
create it; it ships with PostgreSQL's contrib package.

Revision ID: c0517a9e2d41
Revises: ee3c3d46ba1c
Create Date: 2026-12-04 16:20:00

"""
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c0517a9e2d41'
down_revision = 'ee3c3d46ba1c'
branch_labels = None
depends_on = None

BATCH = 1000


def _folded(text):
    # As eventsapp.registration.models.folded was when this migration was written.
    decomposed = unicodedata.normalize("NFKD", " ".join((text or "").split()).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _backfill() -> None:
    registrations = sa.table("registrations", sa.column("id", sa.Integer),
                             sa.column("full_name", sa.String),
                             sa.column("organisation", sa.String),
                             sa.column("search_name", sa.Text))
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(registrations.c.id, registrations.c.full_name,
                      registrations.c.organisation)
            .where(registrations.c.id > last).order_by(registrations.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(
            registrations.update().where(registrations.c.id == sa.bindparam("row_id"))
            .values(search_name=sa.bindparam("value")),
            [{"row_id": id_, "value": f"{_folded(name)}\n{_folded(organisation)}"}
             for id_, name, organisation in rows])
        last = rows[-1][0]


def upgrade():
    # A plain ADD COLUMN on SQLite too (no batch copy of the table and its triggers).
    op.add_column('registrations', sa.Column('search_name', sa.Text(), server_default='',
                                             nullable=False))
    _backfill()
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_index('ix_registrations_visit_queue', 'registrations',
                    ['visit_id', 'queued_at', 'id'], unique=False)
    op.create_index('ix_registrations_search_name', 'registrations', ['search_name'],
                    unique=False, postgresql_using='gin',
                    postgresql_ops={'search_name': 'gin_trgm_ops'})
    op.create_index('ix_registrations_email_key_search', 'registrations', ['email_key'],
                    unique=False, postgresql_using='gin',
                    postgresql_ops={'email_key': 'gin_trgm_ops'})


def downgrade():
    op.drop_index('ix_registrations_email_key_search', table_name='registrations')
    op.drop_index('ix_registrations_search_name', table_name='registrations')
    op.drop_index('ix_registrations_visit_queue', table_name='registrations')
    op.drop_column('registrations', 'search_name')  # no batch copy (and its triggers)
    # pg_trgm stays: other databases' objects may use it.
