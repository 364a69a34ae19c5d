"""The occurrences newest first: a partial index on `claims` (occurrences only), so that
`show --limit N` (and `show` on a terminal) reads N rows instead of sorting them all.

An index only: derived, nothing to rebuild.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_claims_newest",
        "claims",
        ["first_day", "last_day", "position", "retracted", "rank"],
        sqlite_where=sa.text("attribute IS NULL"),
        postgresql_where=sa.text("attribute IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_claims_newest", "claims")
