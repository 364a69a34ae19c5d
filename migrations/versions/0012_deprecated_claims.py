"""The deprecated claims: a partial index on `claims` (deprecated ones only), so that a picture
reads the claims it hides and counts (few) without scanning every claim; the first screen of
`show` at 1,000,000 claims spent half its time on that scan (issue 17).

An index only: derived, nothing to rebuild.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_claims_deprecated",
        "claims",
        ["first_day"],
        sqlite_where=sa.text("rank = 'deprecated'"),
        postgresql_where=sa.text("rank = 'deprecated'"),
    )


def downgrade() -> None:
    op.drop_index("ix_claims_deprecated", "claims")
