"""Exchange: claims in the import format, TimelineJS rows, and restoring an exported log."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import Any

from tracker.adapters.exports import claim_rows, grade_rows, read_log, timelinejs_row
from tracker.adapters.store import CLOCK_SLACK
from tracker.domain.admission import check_log
from tracker.domain.errors import ChainBroken, ValidationError
from tracker.domain.events import first_break, format_instant
from tracker.domain.importing import COLUMNS
from tracker.domain.judgements import Judgement, in_force
from tracker.services.reading import Reading


class Exporting(Reading):
    @contextmanager
    def export_claims(self, include_retracted: bool) -> Iterator[Iterator[Sequence[str | None]]]:
        """Claims in the import format, in the order they were first asserted: re-importing
        them appends nothing. Streamed while the context is open, so memory stays flat.
        The judgements in force follow: the publishers' grades as `op=grade` rows, then
        `op=alias|distinct` rows, so that importing the export into an empty database gives
        the same picture."""
        made = [e.event for e in self.store.judgement_entries()]
        judgements = [
            tuple(row.get(column) for column in COLUMNS)
            for row in in_force(e for e in made if isinstance(e, Judgement))
        ]
        with self.store.current_claims(include_retracted) as (sources, states, publishers):
            yield chain(claim_rows(states, sources), grade_rows(publishers), judgements)

    def timelinejs(self) -> list[list[Any]]:
        """Active, not deprecated claims as TimelineJS rows, in valid-time order."""
        states, knowledge = self.timeline(None, None, None, None)
        return [
            timelinejs_row(s, knowledge.source_of(s.claim))
            for s in states
            if s.rank != "deprecated"
        ]

    def restore(self, path: Path) -> int:
        """Load an `export log` file into an empty database; a broken chain is refused whole."""
        entries = read_log(path)
        broken = first_break(entries)
        if broken is not None:
            raise ChainBroken(
                f"{path}: the log is broken at position {broken[0]}: {broken[1]}; nothing restored"
            )
        try:
            check_log(entries, self.catalogue)
        except ValidationError as error:
            raise ValidationError(f"{path}: {error.message}; nothing restored") from None
        if entries and entries[-1].recorded_at > self.clock() + CLOCK_SLACK:
            raise ValidationError(
                f"{path}: position {entries[-1].position} was recorded at "
                f"{format_instant(entries[-1].recorded_at)}, later than this machine's clock "
                f"({format_instant(self.clock())}): a log from the future, or a clock behind; "
                "nothing restored"
            )
        with self.store.writing() as writer:
            writer.restore(entries)
        return len(entries)
