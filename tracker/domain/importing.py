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
from tracker.domain.identity import Identity
from tracker.domain.judgements import JUDGEMENT_OPS, apply_judgement, judge, judgement_names
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
OPS = ("assert", "retract", *JUDGEMENT_OPS)
# Rows planned and appended at a time: what an import holds follows this, not the file.
BATCH_ROWS = 5000


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
    names: tuple[str, ...] = ()  # a judgement's subject (and value)


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


def parse_row(row: Row, catalogue: Catalogue) -> Parsed:
    """Validate one row; raises ValidationError naming the column."""
    get = row.fields.get
    op_text = get("op")
    op = fold_text(op_text).lower() if op_text else "assert"
    if op not in OPS:
        raise ValidationError(f"op {op!r} is not one of {', '.join(OPS)}", "op")
    reason_text = get("reason")
    reason = fold_text(reason_text) or None if reason_text else None
    if op in JUDGEMENT_OPS:
        return Parsed(row, op, "", reason=reason, names=judgement_names(row.fields, op))
    if op == "retract":
        claim_id = fold_text(get("id") or "")
        if not claim_id:
            raise ValidationError("id is required to retract a claim", "id")
        return Parsed(row, op, claim_id, reason=reason)
    source = build_source(row.fields)
    claim = build_claim(row.fields, catalogue, source.id)
    rank_text = fold_text(get("rank") or "")
    rank = _checked(check_rank, rank_text, "rank") if rank_text else None
    return Parsed(row, op, claim.id, claim, source, reason, rank)


def _checked(check: Callable[[str], str], raw: str, column: str) -> str:
    try:
        return check(raw)
    except ValidationError as error:
        raise ValidationError(error.message, column) from None


def plan_batch(
    plan: Plan,
    rows: Iterable[Row],
    catalogue: Catalogue,
    earlier: Callable[[set[str]], dict[str, set[int]]],
    knowledge_of: Callable[[set[str]], Knowledge],
) -> Batch:
    """The events that bring the log in line with the next rows of a file.

    `earlier(ids)` gives the shapes (`shape`) of those ids on the file's earlier lines, so a
    later row of an id is a duplicate (unchanged) or a contradiction (rule 5) across batches.
    `knowledge_of(ids)` gives what the log knows of those claims, the earlier batches' events
    included, and of every source, so the cost follows the file, not the log.
    """
    batch = Batch()
    parsed: list[Parsed] = []
    judgements: list[Parsed] = []
    for row in rows:
        try:
            item = parse_row(row, catalogue)
        except ValidationError as error:
            _reject(plan, row, error.field or "row", error.message)
            continue
        (judgements if item.op in JUDGEMENT_OPS else parsed).append(item)
    kept = _drop_contradictions(plan, batch, parsed, earlier)
    if plan.found:
        return batch  # this pass is void; decide nothing more
    knowledge = knowledge_of({item.claim_id for item in kept})
    registered = set(knowledge.sources)
    for item in kept:
        _decide(plan, batch, item, knowledge, registered)
    for item in judgements:
        try:
            event = judge(plan.identity, item.op, item.names, item.reason)
        except ValidationError as error:
            _reject(plan, item.row, error.field or "value", error.message)
            continue
        if event is None:
            plan.counts["unchanged"] += 1
            continue
        apply_judgement(plan.identity, event)
        batch.events.append(event)
        plan.counts["new"] += 1
    return batch


def shape(item: Parsed) -> int:
    """What rule 5 compares two rows of one id by. Python's hash: the same in one process,
    which is as long as a file's import lasts; different content colliding on 64 bits is
    negligible."""
    return hash((item.op, item.claim, item.source, item.rank))


def _reject(plan: Plan, row: Row, column: str, message: str) -> None:
    plan.errors.append(RowError(row.line, column, message, row.fields))
    plan.counts["rejected"] += 1


def _drop_contradictions(
    plan: Plan,
    batch: Batch,
    parsed: list[Parsed],
    earlier: Callable[[set[str]], dict[str, set[int]]],
) -> list[Parsed]:
    """Rule 5: rows of one file sharing an id with different content are all rejected.

    The first row of an id is kept; a later one with the same content is counted unchanged.
    """
    shapes = earlier({item.claim_id for item in parsed if item.claim_id not in plan.conflicts})
    kept = []
    for item in parsed:
        lines = plan.conflicts.get(item.claim_id)
        if lines is not None:
            listed = ", ".join(map(str, lines))
            _reject(
                plan,
                item.row,
                "id",
                f"id {item.claim_id!r} appears on lines {listed} with different content",
            )
            continue
        digest = shape(item)
        batch.seen.append((item.claim_id, digest, item.row.line))
        before = shapes.setdefault(item.claim_id, set())
        if not before:
            kept.append(item)
        elif before == {digest}:
            plan.counts["unchanged"] += 1
        else:
            plan.found.add(item.claim_id)
        before.add(digest)
    return kept


def _decide(
    plan: Plan, batch: Batch, item: Parsed, knowledge: Knowledge, registered: set[str]
) -> None:
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
        batch.events.append(ClaimRetracted(item.claim_id, item.reason or "retracted by import"))
        plan.counts["retracted"] += 1
        return
    assert item.claim is not None and item.source is not None
    reranked = item.rank is not None and item.rank != (known.rank if known else "normal")
    if known is not None and known.retracted:
        reranked = False
    if known is not None and known.claim.same_content(item.claim):
        if reranked:
            batch.events.append(
                ClaimRanked(item.claim_id, item.rank or "", item.reason or "rank changed by import")
            )
        plan.counts["corrected" if reranked else "unchanged"] += 1
        return
    if item.source.id not in registered:
        batch.events.append(SourceRegistered(item.source))
        registered.add(item.source.id)
    if known is None:
        batch.events.append(ClaimAsserted(item.claim))
        plan.counts["new"] += 1
    else:
        batch.events.append(
            ClaimCorrected(
                item.claim, item.claim_id, item.reason or "re-imported with changed content"
            )
        )
        plan.counts["corrected"] += 1
    if reranked:
        batch.events.append(
            ClaimRanked(item.claim_id, item.rank or "", item.reason or "rank given by import")
        )
