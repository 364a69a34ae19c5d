"""The `claims` projection: the fold's claim states kept as rows, in step with the log.

Every append updates it in the same transaction, so readers at the head of the log can ask
SQL for the claims they need instead of decoding and folding the whole log. It is derived
data: `rebuild` recreates it from the log alone, and a test checks it equals the full fold.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from operator import attrgetter
from typing import Any

from sqlalchemy import (
    Connection,
    delete,
    insert,
    select,
    update,
)

from tracker.adapters import filtering, names, publishers, search, standing
from tracker.adapters.bulk import insert_rows, rows_by_keys
from tracker.adapters.tables import claims, projection
from tracker.domain.events import (
    ClaimAsserted,
    ClaimCorrected,
    ClaimRanked,
    ClaimReinstated,
    ClaimRetracted,
    Event,
    LogEntry,
)
from tracker.domain.filters import ClaimFilter
from tracker.domain.fold import STATE_FIELDS, ClaimState
from tracker.domain.identity import fold_attribute
from tracker.domain.model import CLAIM_FIELDS, Claim, Publisher, subject_key

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
    publishers.apply(conn, appended)
    pending: list[tuple[Any, ...]] = []
    active = 0  # how many more claims are active after these events
    for at, event in appended:
        if isinstance(event, ClaimAsserted):
            pending.append(_values(event.claim, at))
            active += 1
            continue
        if not isinstance(event, ClaimCorrected | ClaimRetracted | ClaimReinstated | ClaimRanked):
            continue  # sources, grades and import records are not claims
        _insert(conn, pending)
        pending = []
        if isinstance(event, ClaimCorrected):
            _correct(conn, event)
        elif isinstance(event, ClaimRetracted | ClaimReinstated):
            retracted = isinstance(event, ClaimRetracted)
            changed = conn.execute(
                update(claims)
                .where(claims.c.id == event.claim_id, claims.c.retracted.is_(not retracted))
                .values(retracted=retracted)
            ).rowcount
            active += -changed if retracted else changed
        else:
            conn.execute(
                update(claims).where(claims.c.id == event.claim_id).values(rank=event.rank)
            )
    _insert(conn, pending)
    standing.count_active(conn, active)
    names.apply(conn, appended)
    _set_position(conn, appended[-1][0])


def rebuild(conn: Connection, entries: Iterable[LogEntry]) -> int:
    """Recreate the projection from the log; returns the position it now reflects.

    The rows are deleted, then the entries go through `apply` `_BATCH` at a time, as if
    appended again: memory follows the batch, not the log (a fold first held every claim).
    """
    conn.execute(delete(claims))
    search.clear(conn)
    names.clear(conn)
    publishers.clear(conn)
    standing.clear(conn)
    at, batch = 0, list[tuple[int, Event]]()
    for entry in entries:
        batch.append((entry.position, entry.event))
        if len(batch) == _BATCH:
            apply(conn, batch)
            batch = []
        at = entry.position
    apply(conn, batch)
    _set_position(conn, at)
    return at


def states(
    conn: Connection,
    where: ClaimFilter | None = None,
    known: Mapping[str, Publisher] | None = None,
    keys: Sequence[str] | None = None,
) -> Iterator[ClaimState]:
    """Every claim state (that `where` matches, `known`: publishers by key, judging theirs;
    with `keys`, about these subject keys, found through the slot index), in the order they
    were first asserted."""
    with closing(rows(conn, where=where, known=known, keys=keys)) as every:
        yield from map(_state, every)


def states_of(conn: Connection, ids: Sequence[str]) -> list[ClaimState]:
    """The states of these claims (those the projection has)."""
    return list(map(_state, rows_by_keys(conn, claims, STATE_FIELDS, "id", list(ids))))


# The claim's fields in Claim's order, then its standing: a row builds a state positionally.
_COLUMNS = [claims.c[name] for name in STATE_FIELDS]
_N = len(CLAIM_FIELDS)


def _state(row: Sequence[Any]) -> ClaimState:
    return ClaimState(Claim(*row[:_N]), row[_N], bool(row[_N + 1]), row[_N + 2])


# A row of `claims` as `_values` gives it.
_ROW = (
    *CLAIM_FIELDS,
    "position",
    "retracted",
    "rank",
    "subject_key",
    "attribute_key",
    "first_day",
    "last_day",
    "end_day",
    "actor_key",
    "target_key",
    "place_key",
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
        fold_attribute(claim.attribute) if claim.attribute is not None else None,
        start.earliest.toordinal(),
        start.latest.toordinal(),
        end.latest.toordinal() if valid.is_span and end is not None else None,
        _key(claim.actor),
        _key(claim.target),
        _key(claim.place),
    )


def _key(name: str | None) -> str | None:
    return subject_key(name) if name is not None else None


def _insert(conn: Connection, rows: Iterable[tuple[Any, ...]]) -> None:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == _BATCH:
            _insert_batch(conn, batch)
            batch = []
    if batch:
        _insert_batch(conn, batch)


def _insert_batch(conn: Connection, batch: list[tuple[Any, ...]]) -> None:
    """Claim rows, and their text in the search index (same transaction)."""
    insert_rows(conn, claims, _ROW, batch)
    search.index(conn, _ROW, batch)


def _correct(conn: Connection, event: ClaimCorrected) -> None:
    """The new revision replaces the old row; position, retraction and rank stay. A claim
    moved to another slot (or id) leaves the old one in `earlier_slots`."""
    c = claims.c
    old = conn.execute(
        select(c.position, c.retracted, c.rank, c.subject_key, c.attribute_key).where(
            c.id == event.supersedes
        )
    ).one()
    replaced = (old.subject_key, old.attribute_key or "", event.supersedes)
    if replaced != standing.slot_of(event.claim, event.claim.id):
        standing.add_earlier(conn, replaced)
    conn.execute(delete(claims).where(c.id == event.supersedes))
    search.unindex(conn, int(old.position))
    _insert(conn, [_values(event.claim, int(old.position), bool(old.retracted), old.rank)])


def _set_position(conn: Connection, at: int) -> None:
    """Its one row updated, or written again if it was deleted (so a rebuild repairs that)."""
    done = conn.execute(update(projection).where(projection.c.name == NAME).values(position=at))
    if done.rowcount == 0:
        conn.execute(insert(projection).values(name=NAME, position=at))


def rows(
    conn: Connection,
    include_retracted: bool = True,
    where: ClaimFilter | None = None,
    known: Mapping[str, Publisher] | None = None,
    keys: Sequence[str] | None = None,
) -> Generator[Sequence[Any], None, None]:
    """Every claim state, in the order they were first asserted, as plain rows
    laid out as `STATE_FIELDS` (with `keys`, of the claims about these subject keys): for a
    reader that writes every claim out, building a `ClaimState` per claim costs about as much
    as the writing."""
    query = select(*_COLUMNS).order_by(claims.c.position)
    if not include_retracted:
        query = query.where(claims.c.retracted.is_(False))
    if keys is not None:
        query = query.where(claims.c.subject_key.in_(keys))
    query = filtering.where(conn, query, where, known or {})
    result = conn.execute(query.execution_options(yield_per=_BATCH))
    try:
        yield from result
    finally:
        result.close()  # a reader that stops early must not leave a server-side cursor open


# A whole row of `claims`, derived columns too, as `expected` lays it out: what `verify`
# compares (readers trust `subject_key` and the day columns as much as the rest).
ROW = _ROW


def state_of(row: Sequence[Any]) -> ClaimState:
    """A state from a row laid out as `STATE_FIELDS`."""
    return _state(row)


def expected(state: ClaimState) -> tuple[Any, ...]:
    """The row of `claims` the log gives this state, laid out as `ROW`."""
    return _values(state.claim, state.position, state.retracted, state.rank)


def row_of(state: ClaimState) -> tuple[Any, ...]:
    """A state laid out as `rows` yields it."""
    return (*vars(state.claim).values(), state.position, state.retracted, state.rank)
