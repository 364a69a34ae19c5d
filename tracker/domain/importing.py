"""Import planning: which events a file's rows add to what the log already knows (SPEC §6)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from tracker.domain.errors import ValidationError
from tracker.domain.events import (
    ClaimAsserted,
    ClaimCorrected,
    ClaimRanked,
    ClaimRetracted,
    Event,
    SourceRegistered,
)
from tracker.domain.fold import Knowledge
from tracker.domain.model import (
    Catalogue,
    Claim,
    Source,
    build_claim,
    build_source,
    check_rank,
    fold_text,
)

COLUMNS = (
    "id",
    "op",
    "type",
    "date",
    "subject",
    "attribute",
    "value",
    "unit",
    "actor",
    "target",
    "place",
    "summary",
    "source",
    "source_url",
    "source_title",
    "published",
    "retrieved",
    "quote",
    "originator",
    "reliability",
    "credibility",
    "reason",
    "rank",
)
# A rejects file carries an `error` column; it is ignored, so the file re-imports once fixed.
IGNORED = ("error",)
OPS = ("assert", "retract")


@dataclass(frozen=True)
class Row:
    """One row of an import file, with the line it starts on."""

    line: int
    fields: dict[str, str | None]


@dataclass(frozen=True)
class RowError:
    """What is wrong with a row; `fields` keeps the row itself, for a rejects file."""

    line: int
    column: str
    message: str
    fields: dict[str, str | None] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Parsed:
    row: Row
    op: str
    claim_id: str
    claim: Claim | None = None
    source: Source | None = None
    reason: str | None = None
    rank: str | None = None


@dataclass
class Plan:
    events: list[Event] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("new", "corrected", "unchanged", "retracted", "rejected"), 0
        )
    )
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)


def parse_row(row: Row, catalogue: Catalogue) -> Parsed:
    """Validate one row; raises ValidationError naming the column."""
    op = fold_text(row.fields.get("op") or "assert").lower()
    if op not in OPS:
        raise ValidationError(f"op {op!r} is not one of {', '.join(OPS)}", "op")
    reason = fold_text(row.fields.get("reason") or "") or None
    if op == "retract":
        claim_id = fold_text(row.fields.get("id") or "")
        if not claim_id:
            raise ValidationError("id is required to retract a claim", "id")
        return Parsed(row, op, claim_id, reason=reason)
    source = build_source(row.fields)
    claim = build_claim(row.fields, catalogue, source.id)
    rank_text = fold_text(row.fields.get("rank") or "")
    rank = _checked(check_rank, rank_text, "rank") if rank_text else None
    return Parsed(row, op, claim.id, claim, source, reason, rank)


def _checked(check: Callable[[str], str], raw: str, column: str) -> str:
    try:
        return check(raw)
    except ValidationError as error:
        raise ValidationError(error.message, column) from None


def plan_import(
    rows: Iterable[Row], catalogue: Catalogue, knowledge_of: Callable[[set[str]], Knowledge]
) -> Plan:
    """The events that bring the log in line with the rows, and what each row did.

    `knowledge_of(ids)` gives what the log knows of those claims and of every source, so
    the cost follows the file, not the log. Invalid rows, and every row of an id given twice
    with different content, are reported in `errors` and produce no event.
    """
    plan = Plan()
    parsed: list[Parsed] = []
    for row in rows:
        try:
            parsed.append(parse_row(row, catalogue))
        except ValidationError as error:
            _reject(plan, row, error.field or "row", error.message)
    kept = _drop_contradictions(plan, parsed)
    knowledge = knowledge_of({item.claim_id for item in kept})
    registered = set(knowledge.sources)
    for item in kept:
        _decide(plan, item, knowledge, registered)
    plan.errors.sort(key=lambda e: e.line)
    return plan


def _reject(plan: Plan, row: Row, column: str, message: str) -> None:
    plan.errors.append(RowError(row.line, column, message, row.fields))
    plan.counts["rejected"] += 1


def _drop_contradictions(plan: Plan, parsed: list[Parsed]) -> list[Parsed]:
    """Rule 5: rows of one file sharing an id with different content are all rejected."""
    by_id: dict[str, list[Parsed]] = {}
    for item in parsed:
        by_id.setdefault(item.claim_id, []).append(item)
    kept = []
    for items in by_id.values():
        shapes = {(i.op, i.claim, i.source, i.rank) for i in items}
        if len(shapes) > 1 and any(i.op == "assert" for i in items):
            lines = ", ".join(str(i.row.line) for i in items)
            for item in items:
                _reject(
                    plan,
                    item.row,
                    "id",
                    f"id {item.claim_id!r} appears on lines {lines} with different content",
                )
            continue
        kept.append(items[0])
        plan.counts["unchanged"] += len(items) - 1
    return sorted(kept, key=lambda i: i.row.line)


def _decide(plan: Plan, item: Parsed, knowledge: Knowledge, registered: set[str]) -> None:
    """Rules 1-4 for one row; `registered` holds the sources known so far, this file's too."""
    known = knowledge.claims.get(item.claim_id)
    if item.op == "retract":
        if known is None or known.retracted:
            state = "unknown" if known is None else "already retracted"
            plan.warnings.append(
                RowError(
                    item.row.line, "id", f"claim {item.claim_id!r} is {state}; nothing to retract"
                )
            )
            return
        plan.events.append(ClaimRetracted(item.claim_id, item.reason or "retracted by import"))
        plan.counts["retracted"] += 1
        return
    assert item.claim is not None and item.source is not None
    reranked = item.rank is not None and item.rank != (known.rank if known else "normal")
    if known is not None and known.retracted:
        reranked = False
    if known is not None and known.claim.same_content(item.claim):
        if reranked:
            plan.events.append(
                ClaimRanked(item.claim_id, item.rank or "", item.reason or "rank changed by import")
            )
        plan.counts["corrected" if reranked else "unchanged"] += 1
        return
    if item.source.id not in registered:
        plan.events.append(SourceRegistered(item.source))
        registered.add(item.source.id)
    if known is None:
        plan.events.append(ClaimAsserted(item.claim))
        plan.counts["new"] += 1
    else:
        plan.events.append(
            ClaimCorrected(
                item.claim, item.claim_id, item.reason or "re-imported with changed content"
            )
        )
        plan.counts["corrected"] += 1
    if reranked:
        plan.events.append(
            ClaimRanked(item.claim_id, item.rank or "", item.reason or "rank given by import")
        )
