"""Pictures for the writers of every slot and occurrence (`export picture`, `export diff`):
the slots' claims read a page of whole slots at a time, in slot order, and the occurrences
streamed, so that memory follows a page and a batch of rows, not the number of claims."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Generator, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Connection, Select, func, select

from tracker.adapters import (
    filtering,
    names,
    occurrence_rows,
    picture_rows,
    projection,
    publishers,
    slot_page,
)
from tracker.adapters.bulk import rows_by_keys
from tracker.adapters.logrows import read_head
from tracker.adapters.reads import _UNKNOWN_SOURCE, Listing, ProjectionReads
from tracker.adapters.tables import aliases, claims
from tracker.domain.bounds import usable
from tracker.domain.errors import StoreError
from tracker.domain.filters import ClaimFilter
from tracker.domain.fold import STATE_FIELDS, ClaimState, Knowledge
from tracker.domain.model import Publisher
from tracker.domain.picture import OccurrenceView

# Observation bounds read at a time; claim ids per IN (...) query; claims per page of slots
# (a page holds whole slots, so a slot of more claims makes a page of its own): a page of
# 5,000 made the peak at 1,000,000 claims 20 MB above that at 100,000 (bench/RESULTS.md).
_FETCH = 5000
_ID_BATCH = 500
_PAGE = 1000

Slot = tuple[str, str]  # the subject key a slot's subject resolves to, its attribute key


class Streamed(NamedTuple):
    """A picture's reads, streamed (`StreamedReads.pictured_streamed`)."""

    pages: Iterator[Knowledge]
    views: Iterator[OccurrenceView]
    hidden: int  # the deprecated claims a picture at `listing.as_of` hides and counts


class StreamedReads(ProjectionReads):
    """The store's streaming readers of pictures (`Store` is one)."""

    @contextmanager
    def pictured_streamed(
        self, upto: int, pictured_at: Sequence[date], listing: Listing
    ) -> Iterator[Streamed | None]:
        """What pictures at `pictured_at` (of every subject) need of what the log knows at
        `upto`, read from the projection while the context is open; None if it is not at
        `upto`. One snapshot.

        First, knowledges of a page of whole slots each, in slot order (subject key through
        the aliases, then attribute key, in code point order, as `picture` sorts them): the
        observations those pictures can use (`bounds.usable`, found slot by slot) and the
        deprecated ones a picture counts, their articles, every publisher and the names of
        their subjects; a picture of each page gives that page's slots. Then the occurrences
        a picture at `listing.as_of` lists (not deprecated; `listing.after`, `listing.where`),
        newest first, as `occurrences` lists them. Read the pages before the occurrences. And
        how many deprecated claims that picture hides.
        """
        assert not listing.show_all and listing.limit is None  # not what exports list
        with self._snapshot() as conn:
            if projection.position(conn) != upto or read_head(conn).position != upto:
                yield None
                return
            known = publishers.read_publishers(conn)
            hidden = picture_rows.hidden(conn, listing.as_of, listing.where, known)
            pages = _pages(conn, upto, pictured_at, listing.where, known)
            views = occurrence_rows.streamed(
                conn, listing.as_of, known, listing.after, listing.where
            )
            with closing(pages), closing(views):
                yield Streamed(pages, _known_sources(views), hidden)


def _known_sources(views: Iterator[OccurrenceView]) -> Generator[OccurrenceView, None, None]:
    try:
        yield from views
    except KeyError:  # a row whose article the projection does not have
        raise StoreError(_UNKNOWN_SOURCE) from None


def _pages(
    conn: Connection,
    upto: int,
    pictured_at: Sequence[date],
    where: ClaimFilter | None,
    known: Mapping[str, Publisher],
) -> Generator[Knowledge, None, None]:
    """Knowledges of a page of whole slots each, in slot order (see `pictured_streamed`)."""
    hidden = _deprecated(conn, pictured_at, where, known)
    ids: list[str] = []
    slots: list[Slot] = []
    for slot, found in usable_slots(conn, pictured_at, where, known):
        ids.extend(found)
        slots.append(slot)
        if len(ids) >= _PAGE:
            yield _page(conn, upto, ids, slots, hidden, known)
            ids, slots = [], []
    if slots:
        yield _page(conn, upto, ids, slots, hidden, known)


def _page(
    conn: Connection,
    upto: int,
    ids: list[str],
    slots: list[Slot],
    hidden: Mapping[Slot, list[ClaimState]],
    known: Mapping[str, Publisher],
) -> Knowledge:
    states = [s for slot in slots for s in hidden.get(slot, ())]
    for start in range(0, len(ids), _ID_BATCH):
        rows = rows_by_keys(conn, claims, STATE_FIELDS, "id", ids[start : start + _ID_BATCH])
        states.extend(map(projection.state_of, rows))
    identity = names.read_identity(conn, {subject for subject, _ in slots})
    knowledge = Knowledge(position=upto, identity=identity, publishers=dict(known))
    knowledge.claims = {s.claim.id: s for s in states}
    knowledge.sources = publishers.read_articles(conn, {s.claim.source_id for s in states})
    if {s.claim.source_id for s in states} - knowledge.sources.keys():
        raise StoreError(_UNKNOWN_SOURCE)
    return knowledge


def _deprecated(
    conn: Connection,
    pictured_at: Sequence[date],
    where: ClaimFilter | None,
    known: Mapping[str, Publisher],
) -> dict[Slot, list[ClaimState]]:
    """The deprecated observations begun by the last of the days, by slot: a picture counts
    them in their slots (analysts deprecate claims one by one: they are few)."""
    c = claims.c
    query = _by_slot(conn, select(*(c[name] for name in STATE_FIELDS)), pictured_at, "deprecated")
    found: dict[Slot, list[ClaimState]] = defaultdict(list)
    for row in conn.execute(filtering.where(conn, query, where, known)):
        found[row[-2], row[-1]].append(projection.state_of(tuple(row)))
    return found


def usable_slots(
    conn: Connection,
    pictured_at: Sequence[date],
    where: ClaimFilter | None,
    known: Mapping[str, Publisher],
) -> Generator[tuple[Slot, list[str]], None, None]:
    """Each slot in slot order, with the ids of its observations that pictures at
    `pictured_at` may use (`bounds.usable`, as `picture_rows._usable` finds them with no
    subject); slots with none are left out. The database groups the observations' bounds
    by slot; only one slot's are in memory at a time."""
    c = claims.c
    columns = (c.first_day, c.last_day, c.end_day, c.position, c.id)
    query = _by_slot(conn, select(*columns), pictured_at, None)
    query = filtering.where(conn, query, where, known)
    days = [day.toordinal() for day in pictured_at]
    result = conn.execute(query.execution_options(yield_per=_FETCH))
    with closing(result):
        for slot, group in groupby(result, key=itemgetter(-2, -1)):
            bounds = [(*slot, *row[:-2]) for row in group]
            ids: set[str] = set()
            for day in days:
                ids.update(usable(bounds, day))
            if ids:
                yield slot, sorted(ids)


def _by_slot(
    conn: Connection, query: Select[Any], pictured_at: Sequence[date], rank: str | None
) -> Select[Any]:
    """`query` on active observations begun by the last of the days (deprecated ones with
    `rank`, the others without), their slot's two keys added last, in slot order."""
    c = claims.c
    root: Any = func.coalesce(aliases.c.root_key, c.subject_key)
    attribute: Any = c.attribute_key
    query = (
        query.add_columns(root, attribute)
        .select_from(claims.outerjoin(aliases, aliases.c.name_key == c.subject_key))
        .where(
            c.attribute.is_not(None),
            c.retracted.is_(False),
            c.rank == rank if rank is not None else c.rank != "deprecated",
            c.first_day <= max(pictured_at).toordinal(),
        )
    )
    return query.order_by(*slot_page.in_code_points(conn, root, attribute))
