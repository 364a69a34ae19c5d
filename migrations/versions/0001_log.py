"""The append-only log, with triggers that refuse UPDATE and DELETE.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tracker.adapters.tables import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_SQLITE_GUARDS = [
    """CREATE TRIGGER log_no_update BEFORE UPDATE ON log
       BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END""",
    """CREATE TRIGGER log_no_delete BEFORE DELETE ON log
       BEGIN SELECT RAISE(ABORT, 'the log is append-only'); END""",
]

_POSTGRES_GUARDS = [
    """CREATE FUNCTION log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'the log is append-only'; END $$""",
    """CREATE TRIGGER log_no_change BEFORE UPDATE OR DELETE ON log
       FOR EACH ROW EXECUTE FUNCTION log_refuse_change()""",
    """CREATE TRIGGER log_no_truncate BEFORE TRUNCATE ON log
       FOR EACH STATEMENT EXECUTE FUNCTION log_refuse_change()""",
]


def upgrade() -> None:
    op.create_table(
        "log",
        sa.Column("position", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("claim_id", sa.String(200), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_log")),
        sa.UniqueConstraint("event_id", name=op.f("uq_log_event_id")),
    )
    op.create_index("ix_log_claim_id", "log", ["claim_id"])
    op.create_index("ix_log_recorded_at", "log", ["recorded_at"])
    guards = _POSTGRES_GUARDS if op.get_bind().dialect.name == "postgresql" else _SQLITE_GUARDS
    for statement in guards:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE log")
        op.execute("DROP FUNCTION log_refuse_change()")
    else:
        op.drop_table("log")
