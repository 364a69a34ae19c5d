"""Use cases: add, import, show, info, verify. Owns the clock, the store and the catalogue."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from tracker.adapters.files import expand, load_catalogue, read_import_file
from tracker.adapters.store import Clock, Store
from tracker.domain.dates import parse_as_of
from tracker.domain.errors import ChainBroken, TrackerError, ValidationError
from tracker.domain.events import (
    ClaimAsserted,
    ClaimCorrected,
    ClaimRanked,
    ClaimRetracted,
    Event,
    ImportRecorded,
    SourceRegistered,
    first_break,
)
from tracker.domain.fold import Knowledge, fold
from tracker.domain.importing import Plan, Row, RowError, plan_import
from tracker.domain.model import Catalogue, build_claim, build_source
from tracker.domain.picture import Picture, build_picture

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
class FileSummary:
    path: Path
    counts: dict[str, int]
    errors: list[RowError]
    warnings: list[RowError]
    written: bool
    rejected_rows: list[Row] = field(default_factory=list)

    def line(self) -> str:
        c = self.counts
        return (
            f"{self.path}: {c['new']} new, {c['corrected']} corrected, "
            f"{c['unchanged']} unchanged, {c['retracted']} retracted, {c['rejected']} rejected"
        )


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
            knowledge = fold(writer.entries())
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
        return fold(self.store.entries(upto=cut.position))

    def show(
        self,
        as_of: str | None,
        known_at: str | None,
        subject: str | None = None,
        show_all: bool = False,
    ) -> tuple[Picture, Cut]:
        day = parse_as_of(as_of) if as_of else self.clock().date()
        cut = self.cut(known_at)
        changed = {
            e.payload.get("claim_id") or e.payload["claim"]["id"]
            for e in self.store.entries(after=cut.position)
            if e.kind in CHANGING_KINDS
        }
        picture = build_picture(self.knowledge(cut), day, subject, show_all, changed)
        return picture, cut

    def import_paths(
        self,
        paths: list[str],
        dry_run: bool = False,
        progress: Callable[[Iterable[Row], int], Iterable[Row]] | None = None,
    ) -> list[FileSummary]:
        """Import files one transaction each; a file with an invalid row appends nothing."""
        return [self.import_file(path, dry_run) for path in expand(paths)]

    def import_file(self, path: Path, dry_run: bool = False) -> FileSummary:
        loaded = read_import_file(path)
        problems = [RowError(line, column, message) for line, column, message in loaded.problems]
        with self.store.writing() as writer:
            plan: Plan = plan_import(loaded.rows, self.catalogue, fold(writer.entries()))
            errors = sorted(problems + plan.errors, key=lambda e: e.line)
            rejected = plan.counts["rejected"] + len(problems)
            counts = dict.fromkeys(plan.counts, 0) if errors else dict(plan.counts)
            counts["rejected"] = rejected
            written = not errors and not dry_run and bool(plan.events)
            if written:
                writer.append([*plan.events, ImportRecorded(path.name, loaded.sha256, counts)])
        return FileSummary(path, counts, errors, plan.warnings, written)

    def info(self) -> Info:
        knowledge = fold(self.store.entries())
        head = self.store.head()
        return Info(
            head.position,
            sum(1 for s in knowledge.claims.values() if s.active),
            len(knowledge.sources),
            head.hash,
            head.recorded_at,
        )

    def verify(self) -> int:
        """Recompute the chain; the number of events checked, or ChainBroken."""
        broken = first_break(self.store.entries())
        if broken is not None:
            position, why = broken
            raise ChainBroken(f"the log is broken at position {position}: {why}")
        return self.store.head().position


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
