"""tours: convenor, stops, travel legs, tour registrations

Revision ID: a7e223641692
Revises: b7e4d2a9c310
Create Date: 2026-12-04 18:28:53.157556

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7e223641692'
down_revision = 'b7e4d2a9c310'
branch_labels = None
depends_on = None

# As migration a7c33ea47976 made them (SQLite's copy of registrations drops them).
SQLITE_REGISTRATION_TRIGGERS = [
    """CREATE TRIGGER visit_counts_insert AFTER INSERT ON registrations
    WHEN NEW.status = 'confirmed'
    BEGIN
        UPDATE visit_counts SET confirmed = confirmed + 1 WHERE visit_id = NEW.visit_id;
    END""",
    """CREATE TRIGGER visit_counts_delete AFTER DELETE ON registrations
    WHEN OLD.status = 'confirmed'
    BEGIN
        UPDATE visit_counts SET confirmed = confirmed - 1 WHERE visit_id = OLD.visit_id;
    END""",
    """CREATE TRIGGER visit_counts_update AFTER UPDATE OF status, visit_id ON registrations
    WHEN OLD.status IS NOT NEW.status OR OLD.visit_id IS NOT NEW.visit_id
    BEGIN
        UPDATE visit_counts SET confirmed = confirmed - 1
            WHERE visit_id = OLD.visit_id AND OLD.status = 'confirmed';
        UPDATE visit_counts SET confirmed = confirmed + 1
            WHERE visit_id = NEW.visit_id AND NEW.status = 'confirmed';
    END""",
]


def upgrade():
    op.create_table('tour_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tour_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('live', 'cancelled', name='tourregistrationstatus', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('email_key', sa.String(length=254), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('dietary', sa.String(length=500), nullable=False),
    sa.Column('access_needs', sa.String(length=1000), nullable=False),
    sa.Column('token_nonce', sa.String(length=64), nullable=False),
    sa.Column('manage_token_hash', sa.String(length=64), nullable=False),
    sa.Column('feed_token_hash', sa.String(length=64), nullable=False),
    sa.Column('feed_sequence', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tour_id'], ['tours.id'], name=op.f('fk_tour_registrations_tour_id_tours'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tour_registrations')),
    sa.UniqueConstraint('feed_token_hash', name=op.f('uq_tour_registrations_feed_token_hash')),
    sa.UniqueConstraint('manage_token_hash', name=op.f('uq_tour_registrations_manage_token_hash'))
    )
    with op.batch_alter_table('tour_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tour_registrations_tour_id'), ['tour_id'], unique=False)
        batch_op.create_index('uq_tour_registrations_live_email', ['tour_id', 'email_key'], unique=True, sqlite_where=sa.text("status != 'cancelled'"), postgresql_where=sa.text("status != 'cancelled'"))

    op.create_table('tour_stops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tour_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tour_id'], ['tours.id'], name=op.f('fk_tour_stops_tour_id_tours'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_tour_stops_visit_id_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tour_stops'))
    )
    with op.batch_alter_table('tour_stops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tour_stops_tour_id'), ['tour_id'], unique=False)
        batch_op.create_index('uq_tour_stops_live_visit', ['visit_id'], unique=True, sqlite_where=sa.text('removed_at IS NULL'), postgresql_where=sa.text('removed_at IS NULL'))

    op.create_table('travel_legs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tour_id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=255), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('mode', sa.Enum('rail', 'coach', 'car', 'air', 'walk', 'other', name='travelmode', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('from_visit_id', sa.Integer(), nullable=True),
    sa.Column('to_visit_id', sa.Integer(), nullable=True),
    sa.Column('departs_from', sa.String(length=200), nullable=False),
    sa.Column('departs_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('arrives_at_place', sa.String(length=200), nullable=False),
    sa.Column('arrives_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['from_visit_id'], ['visits.id'], name=op.f('fk_travel_legs_from_visit_id_visits'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['to_visit_id'], ['visits.id'], name=op.f('fk_travel_legs_to_visit_id_visits'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tour_id'], ['tours.id'], name=op.f('fk_travel_legs_tour_id_tours'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_travel_legs')),
    sa.UniqueConstraint('uid', name=op.f('uq_travel_legs_uid'))
    )
    with op.batch_alter_table('travel_legs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_travel_legs_tour_id'), ['tour_id'], unique=False)

    op.create_table('tour_leg_choices',
    sa.Column('tour_registration_id', sa.Integer(), nullable=False),
    sa.Column('leg_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['leg_id'], ['travel_legs.id'], name=op.f('fk_tour_leg_choices_leg_id_travel_legs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tour_registration_id'], ['tour_registrations.id'], name=op.f('fk_tour_leg_choices_tour_registration_id_tour_registrations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tour_registration_id', 'leg_id', name=op.f('pk_tour_leg_choices'))
    )
    _add_tour_registration_column()

    # tours has no triggers, so SQLite's table copy (batch) loses nothing.
    with op.batch_alter_table('tours', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('summary', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('all_or_nothing', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_tours_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_tours_organisation_id_organisations'), 'organisations', ['organisation_id'], ['id'], ondelete='RESTRICT')
    # Visits already on a tour become its stops, in date order.
    op.execute("""INSERT INTO tour_stops (tour_id, visit_id, position, created_at)
                  SELECT tour_id, id, 0, created_at FROM visits WHERE tour_id IS NOT NULL""")
    op.execute("""UPDATE tour_stops SET position = (
                  SELECT count(*) FROM tour_stops AS earlier
                  JOIN visits AS ev ON ev.id = earlier.visit_id
                  JOIN visits AS v ON v.id = tour_stops.visit_id
                  WHERE earlier.tour_id = tour_stops.tour_id
                    AND (ev.start_date < v.start_date
                         OR (ev.start_date = v.start_date AND ev.id < v.id)))""")


def _add_tour_registration_column():
    """On SQLite the foreign key needs a copy of registrations (batch mode), which
    drops the triggers that keep visit_counts: they are made again after it."""
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tour_registration_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_registrations_tour_registration_id'), ['tour_registration_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_registrations_tour_registration_id_tour_registrations'), 'tour_registrations', ['tour_registration_id'], ['id'], ondelete='SET NULL')
    _registration_triggers()


def _registration_triggers():
    if op.get_bind().dialect.name != "sqlite":
        return
    existing = {name for (name,) in op.get_bind().exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    for statement in SQLITE_REGISTRATION_TRIGGERS:
        if statement.split()[2] not in existing:
            op.execute(statement)


def downgrade():
    with op.batch_alter_table('tours', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tours_organisation_id_organisations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_tours_organisation_id'))
        batch_op.drop_column('updated_at')
        batch_op.drop_column('all_or_nothing')
        batch_op.drop_column('summary')
        batch_op.drop_column('organisation_id')

    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_registrations_tour_registration_id_tour_registrations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_registrations_tour_registration_id'))
        batch_op.drop_column('tour_registration_id')
    _registration_triggers()

    op.drop_table('tour_leg_choices')
    with op.batch_alter_table('travel_legs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_travel_legs_tour_id'))

    op.drop_table('travel_legs')
    with op.batch_alter_table('tour_stops', schema=None) as batch_op:
        batch_op.drop_index('uq_tour_stops_live_visit', sqlite_where=sa.text('removed_at IS NULL'), postgresql_where=sa.text('removed_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_tour_stops_tour_id'))

    op.drop_table('tour_stops')
    with op.batch_alter_table('tour_registrations', schema=None) as batch_op:
        batch_op.drop_index('uq_tour_registrations_live_email', sqlite_where=sa.text("status != 'cancelled'"), postgresql_where=sa.text("status != 'cancelled'"))
        batch_op.drop_index(batch_op.f('ix_tour_registrations_tour_id'))

    op.drop_table('tour_registrations')
