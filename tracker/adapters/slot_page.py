"""The first slots of a picture, found through the slot index: what a terminal's first screen
shows without working out every slot (issue 17).

A picture orders its slots by their key, (the subject key a subject resolves to, the attribute
key), in code-point order (`slots.slots` sorts the keys). `ix_claims_slot` starts with the
subject and attribute keys, so SQL can walk it in that order and stop after the first slots,
reading a few entries per slot. An aliased subject's claims belong to the slot of the key it
resolves to, wherever its own key sorts: the aliased keys (few: one per judgement) are read
whole and regrouped, the others in index order, and the two merged; a slot is read with all
its claims, under every name, so it is never split.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Select, select

from tracker.adapters import filtering, names, projection
from tracker.adapters.bulk import select_rows
from tracker.adapters.tables import claims
from tracker.domain.bounds import Bounds, usable
from tracker.domain.filters import ClaimFilter
from tracker.domain.fold import ClaimState
from tracker.domain.model import Publisher, subject_key

Slot = tuple[str, str]  # (the subject key it resolves to, the attribute key)

_KEY_BATCH = 500  # subject keys per IN (...) query
# Collations whose order is the code points', as Python's: any other is asked for "C".
_CODE_POINT_ORDER = {"c", "posix", "c.utf8", "c.utf-8", "ucs_basic"}


def first_slots(
    conn: Connection,
    as_of: date,
    subject: str | None,
    where: ClaimFilter | None,
    known: Mapping[str, Publisher],
    show_all: bool,
    limit: int,
) -> tuple[list[Slot], bool]:
    """The first `limit` slots a picture at `as_of` (of `subject`, of the claims `where`
    matches; deprecated ones counting only with `show_all`) shows, in its order; and whether
    more follow. A slot is shown when one of its claims is: active, begun by `as_of`."""
    c = claims.c
    roots = names.roots(conn)
    # Selected as ordered: DISTINCT asks for that.
    key = in_code_points(conn, c.subject_key, c.attribute_key)
    query = _shown(conn, select(*key), as_of, subject, where, known)
    if not show_all:
        query = query.where(c.rank != "deprecated")
    plain = query.where(c.subject_key.not_in(sorted(roots))) if roots else query
    first = plain.distinct().order_by(*key).limit(limit + 1)
    found: set[Slot] = {(key, attribute) for key, attribute in conn.execute(first)}
    if roots:
        aliased = query.where(c.subject_key.in_(sorted(roots))).distinct()
        found |= {(roots[key], attribute) for key, attribute in conn.execute(aliased)}
    # The first `limit + 1` plain slots and every aliased one hold the first `limit + 1` of all.
    ordered = sorted(found)
    return ordered[:limit], len(ordered) > limit


def slot_states(
    conn: Connection,
    slots: Sequence[Slot],
    as_of: date,
    where: ClaimFilter | None,
    known: Mapping[str, Publisher],
    ranks: bool,
) -> list[ClaimState]:
    """The claims of these slots (under every name read as their subject) that a picture at
    `as_of` of the claims `where` matches may use (`bounds.usable`, as `picture_rows.pictured`
    reads them); deprecated ones, all of them, only if `ranks`."""
    c = claims.c
    wanted = set(slots)
    roots = names.roots(conn)
    subjects = {key for key, _ in slots}
    keys = sorted(subjects | {name for name, root in roots.items() if root in subjects})
    attributes = sorted({attribute for _, attribute in slots})
    bounds: list[Bounds] = []
    deprecated: list[str] = []
    columns = (c.first_day, c.last_day, c.end_day, c.position, c.id, c.rank)
    for start in range(0, len(keys), _KEY_BATCH):
        query = _shown(
            conn, select(c.subject_key, c.attribute_key, *columns), as_of, None, where, known
        )
        query = query.where(
            c.subject_key.in_(keys[start : start + _KEY_BATCH]), c.attribute_key.in_(attributes)
        )
        for key, attribute, *bound, rank in select_rows(conn, query):
            slot = (roots.get(key, key), attribute)
            if slot not in wanted:
                continue
            if rank != "deprecated":
                bounds.append((*slot, *bound))
            elif ranks:
                deprecated.append(bound[-1])
    bounds.sort(key=itemgetter(0, 1))
    ids = sorted({*usable(bounds, as_of.toordinal()), *deprecated})
    return [
        state
        for start in range(0, len(ids), _KEY_BATCH)
        for state in projection.states_of(conn, ids[start : start + _KEY_BATCH])
    ]


def _shown(
    conn: Connection,
    query: Select[Any],
    as_of: date,
    subject: str | None,
    where: ClaimFilter | None,
    known: Mapping[str, Publisher],
) -> Select[Any]:
    """`query` on the observations a picture at `as_of` (of `subject`) may show."""
    c = claims.c
    query = query.where(
        c.attribute_key.is_not(None), c.retracted.is_(False), c.first_day <= as_of.toordinal()
    )
    if subject is not None:
        query = query.where(c.subject_key.in_(names.members(conn, subject_key(subject))))
    return filtering.where(conn, query, where, known)


def in_code_points(conn: Connection, *columns: Any) -> list[Any]:
    """`columns` to order by as Python orders strings (by code point): as they are where the
    database's collation does (SQLite's BINARY, PostgreSQL's "C"), else in "C" (an order an
    index of another collation cannot give, so PostgreSQL then sorts the rows)."""
    if conn.dialect.name != "postgresql":
        return list(columns)
    collation = conn.exec_driver_sql(
        "SELECT datcollate FROM pg_database WHERE datname = current_database()"
    ).scalar()
    if str(collation).lower() in _CODE_POINT_ORDER:
        return list(columns)
    return [column.collate("C") for column in columns]
