"""Reading the log table: entries decoded and checked, the head; driver errors
translated into one readable line."""

from __future__ import annotations

import json
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Row, select
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from tracker.adapters.tables import log
from tracker.domain.errors import CorruptEntry, StoreError
from tracker.domain.events import (
    GENESIS_HASH,
    JUDGEMENT_KINDS,
    LogEntry,
    TypeDefined,
    claim_id_of,
)

# Claim ids per IN (...) query.
_ID_BATCH = 500


@dataclass(frozen=True)
class Head:
    position: int
    hash: str
    recorded_at: datetime | None


def read_head(conn: Connection) -> Head:
    row = conn.execute(
        select(log.c.position, log.c.hash, log.c.recorded_at)
        .order_by(log.c.position.desc())
        .limit(1)
    ).first()
    if row is None:
        return Head(0, GENESIS_HASH, None)
    return Head(int(row.position), row.hash, row.recorded_at)


def read_types(conn: Connection) -> list[TypeDefined]:
    """The types the log defines, in order: read through the `kind` index, never a fold of
    the whole log (a handful of rows, read by every command that checks a type)."""
    query = select(log).where(log.c.kind == TypeDefined.kind).order_by(log.c.position)
    return [cast(TypeDefined, decode_entry(row).event) for row in conn.execute(query)]


def read_claim_entries(conn: Connection, claim_ids: Sequence[str]) -> list[LogEntry]:
    """Every event of these claims, in position order, read through the claim id index."""
    ids = sorted(set(claim_ids))
    entries: list[LogEntry] = []
    for start in range(0, len(ids), _ID_BATCH):
        batch = select(log).where(log.c.claim_id.in_(ids[start : start + _ID_BATCH]))
        entries += [decode_entry(row) for row in conn.execute(batch)]
    entries.sort(key=lambda e: e.position)
    return entries


def read_judgements(conn: Connection) -> list[LogEntry]:
    """The judgements about names, in order, read through the `kind` index (they are few)."""
    query = select(log).where(log.c.kind.in_(JUDGEMENT_KINDS)).order_by(log.c.position)
    return [decode_entry(row) for row in conn.execute(query)]


def read_entries(conn: Connection, upto: int | None, after: int) -> Generator[LogEntry, None, None]:
    query = select(log).where(log.c.position > after).order_by(log.c.position)
    if upto is not None:
        query = query.where(log.c.position <= upto)
    result = conn.execute(query.execution_options(yield_per=2000))
    try:
        for row in result:
            yield decode_entry(row)
    finally:
        result.close()  # a reader that stops early must not leave a server-side cursor open


def decode_entry(row: Row[Any]) -> LogEntry:
    if row.recorded_at is None:
        raise CorruptEntry(int(row.position), "recorded_at is not a time")
    try:
        payload = json.loads(row.payload)
    except (ValueError, RecursionError):
        raise CorruptEntry(int(row.position), "payload is not JSON") from None
    if not isinstance(payload, dict):
        raise CorruptEntry(int(row.position), "payload is not a JSON object")
    entry = LogEntry(int(row.position), row.event_id, row.recorded_at, row.kind, payload, row.hash)
    try:
        entry.event  # noqa: B018 - decoded now (and cached), so a bad one is named here
    except (ValueError, KeyError, TypeError):
        raise CorruptEntry(entry.position, f"payload is not a {entry.kind} event") from None
    # Not covered by the hash, but trusted: `history` and writers find a claim's events by it.
    if row.claim_id != claim_id_of(entry.event):
        raise CorruptEntry(entry.position, "its claim_id column does not match its payload")
    return entry


@contextmanager
def translated() -> Iterator[None]:
    """Driver errors become StoreError with one readable line."""
    try:
        yield
    except IntegrityError as error:
        raise StoreError(f"the log refused the write: {_first_line(error)}") from error
    except DBAPIError as error:
        raise StoreError(describe(error)) from error
    except SQLAlchemyError as error:
        raise StoreError(f"database error: {_first_line(error)}") from error
    except UnicodeDecodeError:
        raise StoreError(
            "the database file is corrupt (it holds bytes that are not text)"
        ) from None


def describe(error: DBAPIError) -> str:
    text = _first_line(error)
    lowered = text.lower()
    if "file is not a database" in lowered or "file is encrypted" in lowered:
        return "the database file is not a SQLite database (or is corrupt)"
    if "database disk image is malformed" in lowered:
        return "the database file is corrupt (database disk image is malformed)"
    if "unable to open database file" in lowered:
        return "cannot open the database file (missing directory or no permission)"
    if "readonly database" in lowered or "read-only" in lowered:
        return "the database is read-only: nothing was written"
    if "database is locked" in lowered:
        return (
            "the database stayed locked by another writer too long; nothing was written, try again"
        )
    if "disk is full" in lowered or "no space left" in lowered:
        return "the disk is full: nothing was written"
    if "append-only" in lowered:
        return "the log is append-only: updates and deletes are refused"
    if "connection" in lowered and ("refused" in lowered or "failed" in lowered):
        return f"cannot connect to the database: {text}"
    return f"database error: {text}"


def _first_line(error: Exception) -> str:
    original = getattr(error, "orig", None) or error
    return (str(original).strip().splitlines() or [type(original).__name__])[0]
