"""confirmed registrations counted by triggers

visit_counts holds each visit's number of confirmed registrations, kept by triggers
in the transaction that changes a registration's status, so the capacity check
reads one row. A row is made for every visit (a trigger on visits) and filled here
for the visits that exist.

A later migration that rebuilds ``registrations`` or ``visits`` on SQLite (batch
mode copies the table) drops these triggers with the old table: it must create them
again (tests/test_migrations.py checks the counts at head).

Revision ID: a7c33ea47976
Revises: 73ae18eca267
Create Date: 2026-11-29 03:13:13.206778

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7c33ea47976'
down_revision = '73ae18eca267'
branch_labels = None
depends_on = None


SQLITE = [
    """CREATE TRIGGER visit_counts_new_visit AFTER INSERT ON visits
    BEGIN
        INSERT INTO visit_counts (visit_id, confirmed) VALUES (NEW.id, 0);
    END""",
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

POSTGRESQL = [
    """CREATE FUNCTION visit_counts_new_visit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO visit_counts (visit_id, confirmed) VALUES (NEW.id, 0);
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER visit_counts_new_visit AFTER INSERT ON visits
    FOR EACH ROW EXECUTE FUNCTION visit_counts_new_visit()""",
    """CREATE FUNCTION visit_counts_registration() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            IF OLD.status = 'confirmed' THEN
                UPDATE visit_counts SET confirmed = confirmed - 1
                    WHERE visit_id = OLD.visit_id;
            END IF;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            IF NEW.status = 'confirmed' THEN
                UPDATE visit_counts SET confirmed = confirmed + 1
                    WHERE visit_id = NEW.visit_id;
            END IF;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER visit_counts_insert_delete AFTER INSERT OR DELETE ON registrations
    FOR EACH ROW EXECUTE FUNCTION visit_counts_registration()""",
    """CREATE TRIGGER visit_counts_update AFTER UPDATE OF status, visit_id ON registrations
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
                       OR OLD.visit_id IS DISTINCT FROM NEW.visit_id)
    EXECUTE FUNCTION visit_counts_registration()""",
]

BACKFILL = """INSERT INTO visit_counts (visit_id, confirmed)
    SELECT visits.id, (SELECT count(*) FROM registrations
                       WHERE registrations.visit_id = visits.id
                         AND registrations.status = 'confirmed')
    FROM visits"""


def upgrade():
    op.create_table('visit_counts',
    sa.Column('visit_id', sa.Integer(), nullable=False),
    sa.Column('confirmed', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_visit_counts_visit_id_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('visit_id', name=op.f('pk_visit_counts'))
    )
    # Counted and triggered in one transaction on PostgreSQL; on SQLite, registrations
    # are not written while the app is being migrated.
    op.execute(BACKFILL)
    for statement in SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRESQL:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in ("visit_counts_new_visit", "visit_counts_insert", "visit_counts_delete",
                     "visit_counts_update"):
            op.execute(f"DROP TRIGGER {name}")
    else:
        op.execute("DROP TRIGGER visit_counts_new_visit ON visits")
        op.execute("DROP TRIGGER visit_counts_insert_delete ON registrations")
        op.execute("DROP TRIGGER visit_counts_update ON registrations")
        op.execute("DROP FUNCTION visit_counts_new_visit()")
        op.execute("DROP FUNCTION visit_counts_registration()")
    op.drop_table('visit_counts')
