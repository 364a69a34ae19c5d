"""The `claims` projection: each claim's latest revision and standing, derived from the log.

Created empty at position 0; the tracker fills it from the log (`tracker db upgrade` does, and
so does `tracker db rebuild`), and until then readers fold the log as before.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("retracted", sa.Boolean(), nullable=False),
        sa.Column("rank", sa.Text(), nullable=False),
        sa.Column("subject_key", sa.Text(), nullable=False),
        sa.Column("first_day", sa.Integer(), nullable=False),
        sa.Column("last_day", sa.Integer(), nullable=False),
        sa.Column("end_day", sa.Integer(), nullable=True),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("date", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("source_id", sa.Text(), nullable=False),
        sa.Column("attribute", sa.Text(), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("unit", sa.Text(), nullable=True),
        sa.Column("actor", sa.Text(), nullable=True),
        sa.Column("target", sa.Text(), nullable=True),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("quote", sa.Text(), nullable=True),
        sa.Column("originator", sa.Text(), nullable=True),
        sa.Column("credibility", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
    )
    op.create_index(
        "ix_claims_slot",
        "claims",
        [
            "subject_key",
            "attribute",
            "first_day",
            "last_day",
            "end_day",
            "position",
            "rank",
            "retracted",
            "id",
        ],
    )
    op.create_table(
        "projection",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_projection")),
    )
    op.execute("INSERT INTO projection (name, position) VALUES ('claims', 0)")


def downgrade() -> None:
    op.drop_table("projection")
    op.drop_table("claims")
