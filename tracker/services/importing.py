"""Importing (SPEC §6): one file, one transaction, planned and appended in batches."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing, nullcontext
from dataclasses import dataclass
from pathlib import Path

from tracker.adapters.importfiles import FileRefused, ImportFile, expand, open_import_file
from tracker.adapters.rowreaders import Problem
from tracker.adapters.scratch import FileIds
from tracker.adapters.store import Store
from tracker.adapters.writer import Writer
from tracker.domain.deciding import Batch, Plan
from tracker.domain.events import ClaimAsserted, ClaimCorrected, ImportRecorded
from tracker.domain.importing import BATCH_ROWS, plan_batch
from tracker.domain.model import Catalogue
from tracker.domain.rows import Row, RowError
from tracker.domain.units import SlotKey, UnitTally, slot_key, tally, unit_warning
from tracker.heap import fewer_collections
from tracker.services.base import Service
from tracker.services.judging import Hints

# Shown while a file's rows are planned (a bar on a terminal): given the file and its number
# of lines, it gives a function told the line reached.
Progress = Callable[[Path, int], AbstractContextManager[Callable[[int], None]]]


@dataclass(frozen=True)
class FileSummary:
    path: Path
    counts: dict[str, int]
    errors: list[RowError]
    warnings: list[RowError]
    written: bool
    refused: str | None = None  # why the whole file was refused before its rows were read
    hints: tuple[str, ...] = ()  # `warning:` lines: new names resembling known ones

    def line(self) -> str:
        c = self.counts
        return (
            f"{self.path}: {c['new']} new, {c['corrected']} corrected, "
            f"{c['unchanged']} unchanged, {c['retracted']} retracted, {c['rejected']} rejected"
        )


class FileImport:
    """Imports one file at a time with fixed options (`dry_run`, `skip_invalid`, `batch`).

    Rule 5 is checked as the rows go by: an id found on an earlier line with other content
    voids the pass, which is rolled back and run again knowing that id.
    """

    def __init__(
        self,
        store: Store,
        catalogue: Catalogue,
        dry_run: bool = False,
        skip_invalid: bool = False,
        batch: int = BATCH_ROWS,
    ) -> None:
        self.store = store
        self.catalogue = catalogue
        self.dry_run = dry_run
        self.skip_invalid = skip_invalid
        self._units: dict[SlotKey, UnitTally] = {}
        self._links: dict[str, str] = {}  # the aliases `_units` was read under
        self.batch = batch
        self.pass_catalogue = catalogue

    def run(self, path: Path, progress: Progress | None = None) -> FileSummary:
        """One file in one transaction, read and planned `batch` rows at a time.

        Rule 5 is checked as the rows go by: an id found on an earlier line with other
        content voids the pass, which is rolled back and run again knowing that id.
        """
        try:
            source = open_import_file(path)
            with closing(source), fewer_collections():
                return self._passes(source, progress)
        except FileRefused as refused:  # before any row, or the file changed under the lock
            return FileSummary(path, dict(Plan().counts), [], [], False, str(refused))

    def _passes(self, source: ImportFile, progress: Progress | None) -> FileSummary:
        conflicts: dict[str, list[int]] = {}
        while True:
            try:
                return self._one_pass(source, conflicts, progress)
            except _RolledBack as rolled_back:
                if rolled_back.summary is not None:
                    return rolled_back.summary
                conflicts = {**conflicts, **rolled_back.conflicts}

    def _one_pass(
        self, source: ImportFile, conflicts: dict[str, list[int]], progress: Progress | None
    ) -> FileSummary:
        # op=type rows define types as they go: each pass starts from the catalogue as it was.
        self.pass_catalogue = self.catalogue.copy()
        problems: list[RowError] = []
        self._units, self._links = {}, {}
        with self.store.writing() as writer:
            plan = Plan(conflicts=conflicts, identity=writer.judgements())
            hints = Hints(writer.names(), writer.attributes)
            ids = FileIds(writer.conn)
            with progress(source.path, source.lines) if progress else nullcontext(_ignore) as at:
                changed = self._plan_rows(writer, ids, source, plan, problems, at, hints)
            if plan.found:
                raise _RolledBack(conflicts=ids.lines(plan.found))
            # A row's errors stay together (an article's keys have lines of their own).
            errors = sorted(problems + plan.errors, key=lambda e: e.row_line)
            counts = dict(plan.counts, rejected=plan.counts["rejected"] + len(problems))
            if errors and not self.skip_invalid:
                counts = dict.fromkeys(counts, 0) | {"rejected": counts["rejected"]}
            written = changed and not self.dry_run and (self.skip_invalid or not errors)
            summary = FileSummary(
                source.path, counts, errors, plan.warnings, written, hints=tuple(hints.lines)
            )
            if not written:
                raise _RolledBack(summary)  # the earlier batches' events go with it
            ids.drop()
            writer.append([ImportRecorded(source.path.name, source.sha256, counts)])
        return summary

    def _plan_rows(
        self,
        writer: Writer,
        ids: FileIds,
        source: ImportFile,
        plan: Plan,
        problems: list[RowError],
        at: Callable[[int], None],
        hints: Hints,
    ) -> bool:
        """Plan and append the file's rows batch after batch; whether anything was appended."""
        changed = False
        rows: list[Row] = []
        with closing(source.rows()) as items:
            for item in items:
                if isinstance(item, Problem):
                    problems.append(
                        RowError(item.row.line, item.column, item.message, item.row.fields)
                    )
                    continue
                rows.append(item)
                if len(rows) >= self.batch:
                    changed |= self._plan_batch(writer, ids, plan, rows, hints)
                    at(rows[-1].line)
                    rows = []
        if rows:
            changed |= self._plan_batch(writer, ids, plan, rows, hints)
        at(source.lines)
        return changed

    def _plan_batch(
        self, writer: Writer, ids: FileIds, plan: Plan, rows: list[Row], hints: Hints
    ) -> bool:
        planned = plan_batch(
            plan, rows, self.pass_catalogue, ids.shapes, writer.knowledge_of, writer.near_duplicates
        )
        ids.add(planned.seen)
        hints.of(e.claim for e in planned.events if isinstance(e, ClaimAsserted))
        self._warn_units(writer, plan, planned)
        writer.append(planned.events)
        return bool(planned.events)

    def _warn_units(self, writer: Writer, plan: Plan, planned: Batch) -> None:
        """A new claim (or a correction moving a claim's unit or slot) bringing its slot a
        unit the slot's other claims do not use is warned of; each slot's units are read once
        per pass, then followed through its rows."""
        rows = {claim_id: line for claim_id, _, line in planned.seen}
        lines: dict[str, int] = {}
        written = []
        for e in planned.events:
            if isinstance(e, ClaimAsserted) and e.claim.is_observation:
                lines[e.claim.id] = rows[e.claim.id]
            elif isinstance(e, ClaimCorrected) and e.supersedes in planned.moved:
                lines[e.claim.id] = rows[e.supersedes]
            else:
                continue
            written.append(e.claim)
        identity = plan.identity  # the aliases in force, this file's rows so far too
        if identity.links != self._links:  # an alias row moved slots: read them again
            self._units, self._links = {}, dict(identity.links)
        unread = {slot_key(c, identity) for c in written} - self._units.keys()
        if unread:
            self._units.update(writer.slot_units(unread, identity))
        for claim in written:
            tallied = self._units[slot_key(claim, identity)]
            if (warning := unit_warning(claim, tallied)) is not None:
                plan.warnings.append(RowError(lines[claim.id], "unit", warning))
            tally(tallied, claim)


class _RolledBack(Exception):
    """Leaves a file's write transaction so that it rolls back: with the file's summary (it
    appends nothing), or with the rule-5 conflicts that void the pass."""

    def __init__(
        self, summary: FileSummary | None = None, conflicts: dict[str, list[int]] | None = None
    ) -> None:
        super().__init__()
        self.summary = summary
        self.conflicts = conflicts or {}


def _ignore(_line: int) -> None:
    """No progress shown."""


class Importing(Service):
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
        return list(self.import_each(paths, dry_run, skip_invalid, progress))

    def import_each(
        self,
        paths: list[str],
        dry_run: bool = False,
        skip_invalid: bool = False,
        progress: Progress | None = None,
    ) -> Iterator[FileSummary]:
        """Import files one after the other, each standing alone, a summary as each is done.

        A file refused whole (not text, unreadable) is summarised as such and the next one is
        read; only an error of the database itself ends the run.
        """
        for path in expand(paths):
            yield self.import_file(path, dry_run, skip_invalid, progress)

    def import_file(
        self,
        path: Path,
        dry_run: bool = False,
        skip_invalid: bool = False,
        progress: Progress | None = None,
        batch: int = BATCH_ROWS,
    ) -> FileSummary:
        """One file in one transaction, read and planned `batch` rows at a time."""
        importer = FileImport(self.store, self.catalogue, dry_run, skip_invalid, batch)
        summary = importer.run(path, progress)
        if summary.written:  # the types it defined serve the next files
            self._catalogue = importer.pass_catalogue
        return summary
