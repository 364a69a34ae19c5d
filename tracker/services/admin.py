"""Operating: info, verify, rebuilding the projection."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tracker.domain.errors import ChainBroken, TrackerError
from tracker.services.base import Service


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
        counts = self.store.counts(head.position)  # kept by the projection at the head
        if counts is None:
            knowledge = self._replay(upto=head.position)
            counts = (
                sum(1 for s in knowledge.claims.values() if s.active),
                len(knowledge.publishers),
            )
        return Info(head.position, *counts, head.hash, head.recorded_at)

    def rebuild(self) -> int:
        """Recreate the claims projection from the log; the number of events it reflects."""
        return self.store.rebuild_projection()

    def verify(self, anchors: Sequence[tuple[int, str]] = ()) -> int:
        """Recompute the chain, check the anchors (position, hash) kept outside the database,
        and check the projection against a replay of the log; the events checked.

        The log is read once, in one snapshot and in bounded memory (`Store.audit`)."""
        audit = self.store.audit()
        if audit.broken is not None:
            position, why = audit.broken
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
        if audit.ahead is not None:
            raise ChainBroken(f"the log is broken: {audit.ahead}")
        if audit.mismatch is not None:
            raise TrackerError(
                "the log is intact but the claims projection does not match it "
                f"({audit.mismatch}): run `tracker db rebuild`"
            )
        return audit.head
