"""organisations, their people's roles, co-organisers and venue partner links

Today's organisers and member businesses become one host organisation, named after
the existing visits' host (the earliest visit's), else "Host organisation": every
organiser is an owner of it, and every visit and member business belongs to it.
Nothing is made on an empty database.

``visits.organisation_id`` and ``member_businesses.organisation_id`` are NOT NULL
with a foreign key, which SQLite can only add by copying the table (batch mode).
migrations/env.py turns SQLite's foreign keys off while migrating, so dropping the
old copy cascades nothing; the copy of ``visits`` loses its trigger
(visit_counts_new_visit), which is made again here.

Revision ID: b7e4d2a9c310
Revises: c0517a9e2d41
Create Date: 2026-12-04 18:30:00

"""
import re
import unicodedata
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7e4d2a9c310'
down_revision = 'c0517a9e2d41'
branch_labels = None
depends_on = None

SQLITE_VISIT_TRIGGER = """CREATE TRIGGER visit_counts_new_visit AFTER INSERT ON visits
    BEGIN
        INSERT INTO visit_counts (visit_id, confirmed) VALUES (NEW.id, 0);
    END"""


def _slug(name):
    # As eventsapp.organisations.rules.slug_for was when this migration was written.
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80].strip("-") or "host"


def _one_organisation():
    """Make the one organisation of an existing database; its id, or None when the
    database holds no organiser, visit or member business."""
    connection = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("role", sa.String))
    visits = sa.table("visits", sa.column("id", sa.Integer), sa.column("host", sa.String),
                      sa.column("city", sa.String), sa.column("contact_email", sa.String),
                      sa.column("organisation_id", sa.Integer))
    businesses = sa.table("member_businesses", sa.column("id", sa.Integer),
                          sa.column("organisation_id", sa.Integer))
    organisers = connection.execute(
        sa.select(users.c.id).where(users.c.role == "organiser").order_by(users.c.id)
    ).scalars().all()
    first = connection.execute(
        sa.select(visits.c.host, visits.c.city, visits.c.contact_email)
        .order_by(visits.c.id).limit(1)).first()
    any_business = connection.execute(sa.select(businesses.c.id).limit(1)).first()
    if not organisers and first is None and any_business is None:
        return None
    name = " ".join((first.host if first else "").split())[:200] or "Host organisation"
    now = datetime.now(UTC)
    organisations = sa.table(
        "organisations", sa.column("id", sa.Integer), sa.column("name", sa.String),
        sa.column("slug", sa.String), sa.column("kind", sa.String),
        sa.column("default_city", sa.String), sa.column("default_host", sa.String),
        sa.column("contact_email", sa.String), sa.column("created_at", sa.DateTime),
        sa.column("updated_at", sa.DateTime))
    organisation_id = connection.execute(
        organisations.insert().values(
            name=name, slug=_slug(name), kind="host",
            default_city=first.city if first else "", default_host=name,
            contact_email=(first.contact_email or "") if first else "",
            created_at=now, updated_at=now)
        .returning(organisations.c.id)).scalar_one()
    members = sa.table("organisation_members", sa.column("organisation_id", sa.Integer),
                       sa.column("user_id", sa.Integer), sa.column("role", sa.String),
                       sa.column("created_at", sa.DateTime))
    if organisers:
        connection.execute(members.insert(), [
            {"organisation_id": organisation_id, "user_id": user_id, "role": "owner",
             "created_at": now} for user_id in organisers])
    connection.execute(visits.update().values(organisation_id=organisation_id))
    connection.execute(businesses.update().values(organisation_id=organisation_id))
    return organisation_id


def upgrade():
    op.create_table('organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.Enum('host', 'convenor', name='organisationkind', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.Column('default_city', sa.String(length=100), nullable=False),
    sa.Column('default_host', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisations')),
    sa.UniqueConstraint('name', name=op.f('uq_organisations_name')),
    sa.UniqueConstraint('slug', name=op.f('uq_organisations_slug'))
    )
    op.create_table('organisation_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('owner', 'organiser', 'viewer', name='organisationrole', native_enum=False, create_constraint=True, length=9), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_organisation_members_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_organisation_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_members')),
    sa.UniqueConstraint('user_id', 'organisation_id', name=op.f('uq_organisation_members_user_id_organisation_id'))
    )
    op.create_index(op.f('ix_organisation_members_organisation_id'), 'organisation_members', ['organisation_id'], unique=False)
    op.create_index(op.f('ix_organisation_members_user_id'), 'organisation_members', ['user_id'], unique=False)
    op.create_table('visit_co_organisers',
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_visit_co_organisers_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_visit_co_organisers_visit_id_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('visit_id', 'user_id', name=op.f('pk_visit_co_organisers'))
    )
    op.add_column('venues', sa.Column('partner_link_nonce', sa.String(length=64), nullable=True))
    # Added empty and filled before they become NOT NULL with their foreign keys.
    op.add_column('visits', sa.Column('organisation_id', sa.Integer(), nullable=True))
    op.add_column('member_businesses', sa.Column('organisation_id', sa.Integer(),
                                                 nullable=True))
    _one_organisation()
    for table in ('visits', 'member_businesses'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column('organisation_id', existing_type=sa.Integer(),
                                  nullable=False)
            batch_op.create_index(batch_op.f(f'ix_{table}_organisation_id'),
                                  ['organisation_id'], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f'fk_{table}_organisation_id_organisations'), 'organisations',
                ['organisation_id'], ['id'], ondelete='RESTRICT')
    _after_copy()


def _after_copy():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(SQLITE_VISIT_TRIGGER)
    broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"foreign keys broken by the table copies: {broken[:5]}")


def downgrade():
    for table in ('member_businesses', 'visits'):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_organisation_id_organisations'),
                                     type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_organisation_id'))
            batch_op.drop_column('organisation_id')
    _after_copy()
    op.drop_column('venues', 'partner_link_nonce')
    op.drop_table('visit_co_organisers')
    op.drop_index(op.f('ix_organisation_members_user_id'), table_name='organisation_members')
    op.drop_index(op.f('ix_organisation_members_organisation_id'), table_name='organisation_members')
    op.drop_table('organisation_members')
    op.drop_table('organisations')
