"""An index on log.kind: writers read every source registration without a full scan.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_log_kind", "log", ["kind"])


def downgrade() -> None:
    op.drop_index("ix_log_kind", table_name="log")
