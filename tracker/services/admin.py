"""Operating: info, verify, rebuilding the projection."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime

from tracker.domain.errors import ChainBroken, CorruptEntry, TrackerError
from tracker.domain.events import first_break
from tracker.services.base import Cut, Service


@dataclass(frozen=True)
class Info:
    events: int
    claims: int
    sources: int
    head_hash: str
    last_recorded_at: datetime | None


class Admin(Service):
    def info(self) -> Info:
        head = self.store.head()
        knowledge = self.knowledge(Cut(head.position, self.clock()))
        return Info(
            head.position,
            sum(1 for s in knowledge.claims.values() if s.active),
            len(knowledge.publishers),
            head.hash,
            head.recorded_at,
        )

    def rebuild(self) -> int:
        """Recreate the claims projection from the log; the number of events it reflects."""
        return self.store.rebuild_projection()

    def verify(self, anchors: Sequence[tuple[int, str]] = ()) -> int:
        """Recompute the chain, check the anchors (position, hash) kept outside the database,
        and check the projection against the log; the events checked."""
        try:
            with closing(self.store.entries()) as entries:
                broken = first_break(entries)
        except CorruptEntry as error:
            broken = (error.position, error.why)
        if broken is not None:
            position, why = broken
            raise ChainBroken(f"the log is broken at position {position}: {why}")
        for position, digest in anchors:
            held = self.store.hash_at(position)
            if held is None:
                raise ChainBroken(
                    f"the log is broken at position {position}: the anchor {position}:{digest} "
                    f"is past the end of the log (position {self.store.head().position}): "
                    "events were deleted"
                )
            if held != digest:
                raise ChainBroken(
                    f"the log is broken at position {position}: it holds hash {held}, not the "
                    f"anchored {digest}: the log was rewritten"
                )
        mismatch = self.store.projection_mismatch()
        if mismatch is not None:
            raise TrackerError(
                f"the log is intact but the claims projection does not match it ({mismatch}): "
                "run `tracker db rebuild`"
            )
        return self.store.head().position
