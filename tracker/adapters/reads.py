"""Readers of the claims projection: the knowledge, the picture's claims, every claim
streamed, and the check of the projection against a fold of the log."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine

from tracker.adapters import projection, search
from tracker.adapters.logrows import read_entries, read_head, read_sources, translated
from tracker.adapters.occurrence_rows import occurrences
from tracker.domain.errors import StoreError
from tracker.domain.filters import ClaimFilter
from tracker.domain.fold import STATE_FIELDS, ClaimState, Knowledge, fold
from tracker.domain.model import Source
from tracker.domain.picture import OccurrenceView


@dataclass(frozen=True)
class Listing:
    """Which occurrences a picture read from the projection lists (see `Store.pictured`)."""

    as_of: date
    show_all: bool = False
    after: date | None = None  # only those whose start window begins after this day
    where: ClaimFilter | None = None  # only the claims this filter matches


class ProjectionReads:
    """The store's readers of the projection (`Store` is one)."""

    engine: Engine

    def projected(self, upto: int, where: ClaimFilter | None = None) -> Knowledge | None:
        """What the log knows at `upto` (of the claims `where` matches), read from the
        projection; None if it is not at `upto`.

        One snapshot: claims and sources agree.
        """
        with self._snapshot() as conn:
            sources = read_sources(conn)
            return _projected(conn, upto, projection.states(conn, where, sources), sources)

    def searched(
        self, upto: int, words: list[str], where: ClaimFilter | None, limit: int
    ) -> tuple[Knowledge, list[tuple[str, float]]] | None:
        """The claims having every one of `words`, best first, from the database's full-text
        index, with a knowledge holding them; None if the projection is not at `upto`."""
        with self._snapshot() as conn:
            sources = read_sources(conn)
            if projection.position(conn) != upto or read_head(conn).position != upto:
                return None
            hits = search.find(conn, words, where, sources, limit)
            ids = [claim_id for claim_id, _score in hits]
            states = projection.states_of(conn, ids)
            knowledge = _projected(conn, upto, states, sources)
        return (knowledge, hits) if knowledge is not None else None

    def pictured(
        self, upto: int, pictured_at: Sequence[date], subject: str | None, listing: Listing
    ) -> tuple[Knowledge, list[OccurrenceView]] | None:
        """What pictures at `pictured_at` (of `subject`) need of what the log knows at `upto`,
        read from the projection; None if it is not at `upto`.

        The knowledge holds only the active claims those pictures can use, and of the
        occurrences only the deprecated ones (a picture counts them): the occurrences a
        picture at `listing.as_of` lists come built by SQL. Sources are read whole. One
        snapshot: claims, occurrences and sources agree.
        """
        with self._snapshot() as conn:
            sources = read_sources(conn)
            claims = projection.pictured(conn, pictured_at, subject, listing.where, sources)
            knowledge = _projected(conn, upto, claims, sources)
            if knowledge is None:
                return None
            try:
                listed = occurrences(
                    conn,
                    listing.as_of,
                    knowledge.sources,
                    subject,
                    listing.show_all,
                    listing.after,
                    listing.where,
                )
            except KeyError:
                raise StoreError(_UNKNOWN_SOURCE) from None
        return knowledge, listed

    @contextmanager
    def current_claims(
        self, include_retracted: bool = True
    ) -> Iterator[tuple[dict[str, Source], Iterator[Sequence[Any]]]]:
        """Every source, and every claim's state at the head of the log as a row laid out as
        `STATE_FIELDS`, in the order first asserted. One snapshot, so the two agree.

        The rows stream from the projection. When it is behind the log, they are folded from
        the log in the same snapshot instead, which holds every state in memory: that is the
        readers' fallback, as in `projected`. Only a damaged projection is behind (appends keep
        it in step), and a reader does not take the writers' lock to rebuild it.
        """
        with self._snapshot() as conn:
            sources = read_sources(conn)
            if projection.position(conn) == read_head(conn).position:
                # Closed here, so its cursor is closed even when the reader stops early, before
                # the connection goes back to the pool.
                rows = projection.rows(conn, include_retracted)
                with closing(rows):
                    yield sources, _with_known_sources(rows, sources)
                return
            knowledge = fold(read_entries(conn, None, 0))
            states = sorted(knowledge.claims.values(), key=lambda s: s.position)
            yield (
                knowledge.sources,
                (projection.row_of(s) for s in states if include_retracted or s.active),
            )

    def projection_mismatch(self) -> str | None:
        """How the projection differs from a fold of the whole log; None when it equals it."""
        with self._snapshot() as conn:
            at, head = projection.position(conn), read_head(conn).position
            if at != head:
                return f"it reflects log position {at}, the log ends at {head}"
            folded = fold(read_entries(conn, None, 0)).claims
            stored = {state.claim.id: state for state in projection.states(conn)}
            indexed = search.count(conn)
        if folded == stored:
            if indexed != len(stored):
                return f"the search index holds {indexed} claims of {len(stored)}"
            return None
        claim = min(i for i in folded.keys() | stored.keys() if folded.get(i) != stored.get(i))
        return f"claim {claim!r} differs from the log"

    @contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        """A read transaction whose statements all see one state of the database."""
        with translated(), self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn


def _projected(
    conn: Connection, upto: int, states: Iterable[ClaimState], sources: dict[str, Source]
) -> Knowledge | None:
    """A knowledge of these states and every source, if the projection is at `upto`."""
    if projection.position(conn) != upto or read_head(conn).position != upto:
        return None
    knowledge = Knowledge(position=upto, sources=sources)
    for state in states:
        knowledge.claims[state.claim.id] = state
    if {s.claim.source_id for s in knowledge.claims.values()} - knowledge.sources.keys():
        raise StoreError(_UNKNOWN_SOURCE)
    return knowledge


_UNKNOWN_SOURCE = (
    "the claims projection names a source the log does not have (a damaged database?): "
    "run `tracker verify`, then `tracker db rebuild`"
)


def _with_known_sources(
    rows: Iterator[Sequence[Any]], sources: dict[str, Source]
) -> Iterator[Sequence[Any]]:
    for row in rows:
        if row[_SOURCE_ID] not in sources:
            raise StoreError(_UNKNOWN_SOURCE)
        yield row


_SOURCE_ID = STATE_FIELDS.index("source_id")
