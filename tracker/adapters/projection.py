"""The `claims` projection: the fold's claim states kept as rows, in step with the log.

Every append updates it in the same transaction, so readers at the head of the log can ask
SQL for the claims they need instead of decoding and folding the whole log. It is derived
data: `rebuild` recreates it from the log alone, and a test checks it equals the full fold.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from operator import attrgetter
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    Select,
    and_,
    case,
    delete,
    func,
    or_,
    select,
    union,
    update,
)

from tracker.adapters.bulk import insert_rows, rows_by_keys
from tracker.adapters.tables import claims, projection
from tracker.domain.events import (
    ClaimAsserted,
    ClaimCorrected,
    ClaimRanked,
    ClaimRetracted,
    Event,
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


def apply(conn: Connection, appended: Sequence[tuple[int, Event]]) -> None:
    """Bring the projection up to the last of the (position, event) pairs just appended.

    Assertions are inserted in batches; any other claim event first flushes the batch, so a
    claim asserted and then corrected, retracted or ranked in one append ends as the fold says.
    """
    if not appended:
        return
    pending: list[tuple[Any, ...]] = []
    for at, event in appended:
        if isinstance(event, ClaimAsserted):
            pending.append(_values(event.claim, at))
            continue
        if not isinstance(event, ClaimCorrected | ClaimRetracted | ClaimRanked):
            continue  # sources and import records are not claims
        _insert(conn, pending)
        pending = []
        if isinstance(event, ClaimCorrected):
            _correct(conn, event)
        elif isinstance(event, ClaimRetracted):
            conn.execute(update(claims).where(claims.c.id == event.claim_id).values(retracted=True))
        else:
            conn.execute(
                update(claims).where(claims.c.id == event.claim_id).values(rank=event.rank)
            )
    _insert(conn, pending)
    _set_position(conn, appended[-1][0])


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
    pictured_at: Sequence[date] = (),
) -> Iterator[ClaimState]:
    """Claim states: in the order they were first asserted, unless `pictured_at` is given.

    `seen_by`: only claims whose start window has begun by that day. `subject`: only that
    subject, matched as `subject_key` does. `pictured_at`: the pictures will be built at these
    days, so an observation that no picture there can use is left out (see `_usable`).
    """
    c = claims.c
    query = select(*_COLUMNS)
    if seen_by is not None:
        query = query.where(c.first_day <= seen_by.toordinal())
    if subject is not None:
        query = query.where(c.subject_key == subject_key(subject))
    if not include_retracted:
        query = query.where(c.retracted.is_(False))
    if pictured_at:
        usable = union(*(_usable(day.toordinal(), subject) for day in pictured_at))
        query = query.where(
            or_(c.attribute.is_(None), c.rank == "deprecated", c.id.in_(select(usable.subquery())))
        )
    else:
        query = query.order_by(c.position)  # a picture sorts for itself
    result = conn.execute(query.execution_options(yield_per=5000))
    try:
        for row in result:
            yield _state(row)
    finally:
        result.close()


def states_of(conn: Connection, claim_ids: Sequence[str]) -> list[ClaimState]:
    """The states of these claims (those the projection has), in no particular order."""
    names = [column.name for column in _COLUMNS]
    return [_state(row) for row in rows_by_keys(conn, claims, names, "id", claim_ids)]


def _usable(day: int, subject: str | None) -> Select[tuple[str]]:
    """Ids of the active, not deprecated observations a picture at `day` may use.

    A picture uses, per slot, the claims no later claim follows (`picture._current`), among
    those begun by `day` and, for a possible value, among those certainly begun and not ended
    by then; it shows the subject of the slot's first claim. Let `top` be the latest first day
    in a slot and `top_last` the latest last day among the claims starting on `top`: a claim
    starting before `top` and ending its start window by `top_last` is followed by that claim,
    so only claims starting on `top` or ending after `top_last` can be current. The same
    bound is taken over the definite claims. Deprecated claims are all kept by the caller.
    """
    c = claims.c
    definite = and_(c.last_day <= day, or_(c.end_day.is_(None), c.end_day >= day)).label("definite")
    slot = (c.subject_key, c.attribute)
    begun = select(
        c.id,
        c.subject_key,
        c.attribute,
        c.first_day,
        c.last_day,
        c.position,
        definite,
        func.max(c.first_day).over(partition_by=slot).label("top"),
        func.max(case((definite, c.first_day))).over(partition_by=slot).label("top_definite"),
        func.min(c.position).over(partition_by=slot).label("first_position"),
    ).where(
        c.attribute.is_not(None),
        c.retracted.is_(False),
        c.rank != "deprecated",
        c.first_day <= day,
    )
    if subject is not None:
        begun = begun.where(c.subject_key == subject_key(subject))
    b = begun.subquery()
    by_slot = (b.c.subject_key, b.c.attribute)
    top_definite = and_(b.c.definite, b.c.first_day == b.c.top_definite)
    bounded = select(
        b,
        func.max(case((b.c.first_day == b.c.top, b.c.last_day)))
        .over(partition_by=by_slot)
        .label("top_last"),
        func.max(case((top_definite, b.c.last_day)))
        .over(partition_by=by_slot)
        .label("top_last_definite"),
    ).subquery()
    n = bounded.c
    return select(n.id).where(
        or_(
            n.position == n.first_position,
            n.first_day == n.top,
            n.last_day > n.top_last,
            and_(
                n.definite,
                or_(n.first_day == n.top_definite, n.last_day > n.top_last_definite),
            ),
        )
    )


# The claim's fields in Claim's order, then its standing: a row builds a state positionally.
_COLUMNS = [
    *(claims.c[name] for name in CLAIM_FIELDS),
    claims.c.position,
    claims.c.retracted,
    claims.c.rank,
]
_N = len(CLAIM_FIELDS)


def _state(row: Row[Any] | tuple[Any, ...]) -> ClaimState:
    return ClaimState(Claim(*row[:_N]), row[_N], bool(row[_N + 1]), row[_N + 2])


# A row of `claims` as `_values` gives it.
_ROW = (
    *CLAIM_FIELDS,
    "position",
    "retracted",
    "rank",
    "subject_key",
    "first_day",
    "last_day",
    "end_day",
)
_claim_fields = attrgetter(*CLAIM_FIELDS)


def _values(
    claim: Claim, at: int, retracted: bool = False, rank: str = "normal"
) -> tuple[Any, ...]:
    valid = claim.valid
    start, end = valid.start, valid.end
    return (
        *_claim_fields(claim),
        at,
        retracted,
        rank,
        subject_key(claim.subject),
        start.earliest.toordinal(),
        start.latest.toordinal(),
        end.latest.toordinal() if valid.is_span and end is not None else None,
    )


def _insert(conn: Connection, rows: Iterable[tuple[Any, ...]]) -> None:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == _BATCH:
            insert_rows(conn, claims, _ROW, batch)
            batch = []
    if batch:
        insert_rows(conn, claims, _ROW, batch)


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
