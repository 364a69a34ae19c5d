"""A `ClaimFilter` as SQL on the claims projection (the fold keeps `ClaimFilter.matches`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from sqlalchemy import Connection, Select, bindparam, false, or_, select

from tracker.adapters import names
from tracker.adapters.tables import articles, claims
from tracker.domain.filters import ClaimFilter
from tracker.domain.model import Publisher

Query = TypeVar("Query", bound=Select)  # type: ignore[type-arg]


def where(
    conn: Connection,
    query: Query,
    wanted: ClaimFilter | None,
    publishers: Mapping[str, Publisher],
) -> Query:
    """`query` on `claims` narrowed to the claims `wanted` matches, with `publishers` (every
    publisher and its grade, in the same snapshot) deciding the publisher's part: a claim's
    publisher is its article's (`articles.publisher_key`). A
    `--mentions` name finds every name aliased with it (`names.members`)."""
    if wanted is None or wanted.empty:
        return query
    c = claims.c
    if wanted.types:
        query = query.where(c.type.in_(sorted(wanted.types)))
    if wanted.places:
        query = query.where(c.place_key.in_(sorted(wanted.places)))
    if wanted.mentions:
        keys = sorted({k for m in wanted.mentions for k in names.members(conn, m)})
        query = query.where(
            or_(c.subject_key.in_(keys), c.actor_key.in_(keys), c.target_key.in_(keys))
        )
    if wanted.min_credibility is not None:
        query = query.where(c.credibility <= wanted.min_credibility)
    if wanted.by_source:
        keys = sorted(wanted.publisher_keys(publishers))
        # Inlined, not bound: a log may hold many publishers, more than a driver's parameters.
        chosen = articles.c.publisher_key.in_(
            bindparam("filter_publishers", keys, expanding=True, literal_execute=True)
        )
        query = query.where(
            c.source_id.in_(select(articles.c.id).where(chosen)) if keys else false()
        )
    return query
