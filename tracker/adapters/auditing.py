"""The audit behind `tracker verify`: the log's hash chain checked and replayed, in one snapshot,
against the claims projection."""

from __future__ import annotations

from collections.abc import Generator
from contextlib import closing
from dataclasses import dataclass

from sqlalchemy import Connection

from tracker.adapters import projection, standing
from tracker.adapters.logrows import read_entries, read_head
from tracker.adapters.replay import Replay, replaying
from tracker.domain.errors import CorruptEntry
from tracker.domain.events import Chain, LogEntry

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


def audit(conn: Connection) -> Audit:
    """The log read once, in one snapshot, in position order: where its chain breaks,
    and, when it is intact, how the projection differs from a replay of it.

    The replay keeps its claims and articles in temporary tables (`replay.Replay`), so
    memory follows a batch of entries, not the log. A projection ahead of the log is not
    a mismatch to repair but evidence that events were deleted (`Audit.ahead`).
    """
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
