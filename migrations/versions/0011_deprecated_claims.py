"""The deprecated claims: a partial index on `claims` (deprecated ones only), so that a picture
reads the claims it hides and counts (few) without scanning every claim; the first screen of
`show` at 1,000,000 claims spent half its time on that scan (issue 17).

An index only: derived, nothing to rebuild.

Revision ID: 0011
Revises: 0014 (main took 0014 first, on 0010: 0011 follows it so one head remains)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0014"
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
