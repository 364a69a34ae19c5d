"""The append-only store: reads the log, appends under one lock (its projection readers:
`reads`)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection, Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from tracker.adapters import knowing, names, projection, publishers, twins, units
from tracker.adapters.bulk import insert_rows
from tracker.adapters.logrows import (
    Head,
    read_claim_entries,
    read_entries,
    read_head,
    read_judgements,
    read_types,
    translated,
)
from tracker.adapters.reads import shortened
from tracker.adapters.streamed import StreamedReads
from tracker.adapters.tables import log
from tracker.domain.errors import ChainBroken, StoreError
from tracker.domain.events import (
    ClaimAsserted,
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

Clock = Callable[[], datetime]
IdFactory = Callable[[], str]

# Entries per insert when restoring: the rows built for the driver follow this, not the log.
_ID_BATCH = 500  # claim ids per query
_RESTORE_BATCH = 5000

# Any constant will do: with the schema's name it names the lock that serialises appends
# on PostgreSQL. One lock per schema, as there is one log per schema: trackers in other
# schemas of the same database do not wait for each other (nor say they are waiting).
_PG_APPEND_LOCK = 0x7472616B


def _pg_lock(function: Any) -> Any:
    return select(function(_PG_APPEND_LOCK, func.hashtext(func.current_schema())))


# Seconds a writer waits for the lock before it says it is waiting.
WAIT_NOTICE_SECONDS = 2.0


# How far the clock may lag the log's last recorded time (or a restored log lead the clock):
# within it an append takes the last time (recorded time never decreases); beyond it the
# clock is wrong, and pinning every later append to one future time would hide that.
CLOCK_SLACK = timedelta(minutes=1)

# A row of `log` as `Writer` inserts it.
_LOG_ROW = ("position", "event_id", "recorded_at", "kind", "claim_id", "payload", "hash")


def new_event_id() -> str:
    """A random (version 4) UUID as text, as `str(uuid.uuid4())` gives it.

    Formatted from the hex of 16 random bytes: `uuid.uuid4()` builds and validates a UUID
    object first, which took ~10% of an import's time at 200,000 events.
    """
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


# The RFC 4122 variant (binary 10xx) of the 17th hex digit, keeping its two low bits.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


class Store(StreamedReads):
    """The log in one database. Every method translates driver errors into StoreError."""

    def __init__(self, engine: Engine, clock: Clock, new_id: IdFactory = new_event_id) -> None:
        self.engine = engine
        self.clock = clock
        self.new_id = new_id
        # Told once when a writer has waited WAIT_NOTICE_SECONDS for the lock (the CLI says
        # "waiting for another writer…"), so a long wait does not look like a hang.
        self.on_wait: Callable[[], None] | None = None

    def judgement_entries(self) -> list[LogEntry]:
        """The log's judgements about names, read through the kind index (they are few)."""
        with translated(), self.engine.connect() as conn:
            return read_judgements(conn)

    def entries(self, upto: int | None = None, after: int = 0) -> Generator[LogEntry, None, None]:
        """Log entries with after < position <= upto, in position order, streamed."""
        with translated(), self.engine.connect() as conn:
            yield from read_entries(conn, upto, after)

    def head(self) -> Head:
        with translated(), self.engine.connect() as conn:
            return read_head(conn)

    def hash_at(self, position: int) -> str | None:
        """The hash the log holds at `position` (None when it has no such position)."""
        query = select(log.c.hash).where(log.c.position == position)
        with translated(), self.engine.connect() as conn:
            digest: str | None = conn.execute(query).scalar()
            return digest

    def position_at(self, moment: datetime) -> int:
        """The last position recorded at or before `moment` (0 when none)."""
        query = select(func.max(log.c.position)).where(log.c.recorded_at <= moment)
        with translated(), self.engine.connect() as conn:
            return int(conn.execute(query).scalar() or 0)

    def recorded_at(self, position: int) -> datetime | None:
        query = select(log.c.recorded_at).where(log.c.position == position)
        with translated(), self.engine.connect() as conn:
            moment: datetime | None = conn.execute(query).scalar()
            return moment

    def defined_types(self) -> list[TypeDefined]:
        with translated(), self.engine.connect() as conn:
            return read_types(conn)

    def claim_ids_starting(self, prefix: str, limit: int) -> list[str]:
        """Up to `limit` claim ids the log knows that start with `prefix`, in order.

        A range on the `claim_id` index (every id from `prefix` up to `prefix` followed by
        the last code point), not LIKE, which neither SQLite's default nor a linguistic
        PostgreSQL collation serves from an index; the range is exact in byte order (SQLite,
        PostgreSQL's C collations), and the final check keeps it exact anywhere else."""
        c = log.c.claim_id
        query = (
            select(c)
            .where(c >= prefix, c < prefix + "\U0010ffff")
            .group_by(c)
            .order_by(c)
            .limit(limit)
        )
        with translated(), self.engine.connect() as conn:
            return [i for (i,) in conn.execute(query) if i.startswith(prefix)]

    def claim_entries(self, claim_ids: Sequence[str]) -> list[LogEntry]:
        with translated(), self.engine.connect() as conn:
            return read_claim_entries(conn, claim_ids)

    def rebuild_projection(self) -> int:
        """Recreate the projection from the log; the position it reflects.

        Refused when the projection is ahead of the log: rebuilding would launder the
        deletion of the newest events (the projection is then the only witness left).
        """
        with self._locked() as conn:
            refuse_shortened(
                conn,
                "rebuilding the projection would hide that: run `tracker verify`; to go on "
                "with the shorter log, `tracker export log` and `tracker restore` it into a new "
                "database",
            )
            return projection.rebuild(conn, read_entries(conn, None, 0))

    def count(self) -> int:
        with translated(), self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(log)).scalar() or 0)

    @contextmanager
    def writing(self) -> Iterator[Writer]:
        """One serialised write transaction: committed whole on success, rolled back on error."""
        with self._locked() as conn:
            yield Writer(conn, self)

    @contextmanager
    def _locked(self) -> Iterator[Connection]:
        with translated(), self.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                conn.execution_options(
                    tracker_begin="BEGIN IMMEDIATE", tracker_waiting=self.on_wait
                )
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    pg_append_lock(conn, self.on_wait)
                yield conn


class Writer:
    """Appends inside a write transaction; sees the log as it is under the lock."""

    def __init__(self, conn: Connection, store: Store) -> None:
        self.conn = conn
        self.store = store
        self._head = read_head(conn)
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
        return knowing.knowledge_of(self.conn, claim_ids, asserted or {})

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

    def slot_units(self, slots: Collection[SlotKey]) -> dict[SlotKey, UnitTally]:
        """The units the slots' active claims use: only for a warning, so read from the
        projection, which `catch_up` keeps at the head under this writer's lock."""
        return units.slot_units(self.conn, slots)

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


def pg_append_lock(conn: Connection, on_wait: Callable[[], None] | None) -> None:
    """Take the append lock, saying so once after WAIT_NOTICE_SECONDS of waiting for it."""
    lock = _pg_lock(func.pg_try_advisory_xact_lock)
    if on_wait is None or conn.execute(lock).scalar():
        if on_wait is None:
            conn.execute(_pg_lock(func.pg_advisory_xact_lock))
        return
    deadline, told, pause = time.monotonic() + WAIT_NOTICE_SECONDS, False, 0.01
    while not conn.execute(lock).scalar():
        if not told and time.monotonic() >= deadline:
            on_wait()
            told = True
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def catch_up(conn: Connection) -> None:
    """Rebuild the projection if it is behind the head (a database from before it existed,
    or a projection row deleted); refuse one ahead of the head (events were deleted).

    Under the append lock (SQLite: the caller's BEGIN IMMEDIATE), so no append interleaves.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(_pg_lock(func.pg_advisory_xact_lock))  # re-entrant
    refuse_shortened(conn, "nothing was written: run `tracker verify`")
    if projection.position(conn) != read_head(conn).position:
        projection.rebuild(conn, read_entries(conn, None, 0))


def refuse_shortened(conn: Connection, advice: str) -> None:
    """A projection ahead of the log means the newest events were deleted: appending would
    reuse their positions and rebuilding would erase the evidence, so both are refused."""
    at, head = projection.position(conn), read_head(conn).position
    if at > head:
        raise ChainBroken(f"{shortened(head, at)}; {advice}")
