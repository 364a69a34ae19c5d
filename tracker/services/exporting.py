"""Exchange: claims in the import format, TimelineJS rows, and restoring an exported log."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from pathlib import Path
from typing import Any

from tracker.adapters.exports import claim_rows, grade_rows, read_log, timelinejs_row
from tracker.domain.errors import ChainBroken
from tracker.domain.events import first_break
from tracker.services.reading import Reading


class Exporting(Reading):
    @contextmanager
    def export_claims(self, include_retracted: bool) -> Iterator[Iterator[Sequence[str | None]]]:
        """Claims in the import format, in the order they were first asserted, then the
        grades in force as `op=grade` rows: re-importing them appends nothing, and into an
        empty database they give the same picture. Streamed while the context is open."""
        with self.store.current_claims(include_retracted) as (sources, states, publishers):
            yield chain(claim_rows(states, sources), grade_rows(publishers))

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
        with self.store.writing() as writer:
            writer.restore(entries)
        return len(entries)
