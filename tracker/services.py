"""Use cases: add, correct, show, diff, export, info, verify (import: `tracker.importer`).

Owns the clock, the store and the catalogue."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from tracker.adapters.exports import claim_rows, read_log, timelinejs_row
from tracker.adapters.files import expand, load_catalogue
from tracker.adapters.store import Clock, Listing, Store
from tracker.domain.dates import parse_as_of, parse_date
from tracker.domain.diff import SlotChange, compare
from tracker.domain.errors import (
    ChainBroken,
    CorruptEntry,
    NotFound,
    TrackerError,
    ValidationError,
)
from tracker.domain.events import (
    ClaimAsserted,
    ClaimCorrected,
    ClaimRanked,
    ClaimRetracted,
    Event,
    LogEntry,
    SourceRegistered,
    first_break,
)
from tracker.domain.fold import ClaimState, Knowledge, fold
from tracker.domain.history import HistoryRow, history, timeline
from tracker.domain.importing import BATCH_ROWS
from tracker.domain.model import (
    Catalogue,
    build_claim,
    build_source,
    check_rank,
    claim_fields,
)
from tracker.domain.picture import OccurrenceView, Picture, build_picture
from tracker.heap import fewer_collections
from tracker.importer import FileImport, FileSummary, Progress

CHANGING_KINDS = (ClaimCorrected.kind, ClaimRetracted.kind, ClaimRanked.kind)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Cut:
    """A recorded-time cut: the log up to `position`, as known at `moment`."""

    position: int
    moment: datetime

    def label(self) -> str:
        """The moment to the second, as analysts read it."""
        return self.moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Added:
    claim_id: str
    position: int
    appended: bool


@dataclass(frozen=True)
class WorldDiff:
    start: date
    end: date
    cut: Cut
    changes: list[SlotChange]
    occurrences: list[OccurrenceView]


@dataclass(frozen=True)
class KnownDiff:
    first: Cut
    second: Cut
    as_of: date
    events: list[HistoryRow]
    changes: list[SlotChange]


@dataclass(frozen=True)
class Info:
    events: int
    claims: int
    sources: int
    head_hash: str
    last_recorded_at: datetime | None


class Tracker:
    """The application: every command goes through one of these methods."""

    def __init__(
        self, store: Store, clock: Clock = utc_now, catalogue: Catalogue | None = None
    ) -> None:
        self.store = store
        self.clock = clock
        self.catalogue = catalogue or load_catalogue()

    def add(self, fields: dict[str, str | None]) -> Added:
        """Append one claim, and its source the first time that source is seen."""
        source = build_source(fields)
        claim = build_claim(fields, self.catalogue, source.id)
        with self.store.writing() as writer:
            knowledge = writer.knowledge_of({claim.id})
            known = knowledge.claims.get(claim.id)
            if known is not None:
                if known.claim.same_content(claim):
                    return Added(claim.id, known.position, appended=False)
                raise ValidationError(
                    f"claim id {claim.id!r} is already used by another claim; "
                    "use `tracker correct` to change it",
                    "id",
                )
            events: list[Event] = []
            if source.id not in knowledge.sources:
                events.append(SourceRegistered(source))
            events.append(ClaimAsserted(claim))
            appended = writer.append(events)
        return Added(claim.id, appended[-1].position, appended=True)

    def correct(self, claim_id: str, reason: str, fields: dict[str, str | None]) -> LogEntry:
        """Append a claim.corrected: the claim with the given fields changed, same id."""
        with self.store.writing() as writer:
            knowledge = writer.knowledge_of({claim_id})
            state = _active(knowledge, claim_id)
            merged = claim_fields(state.claim, knowledge.source_of(state.claim))
            merged.update({k: v for k, v in fields.items() if v is not None and k != "id"})
            source = build_source(merged)
            claim = build_claim(merged, self.catalogue, source.id)
            if claim.same_content(state.claim):
                raise ValidationError(f"the correction changes nothing in claim {claim_id!r}")
            events: list[Event] = []
            if source.id not in knowledge.sources:
                events.append(SourceRegistered(source))
            events.append(ClaimCorrected(claim, claim_id, _reason(reason)))
            return writer.append(events)[-1]

    def retract(self, claim_id: str, reason: str) -> LogEntry:
        """Append a claim.retracted: the claim leaves the picture, not the log."""
        with self.store.writing() as writer:
            _active(writer.knowledge_of({claim_id}), claim_id)
            return writer.append([ClaimRetracted(claim_id, _reason(reason))])[-1]

    def rank(self, claim_id: str, rank: str, reason: str) -> LogEntry:
        """Append a claim.ranked: preferred resolves a conflict, deprecated hides the claim."""
        rank = check_rank(rank)
        with self.store.writing() as writer:
            state = _active(writer.knowledge_of({claim_id}), claim_id)
            if state.rank == rank:
                raise ValidationError(f"claim {claim_id!r} is already ranked {rank}")
            return writer.append([ClaimRanked(claim_id, rank, _reason(reason))])[-1]

    def cut(self, known_at: str | None) -> Cut:
        """Resolve --known-at: an ISO datetime, a date (end of that UTC day), `now` or `@N`."""
        now = self.clock()
        text = (known_at or "now").strip()
        if text == "now":
            return Cut(self.store.head().position, now)
        if text.startswith("@"):
            try:
                position = int(text[1:])
            except ValueError:
                raise ValidationError(f"--known-at {text!r}: @N needs a whole number") from None
            head = self.store.head().position
            if not 0 <= position <= head:
                raise ValidationError(f"--known-at {text!r}: the log has positions 1 to {head}")
            moment = self.store.recorded_at(position) if position else None
            return Cut(position, moment or now)
        moment = parse_instant(text)
        return Cut(self.store.position_at(moment), moment)

    def knowledge(self, cut: Cut) -> Knowledge:
        """What was known at the cut: from the projection when it is at the cut, else a fold."""
        known = self.store.projected(cut.position)
        return known if known is not None else self._replay(upto=cut.position)

    def _pictured(
        self, cut: Cut, pictured_at: Sequence[date], subject: str | None, listing: Listing
    ) -> tuple[Knowledge, list[OccurrenceView] | None]:
        """As `knowledge`, and the occurrences `listing` asks for when the projection could
        list them (None: the picture lists them from the knowledge)."""
        read = self.store.pictured(cut.position, pictured_at, subject, listing)
        return read if read is not None else (self._replay(upto=cut.position), None)

    def _replay(
        self, upto: int | None = None, after: int = 0, into: Knowledge | None = None
    ) -> Knowledge:
        """Fold the log's entries (after, upto] into `into`. The read is closed even when the
        fold fails half-way, so no connection is left holding a lock until garbage collection."""
        with closing(self.store.entries(upto=upto, after=after)) as entries:
            return fold(entries, into)

    def show(
        self,
        as_of: str | None,
        known_at: str | None,
        subject: str | None = None,
        show_all: bool = False,
    ) -> tuple[Picture, Cut]:
        day = parse_as_of(as_of) if as_of else self.clock().date()
        cut = self.cut(known_at)
        with closing(self.store.entries(after=cut.position)) as later:
            changed = {
                e.payload.get("claim_id") or e.payload["claim"]["id"]
                for e in later
                if e.kind in CHANGING_KINDS
            }
        with fewer_collections():
            knowledge, listed = self._pictured(cut, [day], subject, Listing(day, show_all))
            picture = build_picture(knowledge, day, subject, show_all, changed, listed)
        return picture, cut

    def diff(self, start: str, end: str, known_at: str | None = None) -> WorldDiff:
        """How the world changed between valid dates A and B, as known at K."""
        a, b = parse_as_of(start), parse_as_of(end)
        if b < a:
            raise ValidationError(f"--to {end} is before --from {start}")
        cut = self.cut(known_at)
        with fewer_collections():
            knowledge, listed = self._pictured(cut, [a, b], None, Listing(b, after=a))
            before = build_picture(knowledge, a, occurrences=())
            after = build_picture(knowledge, b, occurrences=listed)
        occurrences = list(after.occurrences)
        if listed is None:
            occurrences = [
                o for o in occurrences if knowledge.claims[o.claim].claim.valid.start.earliest > a
            ]
        return WorldDiff(a, b, cut, compare(before, after), occurrences)

    def diff_known(self, known_from: str, known_to: str | None, as_of: str | None) -> KnownDiff:
        """How our knowledge changed between two recorded moments, and what it did at D."""
        day = parse_as_of(as_of) if as_of else self.clock().date()
        first, second = self.cut(known_from), self.cut(known_to)
        if second.position < first.position:
            raise ValidationError("--known-to is before --known-from")
        knowledge = self._replay(upto=first.position)
        before = build_picture(knowledge, day, occurrences=())
        after = build_picture(
            self._replay(upto=second.position, after=first.position, into=knowledge),
            day,
            occurrences=(),
        )
        with closing(self.store.entries(upto=second.position)) as entries:
            rows = history(entries, None, after=first.position)
        return KnownDiff(first, second, day, rows, compare(before, after))

    def timeline(
        self,
        subject: str | None,
        start: str | None,
        end: str | None,
        type_code: str | None,
        known_at: str | None = None,
    ) -> tuple[list[ClaimState], Knowledge]:
        """Claims in valid-time order, as known at K."""
        if type_code:
            type_code = self.catalogue.check(type_code)
        knowledge = self.knowledge(self.cut(known_at))
        first = parse_date(start).window.earliest if start else None
        last = parse_as_of(end) if end else None
        return timeline(knowledge, subject, first, last, type_code), knowledge

    def history(self, target: str) -> list[HistoryRow]:
        """Every log event that touched a claim, a SUBJECT/ATTRIBUTE slot, or a subject."""
        with closing(self.store.entries()) as entries:
            rows = history(entries, target.strip())
        if not rows:
            raise NotFound(f"nothing in the log touches {target!r}")
        return rows

    def import_paths(
        self,
        paths: list[str],
        dry_run: bool = False,
        skip_invalid: bool = False,
        progress: Progress | None = None,
    ) -> list[FileSummary]:
        """Import files, one transaction each (SPEC §6).

        By default a file with an invalid row appends nothing; with `skip_invalid` its valid
        rows are imported and the invalid ones reported. `dry_run` appends nothing at all.
        """
        return [self.import_file(path, dry_run, skip_invalid, progress) for path in expand(paths)]

    def import_file(
        self,
        path: Path,
        dry_run: bool = False,
        skip_invalid: bool = False,
        progress: Progress | None = None,
        batch: int = BATCH_ROWS,
    ) -> FileSummary:
        """One file in one transaction, read and planned `batch` rows at a time."""
        return FileImport(self.store, self.catalogue, dry_run, skip_invalid, batch).run(
            path, progress
        )

    @contextmanager
    def export_claims(self, include_retracted: bool) -> Iterator[Iterator[Sequence[str | None]]]:
        """Claims in the import format, in the order they were first asserted: re-importing
        them appends nothing. Streamed while the context is open, so memory stays flat."""
        with self.store.current_claims(include_retracted) as (sources, states):
            yield claim_rows(states, sources)

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

    def info(self) -> Info:
        head = self.store.head()
        knowledge = self.knowledge(Cut(head.position, self.clock()))
        return Info(
            head.position,
            sum(1 for s in knowledge.claims.values() if s.active),
            len(knowledge.sources),
            head.hash,
            head.recorded_at,
        )

    def rebuild(self) -> int:
        """Recreate the claims projection from the log; the number of events it reflects."""
        return self.store.rebuild_projection()

    def verify(self) -> int:
        """Recompute the chain and check the projection against the log; the events checked."""
        try:
            with closing(self.store.entries()) as entries:
                broken = first_break(entries)
        except CorruptEntry as error:
            broken = (error.position, error.why)
        if broken is not None:
            position, why = broken
            raise ChainBroken(f"the log is broken at position {position}: {why}")
        mismatch = self.store.projection_mismatch()
        if mismatch is not None:
            raise TrackerError(
                f"the log is intact but the claims projection does not match it ({mismatch}): "
                "run `tracker db rebuild`"
            )
        return self.store.head().position


def _active(knowledge: Knowledge, claim_id: str) -> ClaimState:
    state = knowledge.claims.get(claim_id)
    if state is None:
        raise NotFound(f"no claim {claim_id!r} in the log")
    if state.retracted:
        raise ValidationError(f"claim {claim_id!r} is retracted; it can no longer change")
    return state


def _reason(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise ValidationError("a reason is required", "reason")
    return text


def parse_instant(text: str) -> datetime:
    """An ISO datetime (naive means UTC) or a date, meaning the end of that UTC day."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime.combine(day + timedelta(days=1), time(), UTC) - timedelta(
                microseconds=1
            )
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(
            f"--known-at {text!r} is not an ISO datetime, a date, `now` or `@N`"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


__all__ = ["Cut", "FileSummary", "Tracker", "TrackerError", "parse_instant"]
