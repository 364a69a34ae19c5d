"""Publishers and articles: projections of the sources a log cites (SPEC §9).

Created empty, and the claims projection is set back to position 0, so the tracker rebuilds
every projection from the log on the next `tracker db upgrade` or write, as after 0003.

Revision ID: 0007
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publishers",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("grade", sa.String(1), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_publishers")),
    )
    op.create_table(
        "articles",
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("publisher_key", sa.String(200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("published", sa.Text(), nullable=True),
        sa.Column("retrieved", sa.Text(), nullable=True),
        sa.Column("reliability", sa.String(1), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
    )
    op.create_index("ix_articles_publisher_key", "articles", ["publisher_key"])
    op.execute("UPDATE projection SET position = 0")


def downgrade() -> None:
    op.drop_index("ix_articles_publisher_key", table_name="articles")
    op.drop_table("articles")
    op.drop_table("publishers")
