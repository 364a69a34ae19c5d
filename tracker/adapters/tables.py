"""The database schema (SQLAlchemy Core): one append-only log table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Dialect, Index, MetaData, String, Table, Text
from sqlalchemy.types import TypeDecorator

# The revision the code expects; a test checks it is Alembic's head.
SCHEMA_REVISION = "0002"

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
