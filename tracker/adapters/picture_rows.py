"""The claims a picture reads from the claims projection: those it can use (the day columns of
every observation sifted by `bounds.usable`) and the deprecated ones it hides and counts."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnClause, Connection, Select, func, literal_column, select

from tracker.adapters import filtering, names
from tracker.adapters.bulk import rows_by_keys, select_rows
from tracker.adapters.projection import state_of
from tracker.adapters.tables import claims
from tracker.domain.bounds import Bounds, usable
from tracker.domain.filters import ClaimFilter
from tracker.domain.fold import STATE_FIELDS, ClaimState
from tracker.domain.model import Publisher, subject_key

_ID_BATCH = 500  # claim ids per IN (...) query
COLUMNS = [claims.c[name] for name in STATE_FIELDS]
# As `ix_claims_deprecated`'s condition says it.
_DEPRECATED: ColumnClause[str] = literal_column("'deprecated'")


def pictured(
    conn: Connection,
    pictured_at: Sequence[date],
    subject: str | None,
    where: ClaimFilter | None = None,
    known: Mapping[str, Publisher] | None = None,
) -> Iterator[ClaimState]:
    """The active claim states that pictures at `pictured_at` (of `subject`, matched as
    `subject_key` does and through the aliases in force) can use, in no particular order.

    Claims not begun by the last of those days are left out, and so is every observation
    that no picture there can use (`bounds.usable`); deprecated claims are all kept, as a
    picture counts them. Of the occurrences only the deprecated ones are read: `occurrences`
    lists the rest. `where` (with `known`: publishers by key) keeps the claims a filter matches.
    """
    yield from deprecated(conn, max(pictured_at), subject, where, known or {})
    ids = _usable(conn, pictured_at, subject, where, known or {})
    for start in range(0, len(ids), _ID_BATCH):
        batch = ids[start : start + _ID_BATCH]
        yield from map(state_of, rows_by_keys(conn, claims, STATE_FIELDS, "id", batch))


def deprecated(
    conn: Connection,
    as_of: date,
    subject: str | None,
    where: ClaimFilter | None,
    known: Mapping[str, Publisher],
) -> list[ClaimState]:
    """The active deprecated claims begun by `as_of` (of `subject`, that `where` matches):
    a picture hides and counts them."""
    query = _deprecated(conn, select(*COLUMNS), as_of, subject, where, known)
    return list(map(state_of, select_rows(conn, query)))


def hidden(
    conn: Connection, as_of: date, where: ClaimFilter | None, known: Mapping[str, Publisher]
) -> int:
    """How many claims `deprecated` gives (of every subject): a picture's count of them."""
    query = _deprecated(conn, select(func.count()).select_from(claims), as_of, None, where, known)
    return int(conn.execute(query).scalar_one())


def _deprecated(
    conn: Connection,
    query: Select[Any],
    as_of: date,
    subject: str | None,
    where: ClaimFilter | None,
    known: Mapping[str, Publisher],
) -> Select[Any]:
    c = claims.c
    # The literal, not a bound parameter: it is what lets SQLite use the partial index.
    query = query.where(
        c.first_day <= as_of.toordinal(), c.retracted.is_(False), c.rank == _DEPRECATED
    )
    if subject is not None:
        query = query.where(c.subject_key.in_(names.members(conn, subject_key(subject))))
    return filtering.where(conn, query, where, known)


def _usable(
    conn: Connection,
    pictured_at: Sequence[date],
    subject: str | None,
    where: ClaimFilter | None,
    known: Mapping[str, Publisher],
) -> list[str]:
    """Ids of the observations that pictures at `pictured_at` (of `subject`) may use: the
    few day columns of every active observation, in slot order, through `bounds.usable`."""
    c = claims.c
    query = select(
        c.subject_key, c.attribute_key, c.first_day, c.last_day, c.end_day, c.position, c.id
    ).where(
        c.attribute.is_not(None),
        c.retracted.is_(False),
        c.rank != "deprecated",
        c.first_day <= max(pictured_at).toordinal(),
    )
    if subject is not None:
        query = query.where(c.subject_key.in_(names.members(conn, subject_key(subject))))
    query = filtering.where(conn, query, where, known)
    rows: list[Bounds] = select_rows(conn, query.order_by(c.subject_key, c.attribute_key))
    roots = names.roots(conn)
    if roots:  # slots group by the key a subject resolves to: regroup the aliased rows
        rows = sorted(
            ((roots.get(r[0], r[0]), *r[1:]) for r in rows),
            key=itemgetter(0, 1),
        )
    ids: set[str] = set()
    for day in pictured_at:
        ids.update(usable(rows, day.toordinal()))
    return sorted(ids)
