"""Identity: folded attribute keys on `claims`, and the `subjects`, `attribute_names`,
`aliases` and `distinctions` projections.

Subject keys now fold Unicode (NFC) too, so every derived row is recomputed: the projection is
reset to position 0 and the tracker rebuilds it from the log (`tracker db upgrade` does, so
does `tracker db rebuild` and the next write); until then readers fold the log.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.drop_index("ix_claims_slot")
        batch.add_column(sa.Column("attribute_key", sa.Text(), nullable=True))
    op.execute("DELETE FROM claims")
    op.create_index(
        "ix_claims_slot",
        "claims",
        [
            "subject_key",
            "attribute_key",
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
        "subjects",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("spelling", sa.Text(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_subjects")),
    )
    op.create_table(
        "attribute_names",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("spelling", sa.Text(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_attribute_names")),
    )
    op.create_table(
        "aliases",
        sa.Column("name_key", sa.Text(), nullable=False),
        sa.Column("canonical_key", sa.Text(), nullable=False),
        sa.Column("root_key", sa.Text(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name_key", name=op.f("pk_aliases")),
    )
    op.create_index("ix_aliases_root_key", "aliases", ["root_key"])
    op.create_table(
        "distinctions",
        sa.Column("a_key", sa.Text(), nullable=False),
        sa.Column("b_key", sa.Text(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("a_key", "b_key", name=op.f("pk_distinctions")),
    )
    op.execute("UPDATE projection SET position = 0 WHERE name = 'claims'")


def downgrade() -> None:
    op.drop_table("distinctions")
    op.drop_index("ix_aliases_root_key", "aliases")
    op.drop_table("aliases")
    op.drop_table("attribute_names")
    op.drop_table("subjects")
    with op.batch_alter_table("claims") as batch:
        batch.drop_index("ix_claims_slot")
        batch.drop_column("attribute_key")
    op.execute("DELETE FROM claims")
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
    op.execute("UPDATE projection SET position = 0 WHERE name = 'claims'")
