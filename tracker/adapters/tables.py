"""The database schema (SQLAlchemy Core).

`log` is the truth, append-only. `claims`, `publishers`, `articles` and `projection` are
derived from it: every claim's latest revision and standing, every publisher with its grade and
every article, as of the log position in `projection`, kept in step by each append and rebuilt
from the log by `tracker db rebuild`; so are the names (`subjects`, `attribute_names`,
`aliases`, `distinctions`), the slots claims were corrected away from (`earlier_slots`) and the
counts (`tallies`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.types import TypeDecorator

# The revision the code expects; a test checks it is Alembic's head.
SCHEMA_REVISION = "0012"

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite has no time zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the log")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        """A stored value that is not a time reads as None (the store then names its position)
        rather than failing the whole read."""
        inner = super().result_processor(dialect, coltype)

        def process(value: Any) -> datetime | None:
            try:
                return inner(value) if inner is not None else value
            except (ValueError, TypeError):
                return None

        return process

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


log = Table(
    "log",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("claim_id", String(200), nullable=True),
    Column("payload", Text, nullable=False),
    Column("hash", String(64), nullable=False),
)
Index("ix_log_claim_id", log.c.claim_id)
Index("ix_log_recorded_at", log.c.recorded_at)
Index("ix_log_kind", log.c.kind)


def renumbering(find: str) -> str:
    """The corrections that give a claim another id (`find`: the backend's substring search):
    those whose payload does not name their own id as the one they supersede. Text, the same
    in the index and in the query, so that both backends match the query to the index."""
    return (
        f"kind = 'claim.corrected' AND {find}(payload, '\"supersedes\":\"' || claim_id || '\"') = 0"
    )


RENUMBERING = {"sqlite": renumbering("instr"), "postgresql": renumbering("strpos")}
# The partial indexes' predicates are written in their migrations only, not here: a dialect
# keyword (`postgresql_where`) makes SQLAlchemy import that dialect's whole package to check
# it, ~150 M instructions (a tenth) of a SQLite `show`; autogenerate compares no predicate, and
# nothing makes these tables from this metadata.
# A partial index of the log: the few corrections that renumber a claim, which writers read
# to know a claim under every id it had (`knowing.renumberings`). Derived by the database from
# the log's own rows: nothing to rebuild.
Index("ix_log_renumbering", log.c.claim_id)  # WHERE RENUMBERING[dialect] (migration 0011)

# One row per claim ever asserted (its id after any correction), with its latest revision.
# `first_day`/`last_day` are the day ordinals of the start window and `end_day` the last day
# of a closed span's end window (NULL when nothing ends it), so a query can ask which claims
# have begun, and which have certainly ended, by a valid date without parsing dates.
claims = Table(
    "claims",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("retracted", Boolean, nullable=False),
    Column("rank", Text, nullable=False),
    Column("subject_key", Text, nullable=False),
    Column("first_day", Integer, nullable=False),
    Column("last_day", Integer, nullable=False),
    Column("end_day", Integer),
    Column("type", Text, nullable=False),
    Column("date", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("source_id", Text, nullable=False),
    Column("attribute", Text),
    Column("attribute_key", Text),  # the attribute folded (`identity.fold_attribute`)
    Column("value", Text),
    Column("unit", Text),
    Column("actor", Text),
    Column("target", Text),
    Column("place", Text),
    Column("quote", Text),
    Column("originator", Text),
    Column("credibility", Text, nullable=False),
    # Folded like `subject_key`, for the filters (`--mentions`, `--place`): SPEC §11.
    Column("actor_key", Text),
    Column("target_key", Text),
    Column("place_key", Text),
)
# In slot order and covering what a picture asks of the observations (`picture_rows._usable`),
# so that query reads this index alone; its prefix serves `--subject`.
Index(
    "ix_claims_slot",
    claims.c.subject_key,
    claims.c.attribute_key,
    claims.c.first_day,
    claims.c.last_day,
    claims.c.end_day,
    claims.c.position,
    claims.c.rank,
    claims.c.retracted,
    claims.c.id,
)

# The search index (`search_index`) joins a claim by the position it was first asserted at.
Index("ix_claims_position", claims.c.position)
# The occurrences, newest first (`occurrence_rows`): `show --limit N` reads N entries from
# this index's end instead of sorting every occurrence, and counts the rest in it alone.
Index(
    "ix_claims_newest",
    claims.c.first_day,
    claims.c.last_day,
    claims.c.position,
    claims.c.retracted,
    claims.c.rank,
)  # WHERE attribute IS NULL (migration 0009)
# The deprecated claims (few), which a picture hides and counts (`picture_rows.deprecated`).
Index("ix_claims_deprecated", claims.c.first_day)  # WHERE rank = 'deprecated' (migration 0012)

# The full-text index is not in this metadata: it is a different object on each backend (an
# FTS5 virtual table on SQLite, a table with a tsvector and a GIN index on PostgreSQL), made by
# migration 0008 and kept by `adapters/search.py`. Schema comparisons leave its names alone.
SEARCH_TABLE = "search_index"


def in_metadata(name: str | None, type_: str, _parents: object = None) -> bool:
    """Alembic's `include_name`: whether a database object is compared with this metadata."""
    return not (type_ == "table" and name is not None and name.startswith(SEARCH_TABLE))


# The log position the `claims` projection reflects (one row).
projection = Table(
    "projection",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

# One row per publisher (folded name): its name as first recorded, its grade (NULL: not judged).
publishers = Table(
    "publishers",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("name", Text, nullable=False),
    Column("grade", String(1)),
)

# One row per article (a claim's `source_id`), as first recorded, under its publisher's key.
articles = Table(
    "articles",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("publisher_key", String(200), nullable=False),
    Column("name", Text, nullable=False),
    Column("url", Text),
    Column("title", Text),
    Column("published", Text),
    Column("retrieved", Text),
    Column("reliability", String(1), nullable=False),
)
Index("ix_articles_publisher_key", articles.c.publisher_key)
# Every folded subject name the log has recorded (from claims and judgements), with its first
# recorded spelling, the one views show.
subjects = Table(
    "subjects",
    metadata,
    Column("key", Text, primary_key=True),
    Column("spelling", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
)

# Every folded attribute with its first recorded spelling, the one views show.
attribute_names = Table(
    "attribute_names",
    metadata,
    Column("key", Text, primary_key=True),
    Column("spelling", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
)

# The aliases in force: `name_key` reads as `canonical_key`, and `root_key` is where that
# resolves transitively (what a slot groups by).
aliases = Table(
    "aliases",
    metadata,
    Column("name_key", Text, primary_key=True),
    Column("canonical_key", Text, nullable=False),
    Column("root_key", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),  # why, for whoever reads the table with SQL
)
Index("ix_aliases_root_key", aliases.c.root_key)

# Pairs of subject keys judged distinct (`a_key` < `b_key`).
distinctions = Table(
    "distinctions",
    metadata,
    Column("a_key", Text, primary_key=True),
    Column("b_key", Text, primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
)

# The slots claims were corrected away from: for every `claim.corrected` that moved a claim to
# another slot or id, the (folded subject, folded attribute, id) of the revision it replaced
# (`attribute_key` '' for an occurrence). With `claims` (the latest revisions) they name every
# slot any revision of a claim was about, so `history SUBJECT` finds its claims by index.
earlier_slots = Table(
    "earlier_slots",
    metadata,
    Column("subject_key", Text, primary_key=True),
    Column("attribute_key", Text, primary_key=True),
    Column("claim_id", String(200), primary_key=True),
)

# Counts kept in step with `claims`, by name (`active_claims`: the claims not retracted), so
# `tracker info` reads them instead of counting every row.
tallies = Table(
    "tallies",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", BigInteger, nullable=False),
)
