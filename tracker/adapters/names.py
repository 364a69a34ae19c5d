"""The identity projections: subject keys with their first spelling, the aliases in force with
where each resolves, and the pairs judged distinct. Kept in step by `projection.apply`,
rebuilt with it, so readers never scan the log to learn who is who."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, delete, select, update

from tracker.adapters.bulk import insert_rows, rows_by_keys
from tracker.adapters.tables import aliases, attribute_names, claims, distinctions, subjects
from tracker.domain.events import (
    ClaimAsserted,
    ClaimCorrected,
    Event,
    SubjectAliased,
    SubjectDistinguished,
    SubjectUnaliased,
)
from tracker.domain.identity import Identity, fold_attribute, fold_name

_KEY_BATCH = 500


def apply(conn: Connection, appended: Sequence[tuple[int, Event]]) -> None:
    """Record the new spellings and judgements among the (position, event) pairs appended."""
    spelled: dict[str, tuple[str, int]] = {}
    attributes: dict[str, tuple[str, int]] = {}
    judged = False
    for at, event in appended:
        if isinstance(event, ClaimAsserted | ClaimCorrected):
            claim = event.claim
            spelled.setdefault(fold_name(claim.subject), (claim.subject, at))
            if claim.attribute is not None:
                attributes.setdefault(fold_attribute(claim.attribute), (claim.attribute, at))
            continue
        if not isinstance(event, SubjectAliased | SubjectUnaliased | SubjectDistinguished):
            continue
        judged = True
        if isinstance(event, SubjectAliased):
            spelled.setdefault(fold_name(event.name), (event.name, at))
            spelled.setdefault(fold_name(event.canonical), (event.canonical, at))
            name_key, canonical_key = fold_name(event.name), fold_name(event.canonical)
            conn.execute(delete(aliases).where(aliases.c.name_key == name_key))
            insert_rows(
                conn,
                aliases,
                ("name_key", "canonical_key", "root_key", "position", "reason"),
                [(name_key, canonical_key, canonical_key, at, event.reason)],
            )
        elif isinstance(event, SubjectUnaliased):
            conn.execute(delete(aliases).where(aliases.c.name_key == fold_name(event.name)))
        else:
            a, b = sorted((fold_name(event.a), fold_name(event.b)))
            known = select(distinctions.c.a_key).where(
                distinctions.c.a_key == a, distinctions.c.b_key == b
            )
            if conn.execute(known).first() is None:
                columns = ("a_key", "b_key", "position", "reason")
                insert_rows(conn, distinctions, columns, [(a, b, at, event.reason)])
    _add_spellings(conn, subjects, spelled)
    _add_spellings(conn, attribute_names, attributes)
    if judged:
        _resolve(conn)


def clear(conn: Connection) -> None:
    for table in (subjects, attribute_names, aliases, distinctions):
        conn.execute(delete(table))


def _add_spellings(conn: Connection, table: Table, spelled: dict[str, tuple[str, int]]) -> None:
    """Insert the keys not yet in `table` with their spelling: the first one recorded stays."""
    keys = list(spelled)
    new: list[tuple[Any, ...]] = []
    for start in range(0, len(keys), _KEY_BATCH):
        batch = keys[start : start + _KEY_BATCH]
        known = {row[0] for row in rows_by_keys(conn, table, ("key",), "key", batch)}
        new += [(key, *spelled[key]) for key in batch if key not in known]
    if new:
        insert_rows(conn, table, ("key", "spelling", "position"), new)


def _resolve(conn: Connection) -> None:
    """Recompute where every alias resolves (the table is small: one row per judgement)."""
    rows = conn.execute(select(aliases.c.name_key, aliases.c.canonical_key, aliases.c.root_key))
    current = {name: (canonical, root) for name, canonical, root in rows}
    identity = Identity(links={name: canonical for name, (canonical, _) in current.items()})
    for name, (_, root) in current.items():
        resolved = identity.canonical(name)
        if resolved != root:
            conn.execute(
                update(aliases).where(aliases.c.name_key == name).values(root_key=resolved)
            )


def roots(conn: Connection) -> dict[str, str]:
    """Each aliased subject key and the key it resolves to."""
    return dict(conn.execute(select(aliases.c.name_key, aliases.c.root_key)).all())


def members(conn: Connection, key: str) -> list[str]:
    """Every subject key read as the same entity as `key` (itself included)."""
    root = conn.execute(select(aliases.c.root_key).where(aliases.c.name_key == key)).scalar()
    root = root or key
    query = select(aliases.c.name_key).where(aliases.c.root_key == root)
    return sorted({root, *conn.execute(query).scalars()})


def read_identity(conn: Connection, keys: Iterable[str] | None = None) -> Identity:
    """The identity at the projection's position: the aliases in force, the distinct pairs,
    and the spellings of `keys` and of every aliased name (None: of every subject)."""
    links = dict(conn.execute(select(aliases.c.name_key, aliases.c.canonical_key)).all())
    distinct = {
        frozenset(pair)
        for pair in conn.execute(select(distinctions.c.a_key, distinctions.c.b_key)).all()
    }
    query = select(subjects.c.key, subjects.c.spelling)
    if keys is None:
        spellings = dict(conn.execute(query).all())
    else:
        wanted = sorted({*keys, *links, *links.values()})
        spellings = {}
        for start in range(0, len(wanted), _KEY_BATCH):
            batch = wanted[start : start + _KEY_BATCH]
            spellings.update(conn.execute(query.where(subjects.c.key.in_(batch))).all())
    attributes = dict(conn.execute(select(attribute_names.c.key, attribute_names.c.spelling)).all())
    return Identity(spellings=spellings, links=links, distinct=distinct, attributes=attributes)


def spell(conn: Connection, identity: Identity, keys: Iterable[str]) -> None:
    """Add to `identity` the spellings of those of `keys` it lacks (read for some keys only)."""
    missing = sorted(set(keys) - identity.spellings.keys())
    query = select(subjects.c.key, subjects.c.spelling)
    for start in range(0, len(missing), _KEY_BATCH):
        batch = missing[start : start + _KEY_BATCH]
        identity.spellings.update(conn.execute(query.where(subjects.c.key.in_(batch))).all())


def attributes(conn: Connection, keys: Sequence[str]) -> dict[str, dict[str, str]]:
    """For each of these subject keys, the folded attributes of its observations, each with
    its first recorded spelling."""
    c = claims.c
    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(keys), _KEY_BATCH):
        query = (
            select(c.subject_key, c.attribute_key, c.attribute)
            .where(c.subject_key.in_(list(keys[start : start + _KEY_BATCH])))
            .where(c.attribute_key.is_not(None))
            .order_by(c.position)
        )
        for key, attribute_key, spelling in conn.execute(query):
            found.setdefault(key, {}).setdefault(attribute_key, spelling)
    return found
