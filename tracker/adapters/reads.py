"""Readers of the claims projection: the knowledge, the picture's claims, every claim
streamed, and the check of the projection against a fold of the log."""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine

from tracker.adapters import cited, names, projection, publishers, search, standing
from tracker.adapters.logrows import read_entries, read_head, translated
from tracker.adapters.occurrence_rows import occurrences
from tracker.adapters.replay import Replay, replaying
from tracker.adapters.touching import Touching, touching
from tracker.domain.errors import ChainBroken, CorruptEntry, StoreError
from tracker.domain.events import Chain, LogEntry
from tracker.domain.filters import ClaimFilter
from tracker.domain.fold import STATE_FIELDS, ClaimState, Knowledge, fold
from tracker.domain.history import timeline
from tracker.domain.identity import Identity
from tracker.domain.model import Publisher, Source, subject_key
from tracker.domain.picture import OccurrenceView

# Entries replayed at a time by `audit`.
_BATCH = 5000


@dataclass(frozen=True)
class Audit:
    """What `ProjectionReads.audit` found: the log's head; where and why its chain breaks;
    that the projection is ahead of it (how, as `shortened` says); how the projection
    differs from it. At most one of the last three is set; none when all is well."""

    head: int
    broken: tuple[int, str] | None = None
    ahead: str | None = None
    mismatch: str | None = None


@dataclass(frozen=True)
class Listing:
    """Which occurrences a picture read from the projection lists (see `Store.pictured`)."""

    as_of: date
    show_all: bool = False
    after: date | None = None  # only those whose start window begins after this day
    where: ClaimFilter | None = None  # only the claims this filter matches
    limit: int | None = None  # the newest `limit` only (`Listed.more` counts the rest)


@dataclass(frozen=True)
class Listed:
    """The occurrences a picture lists, built by SQL, and how many more a limit left out."""

    views: list[OccurrenceView]
    more: int = 0


class ProjectionReads:
    """The store's readers of the projection (`Store` is one)."""

    engine: Engine

    def projected(
        self, upto: int, where: ClaimFilter | None = None, subject: str | None = None
    ) -> Knowledge | None:
        """What the log knows at `upto` (of the claims `where` matches), read from the
        projection; None if it is not at `upto`.

        With `subject`, only of that subject (matched as `subject_key` does, through the
        aliases in force): its claims, their articles and its names, read through the slot
        index. One snapshot: claims and sources agree.
        """
        with self._snapshot() as conn:
            known = publishers.read_publishers(conn)
            if subject is None:
                return _projected(conn, upto, projection.states(conn, where, known))
            keys = names.members(conn, subject_key(subject))
            return _projected(conn, upto, projection.states(conn, where, known, keys), keys)

    def counts(self, upto: int) -> tuple[int, int] | None:
        """(active claims, publishers) at `upto`, as kept by the projection (no row is
        counted but the publishers'); None if it is not at `upto`."""
        with self._snapshot() as conn:
            if projection.position(conn) != upto or read_head(conn).position != upto:
                return None
            return standing.active_claims(conn), publishers.count(conn)

    def touching(self, target: str) -> Touching | None:
        """What `history` needs to answer for `target` (a claim id, or SUBJECT[/ATTRIBUTE])
        as the whole log does, read through the indexes (`touching.touching`); None when the
        projection is behind the log (then only the whole log can say)."""
        with self._snapshot() as conn:
            if projection.position(conn) != read_head(conn).position:
                return None
            return touching(conn, target)

    def searched(
        self, upto: int, words: list[str], where: ClaimFilter | None, limit: int
    ) -> tuple[Knowledge, list[tuple[str, float]]] | None:
        """The claims having every one of `words`, best first, from the database's full-text
        index, with a knowledge holding them; None if the projection is not at `upto`."""
        with self._snapshot() as conn:
            if projection.position(conn) != upto or read_head(conn).position != upto:
                return None
            hits = search.find(conn, words, where, publishers.read_publishers(conn), limit)
            ids = [claim_id for claim_id, _score in hits]
            states = projection.states_of(conn, ids)
            spelled = {subject_key(s.claim.subject) for s in states}  # not every subject's
            knowledge = _projected(conn, upto, states, spelled)
        return (knowledge, hits) if knowledge is not None else None

    def pictured(
        self, upto: int, pictured_at: Sequence[date], subject: str | None, listing: Listing
    ) -> tuple[Knowledge, Listed] | None:
        """What pictures at `pictured_at` (of `subject`) need of what the log knows at `upto`,
        read from the projection; None if it is not at `upto`.

        The knowledge holds only the active claims those pictures can use, and of the
        occurrences only the deprecated ones (a picture counts them): the occurrences a
        picture at `listing.as_of` lists come built by SQL. Articles are read for those claims,
        publishers whole. One snapshot: claims, occurrences and sources agree.
        """
        with self._snapshot() as conn:
            known = publishers.read_publishers(conn)
            claims = projection.pictured(conn, pictured_at, subject, listing.where, known)
            spelled = names.members(conn, subject_key(subject)) if subject is not None else None
            knowledge = _projected(conn, upto, claims, spelled)
            if knowledge is None:
                return None
            try:
                views, more = occurrences(
                    conn,
                    listing.as_of,
                    knowledge.publishers,
                    knowledge.identity,
                    subject,
                    listing.show_all,
                    listing.after,
                    listing.where,
                    listing.limit,
                )
            except KeyError:
                raise StoreError(_UNKNOWN_SOURCE) from None
        return knowledge, Listed(views, more)

    @contextmanager
    def current_claims(
        self, include_retracted: bool = True
    ) -> Iterator[tuple[Iterator[Sequence[Any]], dict[str, Publisher]]]:
        """Every claim's state at the head of the log as a row laid out as `STATE_FIELDS`
        followed by its article's fields (as `Source` lays them out), in the order first
        asserted; and every publisher. One snapshot, so they agree.

        The rows stream from the projection, each joined to its article. When it is behind
        the log, they are folded from the log in the same snapshot instead, which holds every
        state in memory: that is the readers' fallback, as in `projected`. Only a damaged
        projection is behind (appends keep it in step), and a reader does not take the
        writers' lock to rebuild it.
        """
        with self._snapshot() as conn:
            if projection.position(conn) == read_head(conn).position:
                # Closed here, so its cursor is closed even when the reader stops early, before
                # the connection goes back to the pool.
                rows = cited.cited_rows(conn, include_retracted)
                with closing(rows):
                    yield _with_known_sources(rows), publishers.read_publishers(conn)
                return
            knowledge = fold(read_entries(conn, None, 0))
            states = sorted(knowledge.claims.values(), key=lambda s: s.position)
            sources = knowledge.sources
            yield (
                (
                    (*projection.row_of(s), *vars(sources[s.claim.source_id]).values())
                    for s in states
                    if include_retracted or s.active
                ),
                knowledge.publishers,
            )

    @contextmanager
    def timeline_claims(self) -> Iterator[Iterator[tuple[ClaimState, Source]]]:
        """Every active claim at the head of the log in `history.timeline`'s order (window
        start, window end, position), each with its article under its publisher's name and
        grade (`Knowledge.source_of`).

        Streamed from the projection, ordered by the first day there and by the rest within
        a day in memory (the claims of one day at a time). When it is behind the log, folded
        from the log in the same snapshot instead, as `current_claims` does.
        """
        with self._snapshot() as conn:
            if projection.position(conn) == read_head(conn).position:
                known = Knowledge(publishers=publishers.read_publishers(conn))
                rows = cited.cited_rows(conn, include_retracted=False, by_day=True)
                with closing(rows):
                    yield cited.by_day(cited.with_sources(_with_known_sources(rows), known))
                return
            knowledge = fold(read_entries(conn, None, 0))
            yield ((s, knowledge.source_of(s.claim)) for s in timeline(knowledge))

    def identity(self, keys: Iterable[str] | None = None) -> Identity:
        """The names and judgements at the head of the log: from the projection when it is at
        the head (with the spellings of `keys` and of the aliased names only, if given), else
        folded from the log."""
        with self._snapshot() as conn:
            if projection.position(conn) == read_head(conn).position:
                return names.read_identity(conn, keys)
            return fold(read_entries(conn, None, 0)).identity

    def source_rows(self) -> list[publishers.SourceRow]:
        """Every publisher as `tracker sources` lists it, at the head of the log."""
        with self._snapshot() as conn:
            return publishers.source_rows(conn)

    def audit(self) -> Audit:
        """The log read once, in one snapshot, in position order: where its chain breaks,
        and, when it is intact, how the projection differs from a replay of it.

        The replay keeps its claims and articles in temporary tables (`replay.Replay`), so
        memory follows a batch of entries, not the log. A projection ahead of the log is not
        a mismatch to repair but evidence that events were deleted (`Audit.ahead`).
        """
        with self._snapshot() as conn:
            at, head = projection.position(conn), read_head(conn).position
            if at != head:
                broken = _first_break(read_entries(conn, None, 0), None)
                if broken is not None:
                    return Audit(head, broken)
                if at > head:
                    return Audit(head, ahead=shortened(head, at))
                behind = f"it reflects log position {at}, the log ends at {head}"
                return Audit(head, mismatch=behind)
            with replaying(conn) as replay:
                broken = _first_break(read_entries(conn, None, 0), replay)
                if broken is not None:
                    return Audit(head, broken)
                return Audit(head, mismatch=replay.mismatch() or standing.mismatch(conn))

    def projection_mismatch(self) -> str | None:
        """How the projection differs from a replay of the whole log; None when it equals it
        (see `audit`). ChainBroken when the projection is ahead of the log."""
        audit = self.audit()
        if audit.ahead is not None:
            raise ChainBroken(f"the log is broken: {audit.ahead}")
        return audit.mismatch

    @contextmanager
    def _snapshot(self) -> Iterator[Connection]:
        """A read transaction whose statements all see one state of the database."""
        with translated(), self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn


def _first_break(
    entries: Generator[LogEntry, None, None], replay: Replay | None
) -> tuple[int, str] | None:
    """Where the chain of `entries` breaks (a corrupt entry breaks it), with why; the intact
    entries are fed to `replay` a batch at a time as they go."""
    chain, batch = Chain(), list[LogEntry]()
    try:
        with closing(entries):
            for entry in entries:
                broken = chain.check(entry)
                if broken is not None:
                    return broken
                if replay is not None:
                    batch.append(entry)
                    if len(batch) == _BATCH:
                        replay.feed(batch)
                        batch = []
    except CorruptEntry as error:
        return error.position, error.why
    if replay is not None:
        replay.feed(batch)
    return None


def shortened(head: int, at: int) -> str:
    """What a projection at `at`, ahead of the log's head, means."""
    return (
        f"the log ends at position {head} but its claims projection reflects position {at}: "
        "events were deleted from the log"
    )


def _projected(
    conn: Connection,
    upto: int,
    states: Iterable[ClaimState],
    spelled: Iterable[str] | None = None,
) -> Knowledge | None:
    """A knowledge of these states, their articles, every publisher and the identity (with
    the spellings of `spelled`, None: of every subject), if the projection is at `upto`."""
    if projection.position(conn) != upto or read_head(conn).position != upto:
        return None
    knowledge = Knowledge(position=upto, identity=names.read_identity(conn, spelled))
    for state in states:
        knowledge.claims[state.claim.id] = state
    publishers.knowledge_sources(conn, knowledge)
    if {s.claim.source_id for s in knowledge.claims.values()} - knowledge.sources.keys():
        raise StoreError(_UNKNOWN_SOURCE)
    return knowledge


_UNKNOWN_SOURCE = (
    "the claims projection names a source the log does not have (a damaged database?): "
    "run `tracker verify`, then `tracker db rebuild`"
)


def _with_known_sources(rows: Iterator[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    for row in rows:
        if row[_ARTICLE_ID] is None:  # no article joined
            raise StoreError(_UNKNOWN_SOURCE)
        yield row


_ARTICLE_ID = len(STATE_FIELDS)
