"""Claims streamed with their articles, for the exports that write every claim out: no
reader holds every article (one per claim when every row cites its own)."""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from tracker.adapters import projection
from tracker.adapters.tables import articles, claims
from tracker.domain.fold import STATE_FIELDS, ClaimState, Knowledge
from tracker.domain.model import Source

_ARTICLE_FIELDS = ("id", "name", "url", "title", "published", "retrieved", "reliability")
# Where a row's article starts.
_ARTICLE = len(STATE_FIELDS)
_FETCH = 5000


def cited_rows(
    conn: Connection, include_retracted: bool = True, by_day: bool = False
) -> Generator[tuple[Any, ...], None, None]:
    """Every claim state laid out as `STATE_FIELDS`, then its article's fields as `Source`
    lays them out (None when the projection has no such article), in the order first
    asserted (`by_day`: by the first day of their windows, then that order), streamed: a
    reader that writes every claim out need not hold every article."""
    order = (claims.c.first_day, claims.c.position) if by_day else (claims.c.position,)
    query = (
        select(*(claims.c[n] for n in STATE_FIELDS), *(articles.c[n] for n in _ARTICLE_FIELDS))
        .select_from(claims.outerjoin(articles, articles.c.id == claims.c.source_id))
        .order_by(*order)
    )
    if not include_retracted:
        query = query.where(claims.c.retracted.is_(False))
    result = conn.execute(query.execution_options(yield_per=_FETCH))
    try:
        for row in result:
            yield tuple(row)
    finally:
        result.close()  # a reader that stops early must not leave a server-side cursor open


def with_sources(
    rows: Iterator[Sequence[Any]], known: Knowledge
) -> Iterator[tuple[ClaimState, Source]]:
    """(state, article as views show it) of rows laid out as `cited_rows` yields them;
    `known` holds every publisher."""
    for row in rows:
        state = projection.state_of(row)
        known.sources = {state.claim.source_id: Source(*row[_ARTICLE:])}
        yield state, known.source_of(state.claim)


def by_day(
    cited: Iterator[tuple[ClaimState, Source]],
) -> Iterator[tuple[ClaimState, Source]]:
    """Claims ordered by the first day of their windows, put in `history.timeline`'s order
    one day at a time."""
    day: list[tuple[ClaimState, Source]] = []
    for pair in cited:
        if day and pair[0].claim.valid.window.earliest != day[0][0].claim.valid.window.earliest:
            yield from sorted(day, key=_timeline_order)
            day = []
        day.append(pair)
    yield from sorted(day, key=_timeline_order)


def _timeline_order(pair: tuple[ClaimState, Source]) -> tuple[date, int]:
    state = pair[0]
    return state.claim.valid.window.latest, state.position
