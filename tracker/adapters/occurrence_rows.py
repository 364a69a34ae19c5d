"""The occurrences a picture lists, built by SQL on the claims projection: ordered by the
database, and made from rows without a `Claim` each (a picture may list hundreds of thousands).
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, func, select

from tracker.adapters import filtering, names
from tracker.adapters.bulk import select_rows
from tracker.adapters.tables import articles, claims
from tracker.domain.dates import date_label
from tracker.domain.filters import ClaimFilter
from tracker.domain.identity import Identity
from tracker.domain.model import Publisher, subject_key
from tracker.domain.picture import OccurrenceView, certainty

# Rows fetched at a time when the occurrences are streamed (`streamed`).
_FETCH = 5000


def occurrences(
    conn: Connection,
    as_of: date,
    publishers: Mapping[str, Publisher],
    identity: Identity,
    subject: str | None = None,
    show_all: bool = False,
    after: date | None = None,
    where: ClaimFilter | None = None,
    limit: int | None = None,
) -> tuple[list[OccurrenceView], int]:
    """The occurrences a picture at `as_of` lists, newest first, as `picture._occurrences`
    builds them, but ordered by SQL and built from rows without a `Claim` each; and how many
    more `limit` left out.

    `after`: only those whose start window begins after that day (what a diff lists).
    `limit`: the newest `limit` only (the index `ix_claims_newest` is read from its end and
    stops there; the rest are counted, not read).
    `publishers`: every publisher by key, with its grade; a claim's publisher is its
    article's (a join). `identity` gains the spellings of the subjects listed that it lacks.
    """
    query = _listed(conn, as_of, publishers, subject, show_all, after, where)
    more = 0
    if limit is not None:
        # Counted in the index alone (`ix_claims_newest` holds what the conditions read, but
        # a filter's or a subject's): the join to articles is for the rows' publisher only.
        counted = select(func.count()).select_from(claims)
        if query.whereclause is not None:  # it always has one; for the type checker
            counted = counted.where(query.whereclause)
        total = conn.scalar(counted)
        more = max(0, (total or 0) - limit)
    query = _newest_first(query)
    if limit is not None:
        query = query.limit(limit)
    rows = select_rows(conn, query)
    names.spell(conn, identity, {row[10] for row in rows})  # if read for some subjects only
    return list(_views(rows, as_of, publishers, identity)), more


def streamed(
    conn: Connection,
    as_of: date,
    publishers: Mapping[str, Publisher],
    after: date | None = None,
    where: ClaimFilter | None = None,
) -> Generator[OccurrenceView, None, None]:
    """Every occurrence `occurrences` lists (not deprecated, of every subject), in its order,
    built `_FETCH` rows at a time as they are read, each batch with the names of its own
    subjects only: for a writer of every occurrence, whose memory then follows a batch, not
    the picture. Close it (or read it to the end) before the connection's transaction ends."""
    query = _newest_first(_listed(conn, as_of, publishers, None, False, after, where))
    result = conn.execute(query.execution_options(yield_per=_FETCH))
    try:
        for batch in result.partitions():
            identity = names.read_identity(conn, {row[10] for row in batch})
            yield from _views(batch, as_of, publishers, identity)
    finally:
        result.close()  # a reader that stops early must not leave a server-side cursor open


def _listed(
    conn: Connection,
    as_of: date,
    publishers: Mapping[str, Publisher],
    subject: str | None,
    show_all: bool,
    after: date | None,
    where: ClaimFilter | None,
) -> Select[Any]:
    """The occurrences' rows a picture at `as_of` lists, in no order."""
    c = claims.c
    query = (
        select(
            c.id,
            c.type,
            c.date,
            c.subject,
            c.summary,
            articles.c.publisher_key,
            c.actor,
            c.target,
            c.place,
            func.coalesce(c.end_day, c.last_day),
            c.subject_key,
            c.credibility,
        )
        .select_from(claims.outerjoin(articles, c.source_id == articles.c.id))
        .where(c.attribute.is_(None), c.retracted.is_(False), c.first_day <= as_of.toordinal())
    )
    if not show_all:
        query = query.where(c.rank != "deprecated")
    if subject is not None:
        query = query.where(c.subject_key.in_(names.members(conn, subject_key(subject))))
    if after is not None:
        query = query.where(c.first_day > after.toordinal())
    return filtering.where(conn, query, where, publishers)


def _newest_first(query: Select[Any]) -> Select[Any]:
    c = claims.c
    return query.order_by(c.first_day.desc(), c.last_day.desc(), c.position.desc())


def _views(
    rows: Iterable[Sequence[Any]],
    as_of: date,
    publishers: Mapping[str, Publisher],
    identity: Identity,
) -> Generator[OccurrenceView, None, None]:
    """Views of rows laid out as `_listed` selects them. KeyError: a row whose article the
    projection does not have."""
    named = {key: (p.name,) for key, p in publishers.items()}
    grades = {key: p.reliability for key, p in publishers.items()}
    day = date.fromordinal
    shown: dict[str, tuple[str, tuple[str, ...]]] = {}
    for row in rows:
        claim_id, kind, text, _, summary, source, actor, target, place, latest, key, credibility = (
            row
        )
        if key not in shown:
            shown[key] = identity.shown([key])
        who, aliases = shown[key]
        yield OccurrenceView(
            claim_id,
            kind,
            text,
            date_label(text),
            certainty(day(latest), as_of),
            who,
            summary,
            named[source],
            actor,
            target,
            place,
            aliases,
            grades[source] + credibility,
        )
