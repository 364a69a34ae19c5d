"""Exchange: claims in the import format, TimelineJS rows, and restoring an exported log."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from itertools import chain
from pathlib import Path
from typing import Any

from tracker.adapters.exports import (
    claim_rows,
    grade_rows,
    read_log,
    timelinejs_row,
    type_row,
)
from tracker.adapters.reads import Listing
from tracker.adapters.writer import CLOCK_SLACK
from tracker.domain.admission import check_entries
from tracker.domain.dates import parse_as_of
from tracker.domain.diff import SlotChange, compare
from tracker.domain.errors import ChainBroken, StoreError, ValidationError
from tracker.domain.events import Chain, LogEntry, format_instant
from tracker.domain.filters import ClaimFilter
from tracker.domain.fold import Knowledge
from tracker.domain.judgements import Judgement, in_force
from tracker.domain.picture import OccurrenceView, SlotView, build_picture
from tracker.domain.rows import COLUMNS
from tracker.heap import fewer_collections
from tracker.services.base import Cut
from tracker.services.reading import Reading


@dataclass(frozen=True)
class PictureStream:
    """A `Picture` (and its cut) whose slots and occurrences may be streamed: iterate once."""

    as_of: date
    cut: Cut
    slots: Iterable[SlotView]
    occurrences: Iterable[OccurrenceView]
    deprecated_hidden: int
    changed_later: tuple[str, ...]


@dataclass(frozen=True)
class DiffStream:
    """A `WorldDiff` whose changes and occurrences may be streamed: iterate once."""

    start: date
    end: date
    cut: Cut
    changes: Iterable[SlotChange]
    occurrences: Iterable[OccurrenceView]


class Exporting(Reading):
    @contextmanager
    def export_claims(self, include_retracted: bool) -> Iterator[Iterator[Sequence[str | None]]]:
        """Claims in the import format, in the order they were first asserted: re-importing
        them appends nothing. Streamed while the context is open, so memory stays flat.
        Types added to the catalogue come first, as `op=type` rows; after the claims, the
        judgements in force follow: the publishers' grades as `op=grade` rows, then
        `op=alias|distinct` rows, so that importing the export into an empty database gives
        the same picture."""
        defined = [type_row(event) for event in self.store.defined_types()]
        made = [e.event for e in self.store.judgement_entries()]
        judgements = [
            tuple(row.get(column) for column in COLUMNS)
            for row in in_force(e for e in made if isinstance(e, Judgement))
        ]
        with self.store.current_claims(include_retracted) as (states, publishers):
            yield chain(defined, claim_rows(states), grade_rows(publishers), judgements)

    @contextmanager
    def timelinejs(self) -> Iterator[Iterator[list[Any]]]:
        """Active, not deprecated claims as TimelineJS rows, in valid-time order (as
        `timeline`), streamed while the context is open, so memory stays flat."""
        with self.store.timeline_claims() as cited:
            yield (timelinejs_row(s, source) for s, source in cited if s.rank != "deprecated")

    @contextmanager
    def picture_streamed(
        self, as_of: str | None, known_at: str | None, where: ClaimFilter | None = None
    ) -> Iterator[PictureStream]:
        """The picture of `show` (of every subject, not deprecated), its slots and occurrences
        in its order. When the projection is at the cut, both are streamed while the context
        is open, the slots a page at a time, so memory follows a page, not the picture; read
        the slots first."""
        day = parse_as_of(as_of) if as_of else self.clock().date()
        cut = self.cut(known_at)
        listing = Listing(day, where=self.resolved(where))
        with self.store.pictured_streamed(cut.position, [day], listing) as read:
            if read is None:  # the projection is not at the cut: the whole picture, folded
                p, _ = self.show(as_of, known_at, where=where)
                yield PictureStream(
                    day, cut, p.slots, p.occurrences, p.deprecated_hidden, p.changed_later
                )
                return
            slots = (s for page in read.pages for s in _slots(page, day))
            # At the cut is at the log's head: no later entry changed any claim.
            yield PictureStream(day, cut, slots, read.views, read.hidden, ())

    @contextmanager
    def diff_streamed(
        self, start: str, end: str, known_at: str | None = None
    ) -> Iterator[DiffStream]:
        """`diff`, its slot changes and occurrences in its order, streamed while the context
        is open when the projection is at the cut (see `picture_streamed`)."""
        a, b = _days(start, end)
        cut = self.cut(known_at)
        with self.store.pictured_streamed(cut.position, [a, b], Listing(b, after=a)) as read:
            if read is None:
                result = self.diff(start, end, known_at)
                yield DiffStream(a, b, result.cut, result.changes, result.occurrences)
                return
            changes = (c for page in read.pages for c in _changes(page, a, b))
            yield DiffStream(a, b, cut, changes, read.views)

    def restore(self, path: Path) -> int:
        """Load an `export log` file into an empty database; a broken chain is refused whole.

        Streamed, in one write transaction: a batch of lines at a time is read, its chain
        checked, every event admitted as a writer would admit it against what the log knew
        before it (`admission.check_entries`), and appended as it is. Any refusal rolls the
        whole restore back, after reading to the end of the file, so that what is refused
        is what a check of the whole file names first: an unreadable line, then a broken
        chain, then an event no writer could append, then a log from the future."""
        chain, catalogue = Chain(), self.catalogue.copy()
        broken: tuple[int, str] | None = None
        refused: ValidationError | None = None
        last: LogEntry | None = None
        count = 0
        with read_log(path) as entries, self.store.writing() as writer:
            if writer.position:
                raise StoreError(
                    f"restore needs an empty database; this one has {writer.position} events"
                )
            for batch in _batches(entries, _RESTORE_BATCH):
                count, last = count + len(batch), batch[-1]
                if broken is None:
                    broken = next(filter(None, map(chain.check, batch)), None)
                if broken is not None or refused is not None:
                    continue
                try:
                    check_entries(batch, writer.known_before(batch), catalogue)
                except ValidationError as error:
                    refused = error
                    continue
                writer.restore(batch)
            if broken is not None:
                raise ChainBroken(
                    f"{path}: the log is broken at position {broken[0]}: {broken[1]}; "
                    "nothing restored"
                )
            if refused is not None:
                raise ValidationError(f"{path}: {refused.message}; nothing restored")
            if last is not None and last.recorded_at > self.clock() + CLOCK_SLACK:
                raise ValidationError(
                    f"{path}: position {last.position} was recorded at "
                    f"{format_instant(last.recorded_at)}, later than this machine's clock "
                    f"({format_instant(self.clock())}): a log from the future, or a clock "
                    "behind; nothing restored"
                )
        return count


def _slots(page: Knowledge, day: date) -> tuple[SlotView, ...]:
    with fewer_collections():
        return build_picture(page, day, occurrences=()).slots


def _changes(page: Knowledge, a: date, b: date) -> list[SlotChange]:
    with fewer_collections():
        return compare(
            build_picture(page, a, occurrences=()), build_picture(page, b, occurrences=())
        )


def _days(start: str, end: str) -> tuple[date, date]:
    a, b = parse_as_of(start), parse_as_of(end)
    if b < a:
        raise ValidationError(f"--to {end} is before --from {start}")
    return a, b


# Log lines read, checked and appended at a time by `restore`: its memory follows this.
_RESTORE_BATCH = 5000


def _batches(entries: Iterator[LogEntry], size: int) -> Iterator[list[LogEntry]]:
    batch: list[LogEntry] = []
    for entry in entries:
        batch.append(entry)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
