"""Pictures for the writers of every occurrence (`export picture`, `export diff`): the slots'
claims found a slot at a time and the occurrences streamed, so that memory follows the slots
and a batch of rows, not the number of claims."""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from datetime import date
from itertools import groupby
from operator import itemgetter

from sqlalchemy import Connection, func, select

from tracker.adapters import filtering, occurrence_rows, projection, publishers
from tracker.adapters.bulk import rows_by_keys, select_rows
from tracker.adapters.reads import _UNKNOWN_SOURCE, Listing, ProjectionReads, _projected
from tracker.adapters.tables import aliases, claims
from tracker.domain.bounds import usable
from tracker.domain.errors import StoreError
from tracker.domain.filters import ClaimFilter
from tracker.domain.fold import STATE_FIELDS, ClaimState, Knowledge
from tracker.domain.model import Publisher
from tracker.domain.picture import OccurrenceView

# Observation bounds read at a time, and claim ids per IN (...) query.
_FETCH = 5000
_ID_BATCH = 500


class StreamedReads(ProjectionReads):
    """The store's streaming readers of pictures (`Store` is one)."""

    @contextmanager
    def pictured_streamed(
        self, upto: int, pictured_at: Sequence[date], listing: Listing
    ) -> Iterator[tuple[Knowledge, Iterator[OccurrenceView]] | None]:
        """As `pictured` with no subject and `listing.limit` None, but the occurrences a
        picture at `listing.as_of` lists are streamed while the context is open, and the
        usable observations are found a slot at a time: what the pictures hold is their
        slots' claims. None if the projection is not at `upto`. One snapshot."""
        with self._snapshot() as conn:
            known = publishers.read_publishers(conn)
            states = _pictured(conn, pictured_at, listing.where, known)
            knowledge = _projected(conn, upto, states)
            if knowledge is None:
                yield None
                return
            assert not listing.show_all and listing.limit is None  # not what exports list
            views = occurrence_rows.streamed(
                conn,
                listing.as_of,
                knowledge.publishers,
                knowledge.identity,
                listing.after,
                listing.where,
            )
            with closing(views):
                yield knowledge, _known_sources(views)


def _known_sources(views: Iterator[OccurrenceView]) -> Generator[OccurrenceView, None, None]:
    try:
        yield from views
    except KeyError:  # a row whose article the projection does not have
        raise StoreError(_UNKNOWN_SOURCE) from None


def _pictured(
    conn: Connection,
    pictured_at: Sequence[date],
    where: ClaimFilter | None,
    known: Mapping[str, Publisher],
) -> Iterator[ClaimState]:
    """The claim states `projection.pictured` gives with no subject: the deprecated claims
    begun by the last day (a picture counts them), and the observations pictures at
    `pictured_at` can use (`usable_ids`)."""
    c = claims.c
    columns = [c[name] for name in STATE_FIELDS]
    query = select(*columns).where(
        c.first_day <= max(pictured_at).toordinal(),
        c.retracted.is_(False),
        c.rank == "deprecated",
    )
    query = filtering.where(conn, query, where, known)
    yield from map(projection.state_of, select_rows(conn, query))
    ids = usable_ids(conn, pictured_at, where, known)
    for start in range(0, len(ids), _ID_BATCH):
        batch = ids[start : start + _ID_BATCH]
        yield from map(projection.state_of, rows_by_keys(conn, claims, STATE_FIELDS, "id", batch))


def usable_ids(
    conn: Connection,
    pictured_at: Sequence[date],
    where: ClaimFilter | None,
    known: Mapping[str, Publisher],
) -> list[str]:
    """Ids of the observations pictures at `pictured_at` may use (as `projection._usable`
    finds them with no subject), read slot by slot: the database groups the rows by the
    subject key they resolve to (through `aliases`) and their attribute, and only one slot's
    bounds are in memory at a time."""
    c = claims.c
    root = func.coalesce(aliases.c.root_key, c.subject_key)
    query = (
        select(root, c.attribute_key, c.first_day, c.last_day, c.end_day, c.position, c.id)
        .select_from(claims.outerjoin(aliases, aliases.c.name_key == c.subject_key))
        .where(
            c.attribute.is_not(None),
            c.retracted.is_(False),
            c.rank != "deprecated",
            c.first_day <= max(pictured_at).toordinal(),
        )
    )
    query = filtering.where(conn, query, where, known).order_by(root, c.attribute_key)
    days = [day.toordinal() for day in pictured_at]
    ids: set[str] = set()
    result = conn.execute(query.execution_options(yield_per=_FETCH))
    with closing(result):
        for _, group in groupby(result, key=itemgetter(0, 1)):
            slot = [tuple(row) for row in group]
            for day in days:
                ids.update(usable(slot, day))
    return sorted(ids)
