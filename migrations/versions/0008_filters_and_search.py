"""Filters and full-text search: folded actor/target/place keys on `claims` and the search
index (FTS5 on SQLite, a tsvector with a GIN index on PostgreSQL).

Everything here is derived from the log: the projection is set back to position 0, so the
tracker rebuilds it, and the new columns and index with it, right after the upgrade
(`store.catch_up`).

The index reads a claim's source text from the publishers and articles of 0007 (the
publisher's name), so it keeps no copy of its own.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("claims") as batch:
        batch.add_column(sa.Column("actor_key", sa.Text(), nullable=True))
        batch.add_column(sa.Column("target_key", sa.Text(), nullable=True))
        batch.add_column(sa.Column("place_key", sa.Text(), nullable=True))
    op.create_index("ix_claims_position", "claims", ["position"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE search_index (position BIGINT PRIMARY KEY, document TSVECTOR NOT NULL)"
        )
        op.execute("CREATE INDEX ix_search_index_document ON search_index USING GIN (document)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE search_index USING fts5("
            "summary, quote, subject, actor, target, place, source, "
            "tokenize = 'unicode61 remove_diacritics 0')"
        )
    op.execute("DELETE FROM claims")
    op.execute("UPDATE projection SET position = 0 WHERE name = 'claims'")


def downgrade() -> None:
    op.execute("DROP TABLE search_index")
    op.drop_index("ix_claims_position", "claims")
    with op.batch_alter_table("claims") as batch:
        batch.drop_column("place_key")
        batch.drop_column("target_key")
        batch.drop_column("actor_key")
    op.execute("UPDATE projection SET position = 0 WHERE name = 'claims'")
