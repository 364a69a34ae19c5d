"""Narrow reads: `earlier_slots` (the slots claims were corrected away from, for `history`)
and `tallies` (counts kept in step, for `info`), projections of the log.

Created empty, and the claims projection is set back to position 0, so the tracker rebuilds
every projection from the log on the next `tracker db upgrade` or write, as after 0007.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "earlier_slots",
        sa.Column("subject_key", sa.Text(), nullable=False),
        sa.Column("attribute_key", sa.Text(), nullable=False),
        sa.Column("claim_id", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint(
            "subject_key", "attribute_key", "claim_id", name=op.f("pk_earlier_slots")
        ),
    )
    op.create_table(
        "tallies",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_tallies")),
    )
    op.execute("UPDATE projection SET position = 0")


def downgrade() -> None:
    op.drop_table("tallies")
    op.drop_table("earlier_slots")
