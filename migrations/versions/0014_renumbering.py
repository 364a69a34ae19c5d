"""The corrections that give a claim another id: a partial index of the log holding only
them, so that a writer finds every id a claim had without reading every correction.

An index only: derived by the database from the log's rows, nothing to rebuild.

Revision ID: 0014
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0010"
branch_labels = None
depends_on = None

# As `tracker.adapters.tables.RENUMBERING` (a migration keeps its own copy: it must not change).
_WHERE = "kind = 'claim.corrected' AND {find}(payload, '\"supersedes\":\"' || claim_id || '\"') = 0"


def upgrade() -> None:
    op.create_index(
        "ix_log_renumbering",
        "log",
        ["claim_id"],
        sqlite_where=sa.text(_WHERE.format(find="instr")),
        postgresql_where=sa.text(_WHERE.format(find="strpos")),
    )


def downgrade() -> None:
    op.drop_index("ix_log_renumbering", "log")
