"""The `claims` projection: the fold's claim states kept as rows, in step with the log.

Every append updates it in the same transaction, so readers at the head of the log can ask
SQL for the claims they need instead of decoding and folding the whole log. It is derived
data: `rebuild` recreates it from the log alone, and a test checks it equals the full fold.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, insert, select, update

from tracker.adapters.tables import claims, projection
from tracker.domain.events import (
    ClaimAsserted,
    ClaimCorrected,
    ClaimRanked,
    ClaimRetracted,
    LogEntry,
)
from tracker.domain.fold import ClaimState, fold
from tracker.domain.model import CLAIM_FIELDS, Claim, subject_key

NAME = "claims"
_BATCH = 5000


def position(conn: Connection) -> int:
    """The log position the projection reflects."""
    value = conn.execute(select(projection.c.position).where(projection.c.name == NAME)).scalar()
    return int(value or 0)


def apply(conn: Connection, entries: Sequence[LogEntry]) -> None:
    """Bring the projection from the position before `entries` to the last of them.

    Runs of one event kind become one executemany; the order of the runs is kept, so a claim
    asserted and corrected in one append ends as the fold says.
    """
    if not entries:
        return
    for _kind, run in groupby(entries, key=lambda e: e.kind):
        group = [(e.position, e.event) for e in run]
        asserted = [_values(e.claim, at) for at, e in group if isinstance(e, ClaimAsserted)]
        _insert(conn, asserted)
        for _at, event in group:
            if isinstance(event, ClaimCorrected):
                _correct(conn, event)
        retracted = [{"key": e.claim_id} for _, e in group if isinstance(e, ClaimRetracted)]
        if retracted:
            conn.execute(
                update(claims).where(claims.c.id == bindparam("key")).values(retracted=True),
                retracted,
            )
        ranked = [
            {"key": e.claim_id, "new_rank": e.rank} for _, e in group if isinstance(e, ClaimRanked)
        ]
        if ranked:
            conn.execute(
                update(claims)
                .where(claims.c.id == bindparam("key"))
                .values(rank=bindparam("new_rank")),
                ranked,
            )
    _set_position(conn, entries[-1].position)


def rebuild(conn: Connection, entries: Iterable[LogEntry]) -> int:
    """Recreate the projection from the log; returns the position it now reflects."""
    knowledge = fold(entries)
    conn.execute(delete(claims))
    states = sorted(knowledge.claims.values(), key=lambda s: s.position)
    _insert(conn, (_values(s.claim, s.position, s.retracted, s.rank) for s in states))
    _set_position(conn, knowledge.position)
    return knowledge.position


def states(
    conn: Connection,
    seen_by: date | None = None,
    subject: str | None = None,
    include_retracted: bool = True,
) -> Iterator[ClaimState]:
    """Claim states in the order they were first asserted.

    `seen_by`: only claims whose start window has begun by that day (what a picture at that
    valid date can use). `subject`: only that subject, matched as `subject_key` does.
    """
    query = select(claims).order_by(claims.c.position)
    if seen_by is not None:
        query = query.where(claims.c.first_day <= seen_by.toordinal())
    if subject is not None:
        query = query.where(claims.c.subject_key == subject_key(subject))
    if not include_retracted:
        query = query.where(claims.c.retracted.is_(False))
    result = conn.execute(query.execution_options(yield_per=5000))
    try:
        for row in result:
            yield _state(row)
    finally:
        result.close()


def _state(row: Row[Any]) -> ClaimState:
    claim = Claim(*(row._mapping[name] for name in CLAIM_FIELDS))
    return ClaimState(claim, int(row.position), bool(row.retracted), row.rank)


def _values(claim: Claim, at: int, retracted: bool = False, rank: str = "normal") -> dict[str, Any]:
    start = claim.valid.start
    return {
        **vars(claim),
        "position": at,
        "retracted": retracted,
        "rank": rank,
        "subject_key": subject_key(claim.subject),
        "first_day": start.earliest.toordinal(),
        "last_day": start.latest.toordinal(),
    }


def _insert(conn: Connection, rows: Iterable[dict[str, Any]]) -> None:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == _BATCH:
            conn.execute(insert(claims), batch)
            batch = []
    if batch:
        conn.execute(insert(claims), batch)


def _correct(conn: Connection, event: ClaimCorrected) -> None:
    """The new revision replaces the old row; position, retraction and rank stay."""
    old = conn.execute(
        select(claims.c.position, claims.c.retracted, claims.c.rank).where(
            claims.c.id == event.supersedes
        )
    ).one()
    conn.execute(delete(claims).where(claims.c.id == event.supersedes))
    _insert(conn, [_values(event.claim, int(old.position), bool(old.retracted), old.rank)])


def _set_position(conn: Connection, at: int) -> None:
    conn.execute(update(projection).where(projection.c.name == NAME).values(position=at))
