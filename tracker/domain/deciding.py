"""Rules 1-4 of an import (SPEC §6): what each valid row appends, given what the log knows,
and the plan that counts what the rows did."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from tracker.domain.catalogue import Catalogue
from tracker.domain.errors import ValidationError
from tracker.domain.events import (
    ClaimAsserted,
    ClaimCorrected,
    ClaimRanked,
    ClaimRetracted,
    Event,
    TypeDefined,
)
from tracker.domain.fold import Knowledge, apply, cite
from tracker.domain.identity import Identity
from tracker.domain.publishing import as_recorded, grade_warning, regrade, retracted_note
from tracker.domain.rows import Parsed, Row, RowError, in_file_order
from tracker.domain.units import moves


@dataclass
class Plan:
    """What a file's rows did so far; planned batch after batch (`plan_batch`).

    `conflicts` are the ids known to break rule 5, with every line they are on: their rows
    are rejected. `found` collects ids seen to break it in this pass, not known beforehand:
    the pass is then void and has to be planned again with them in `conflicts`.
    """

    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("new", "corrected", "unchanged", "retracted", "rejected"), 0
        )
    )
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    conflicts: dict[str, list[int]] = field(default_factory=dict)
    found: set[str] = field(default_factory=set)
    identity: Identity = field(default_factory=Identity)  # judgements in force, this file's too


@dataclass
class Batch:
    """One batch's events, and (claim id, shape, line) of each of its valid rows, to be
    remembered for the later batches (`Plan` keeps no row)."""

    events: list[Event] = field(default_factory=list)
    seen: list[tuple[str, int, int]] = field(default_factory=list)
    retracted: set[str] = field(default_factory=set)
    moved: set[str] = field(default_factory=set)  # corrections changing a unit or a slot


def reject(plan: Plan, row: Row, column: str, message: str) -> None:
    reject_all(plan, row, [ValidationError(message, column)])


def reject_all(plan: Plan, row: Row, errors: list[ValidationError]) -> None:
    """A row rejected with each of its problems (SPEC §6 rule 6: every error is listed),
    counted once."""
    for error in errors:
        column = error.field or "row"
        line = row.where.get(column, row.line) if row.where else row.line
        plan.errors.append(RowError(line, column, error.message, row.fields, row.line))
    plan.counts["rejected"] += 1


def define(plan: Plan, batch: Batch, item: Parsed) -> None:
    if item.definition is None:
        plan.counts["unchanged"] += 1
        return
    batch.events.append(TypeDefined(*vars(item.definition).values()))
    plan.counts["new"] += 1


def shaped(plan: Plan, item: Parsed, knowledge: Knowledge, catalogue: Catalogue) -> bool:
    """A new claim, or a correction, has its type's shape; a row the log already holds as it
    is passes whatever its shape (claims recorded before shapes stay as they are), cited
    again under another grade too (`as_recorded`)."""
    if item.claim is None or item.source is None:
        return True
    known = knowledge.claims.get(item.claim_id)
    if known is not None:
        recorded = knowledge.sources.get(known.claim.source_id)
        if known.claim.same_content(as_recorded(item.claim, item.source, recorded)[0]):
            return True
    try:
        catalogue.check_shape(item.claim, known.claim if known is not None else None)
    except ValidationError as error:
        errors = [ValidationError(error.message, error.field or "type")]
        if item.refused is not None:  # the row is not the claim recorded: its value counts
            errors.append(ValidationError(item.refused, "value"))
        reject_all(plan, item.row, in_file_order(item.row, errors))
        return False
    return True


def decide(plan: Plan, batch: Batch, item: Parsed, knowledge: Knowledge) -> bool:
    """Rules 1-4 for one row, and the judgements; whether a new active claim was asserted.
    `knowledge` is kept up to date with the publishers this batch cites and grades, so a
    later row sees an earlier row's grade."""
    known = knowledge.claims.get(item.claim_id)
    if item.op == "grade":
        _grade(plan, batch, item, knowledge)
        return False
    if item.op == "retract" and (item.claim is None or known is not None):
        _retract(plan, batch, item, known is not None and not known.retracted, known is None)
        return False
    assert item.claim is not None and item.source is not None
    if item.op == "retract":  # an unknown claim with its content: recorded, then retracted
        _assert(batch, item, knowledge)
        plan.counts["new"] += 1
        _retract(plan, batch, item, True, False)
        return False
    warning = grade_warning(knowledge.publishers, item.source)
    if warning is not None:
        plan.warnings.append(RowError(item.row.line, "reliability", warning))
    if known is not None:
        recorded = knowledge.sources.get(known.claim.source_id)
        claim, article = as_recorded(item.claim, item.source, recorded)
        if claim is not item.claim:  # cited again under another grade: as recorded
            item = replace(item, claim=claim, source=article)
    assert item.claim is not None and item.source is not None
    reranked = item.rank is not None and item.rank != (known.rank if known else "normal")
    if known is not None and known.retracted:
        reranked = False
    if item.refused is not None:
        # A file imported before the value grammar imports again unchanged (`1.800`).
        if known is not None and not reranked and known.claim.same_content(item.claim):
            if known.retracted:
                plan.warnings.append(RowError(item.row.line, "id", retracted_note(item.claim_id)))
            plan.counts["unchanged"] += 1
        else:
            reject(plan, item.row, "value", item.refused)
        return False
    if known is not None and known.claim.same_content(item.claim):
        if known.retracted:
            plan.warnings.append(RowError(item.row.line, "id", retracted_note(item.claim_id)))
        if reranked:
            batch.events.append(
                ClaimRanked(item.claim_id, item.rank or "", item.reason or "rank changed by import")
            )
        plan.counts["corrected" if reranked else "unchanged"] += 1
        return False
    if known is None:
        _assert(batch, item, knowledge)
        plan.counts["new"] += 1
    else:
        cite(knowledge, item.source)
        batch.events.append(
            ClaimCorrected(
                item.claim,
                item.claim_id,
                item.reason or "re-imported with changed content",
                item.source,
            )
        )
        if item.claim.is_observation and moves(known.claim, item.claim, plan.identity):
            batch.moved.add(item.claim_id)  # its unit is checked as a new claim's is
        plan.counts["corrected"] += 1
    if reranked:
        batch.events.append(
            ClaimRanked(item.claim_id, item.rank or "", item.reason or "rank given by import")
        )
    return known is None


def _assert(batch: Batch, item: Parsed, knowledge: Knowledge) -> None:
    assert item.claim is not None and item.source is not None
    cite(knowledge, item.source)
    batch.events.append(ClaimAsserted(item.claim, item.source))


def _retract(plan: Plan, batch: Batch, item: Parsed, active: bool, unknown: bool) -> None:
    if not active:
        state = "unknown" if unknown else "already retracted"
        plan.warnings.append(
            RowError(item.row.line, "id", f"claim {item.claim_id!r} is {state}; nothing to retract")
        )
        return
    batch.events.append(ClaimRetracted(item.claim_id, item.reason or "retracted by import"))
    batch.retracted.add(item.claim_id)
    plan.counts["retracted"] += 1


def _grade(plan: Plan, batch: Batch, item: Parsed, knowledge: Knowledge) -> None:
    """`op=grade`, idempotent: a grade already in force appends nothing (unchanged)."""
    assert item.source is not None
    try:
        event = regrade(knowledge.publishers, item.source, item.reason or "graded by import")
    except ValidationError as error:
        reject(plan, item.row, error.field or "source", error.message)
        return
    if event is None:
        plan.counts["unchanged"] += 1
        return
    apply(event, knowledge, 0)
    batch.events.append(event)
    plan.counts["new"] += 1
