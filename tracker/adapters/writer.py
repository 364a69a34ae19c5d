"""The writer: appends events after the head inside one locked write transaction, and
reads what the log knows for a writer to decide from."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from tracker.adapters import knowing, names, projection, publishers, twins, units
from tracker.adapters.bulk import insert_rows
from tracker.adapters.locking import catch_up
from tracker.adapters.logrows import Head, read_entries, read_head, read_judgements, read_types
from tracker.adapters.tables import log
from tracker.domain.errors import StoreError
from tracker.domain.events import (
    ClaimAsserted,
    ClaimCorrected,
    Event,
    LogEntry,
    TypeDefined,
    canonical_json,
    chain_hash_text,
    claim_id_of,
    format_instant,
    to_payload,
)
from tracker.domain.fold import ClaimState, Knowledge, fold, touched
from tracker.domain.identity import Identity
from tracker.domain.model import Claim, Source, publisher_key
from tracker.domain.units import SlotKey, UnitTally

if TYPE_CHECKING:
    from tracker.adapters.store import Store

_ID_BATCH = 500  # claim ids per query
# Entries per insert when restoring: the rows built for the driver follow this, not the log.
_RESTORE_BATCH = 5000

# How far the clock may lag the log's last recorded time (or a restored log lead the clock):
# within it an append takes the last time (recorded time never decreases); beyond it the
# clock is wrong, and pinning every later append to one future time would hide that.
CLOCK_SLACK = timedelta(minutes=1)

# A row of `log` as `Writer` inserts it.
_LOG_ROW = ("position", "event_id", "recorded_at", "kind", "claim_id", "payload", "hash")


class Writer:
    """Appends inside a write transaction; sees the log as it is under the lock."""

    def __init__(self, conn: Connection, store: Store) -> None:
        self.conn = conn
        self.store = store
        self._head = read_head(conn)
        self._renumbered: dict[str, set[str]] | None = None  # read when first needed
        catch_up(conn)

    @property
    def position(self) -> int:
        return self._head.position

    def entries(self, upto: int | None = None, after: int = 0) -> Iterator[LogEntry]:
        return read_entries(self.conn, upto, after)

    def defined_types(self) -> list[TypeDefined]:
        return read_types(self.conn)

    def knowledge_of(
        self, claim_ids: set[str], asserted: Mapping[str, ClaimAsserted] | None = None
    ) -> Knowledge:
        """What the log knows of these claims, their articles and every publisher
        (`knowing.knowledge_of`): writers decide claims from the log, never from the claims
        projection, so that a damaged projection cannot reach the log."""
        return knowing.knowledge_of(self.conn, claim_ids, asserted or {}, self._renumberings)

    def _renumberings(self) -> Mapping[str, Collection[str]]:
        """The log's claim ids moved to others (`knowing.renumberings`), read once a writer."""
        if self._renumbered is None:
            self._renumbered = knowing.renumberings(self.conn)
        return self._renumbered

    def near_duplicates(self, cited: Sequence[tuple[Claim, Source]]) -> dict[str, list[str]]:
        """For each (claim, article), the active claims under other ids that say the same
        from the same publisher (`publishing.fingerprint`), by claim id."""
        identity = names.read_identity(self.conn, ())  # the aliases in force
        return twins.twins(self.conn, [(c, publisher_key(a.name)) for c, a in cited], identity)

    def judgements(self) -> Identity:
        """The aliases and distinctions in force, folded from the log's judgement events
        (read through the kind index): writers decide from the log."""
        return fold(read_judgements(self.conn)).identity

    def names(self, keys: Iterable[str] | None = None) -> Identity:
        """Every subject name (or those of `keys`, and the aliased ones) with its first
        spelling, and the judgements, from the projection (kept at the head under the lock):
        for hints, which decide nothing."""
        return names.read_identity(self.conn, keys)

    def attributes(self, keys: Sequence[str]) -> dict[str, dict[str, str]]:
        """The folded attributes recorded for these subject keys, with a spelling of each."""
        return names.attributes(self.conn, keys)

    def slot_units(
        self, slots: Collection[SlotKey], identity: Identity
    ) -> dict[SlotKey, UnitTally]:
        """The units the slots' active claims use, their subjects read through the aliases
        of `identity`: only for a warning, so read from the projection, which `catch_up`
        keeps at the head under this writer's lock."""
        return units.slot_units(self.conn, slots, identity)

    def append(self, events: Sequence[Event]) -> list[LogEntry]:
        """Append events after the head: gapless positions, one chain, never-decreasing time."""
        now = self.store.clock().astimezone(UTC)
        head = self._head
        if head.recorded_at is not None and now < head.recorded_at:
            if now < head.recorded_at - CLOCK_SLACK:
                raise StoreError(
                    f"this machine's clock reads {format_instant(now)}, more than a minute "
                    f"before the log's last recorded time {format_instant(head.recorded_at)}: "
                    "set the clock right; nothing was written"
                )
            now = head.recorded_at
        instant = format_instant(now)
        rows, appended = [], []
        previous, position = head.hash, head.position
        for event in events:
            position += 1
            payload = to_payload(event)
            text = canonical_json(payload)
            event_id = self.store.new_id()
            digest = chain_hash_text(previous, position, event_id, instant, event.kind, text)
            entry = LogEntry(position, event_id, now, event.kind, payload, digest)
            rows.append((position, event_id, now, event.kind, claim_id_of(event), text, digest))
            if self._renumbered is not None and isinstance(event, ClaimCorrected):
                _moved(self._renumbered, event)
            appended.append(entry)
            previous = digest
        if rows:
            insert_rows(self.conn, log, _LOG_ROW, rows)
            projection.apply(
                self.conn, [(e.position, event) for e, event in zip(appended, events, strict=True)]
            )
            self._head = Head(position, previous, now)
        return appended

    def known_before(self, entries: Sequence[LogEntry]) -> Knowledge:
        """What the log under this writer knew before `entries`, its next ones, of what they
        touch (`fold.touched`), with every publisher and the aliases in force: what admitting
        them needs (`admission.check_entries`). Read from the projection, which `restore`
        keeps at the head under the lock: a restore builds it in its own transaction."""
        ids, cited = touched(entries)
        states: list[ClaimState] = []
        for start in range(0, len(ids), _ID_BATCH):
            states += projection.states_of(self.conn, ids[start : start + _ID_BATCH])
        return Knowledge(
            position=self._head.position,
            claims={state.claim.id: state for state in states},
            sources=publishers.read_articles(self.conn, cited),
            publishers=publishers.read_publishers(self.conn),
            identity=names.read_identity(self.conn, ()),
        )

    def restore(self, entries: Sequence[LogEntry]) -> None:
        """Append verified and admitted entries after the head as they are (positions, times,
        hashes), and bring the projection up to them."""
        for start in range(0, len(entries), _RESTORE_BATCH):
            batch = entries[start : start + _RESTORE_BATCH]
            insert_rows(self.conn, log, _LOG_ROW, [_row(e) for e in batch])
        projection.apply(self.conn, [(e.position, e.event) for e in entries])
        if entries:
            last = entries[-1]
            self._head = Head(last.position, last.hash, last.recorded_at)


def _moved(renumbered: dict[str, set[str]], event: ClaimCorrected) -> None:
    if event.supersedes != event.claim.id:
        renumbered.setdefault(event.supersedes, set()).add(event.claim.id)


def _row(entry: LogEntry) -> tuple[Any, ...]:
    return (
        entry.position,
        entry.event_id,
        entry.recorded_at,
        entry.kind,
        claim_id_of(entry.event),
        canonical_json(entry.payload),
        entry.hash,
    )
