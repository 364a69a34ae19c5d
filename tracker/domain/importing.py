"""Import planning: which events a file's rows add to what the log already knows (SPEC §6)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from tracker.domain.building import build_claim, build_source, check_rank
from tracker.domain.catalogue import Catalogue, TypeDef, type_def
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
from tracker.domain.judgements import JUDGEMENT_OPS, apply_judgement, judge, judgement_names
from tracker.domain.model import Claim, Source, fold_text, publisher_key
from tracker.domain.publishing import (
    Repeats,
    as_recorded,
    grade_row,
    grade_warning,
    regrade,
    retracted_note,
)
from tracker.domain.records import quick_init

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
OPS = ("assert", "retract", "grade", "type", *JUDGEMENT_OPS)
# An op=type row defines a type code (SPEC §11): `type` is the code, `value` its shape,
# `summary` its description. Rule 5 knows it by this key, which no claim id can be (ids are
# folded text: they never start with a space).
TYPE_KEY = " type:"
_TYPE_COLUMNS = {"type": "type", "shape": "value", "description": "summary"}
# Rows planned and appended at a time: what an import holds follows this, not the file.
BATCH_ROWS = 5000


@quick_init
@dataclass(frozen=True)
class Row:
    """One row of an import file, with the line it starts on."""

    line: int
    fields: dict[str, str | None]
    # The line of each field when it differs from `line` (an article's keys): errors name it.
    where: dict[str, int] = field(default_factory=dict, compare=False)


@quick_init
@dataclass(frozen=True)
class RowError:
    """What is wrong with a row; `fields` keeps the row itself, for a rejects file."""

    line: int
    column: str
    message: str
    fields: dict[str, str | None] = field(default_factory=dict, compare=False)


@quick_init
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
    definition: TypeDef | None = None  # op=type: a type new to the catalogue
    # Why the value grammar refuses this row's value; the row is then only matched with a
    # claim recorded before the grammar (its value as schema 0003 took it), never written.
    refused: str | None = None


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


def parse_row(row: Row, catalogue: Catalogue) -> Parsed:
    """Validate one row; raises ValidationError naming the column."""
    get = row.fields.get
    op_text = get("op")
    op = fold_text(op_text).lower() if op_text else "assert"
    if op not in OPS:
        raise ValidationError(f"op {op!r} is not one of {', '.join(OPS)}", "op")
    reason_text = get("reason")
    reason = fold_text(reason_text) or None if reason_text else None
    if op == "type":
        return _parse_type(row, catalogue)
    if op == "grade":
        return _grade_row(row, reason)
    if op in JUDGEMENT_OPS:
        return Parsed(row, op, "", reason=reason, names=judgement_names(row.fields, op))
    if op == "retract" and not fold_text(get("type") or ""):
        claim_id = fold_text(get("id") or "")
        if not claim_id:
            raise ValidationError("id is required to retract a claim", "id")
        return Parsed(row, op, claim_id, reason=reason)
    # An assertion, or a retraction carrying the claim's content (`export claims --all`).
    source = build_source(row.fields)
    refused = None
    try:
        claim = build_claim(row.fields, catalogue, source.id)
    except ValidationError as error:
        if error.field != "value":
            raise
        claim = build_claim(row.fields, catalogue, source.id, legacy=True)
        refused = error.message
    rank_text = fold_text(get("rank") or "")
    rank = _checked(check_rank, rank_text, "rank") if rank_text else None
    return Parsed(row, op, claim.id, claim, source, reason, rank, refused=refused)


def _parse_type(row: Row, catalogue: Catalogue) -> Parsed:
    """An op=type row, defined in `catalogue` at once so the rows after it may use it."""
    get = row.fields.get
    try:
        definition = type_def(get("type") or "", get("value") or "", get("summary") or "")
    except ValidationError as error:
        raise ValidationError(error.message, _TYPE_COLUMNS.get(error.field or "")) from None
    new = catalogue.define(definition)
    return Parsed(row, "type", TYPE_KEY + definition.code, definition=definition if new else None)


def _grade_row(row: Row, reason: str | None) -> Parsed:
    graded = grade_row(row.fields)
    # Rule 5 holds for grades too: two rows grading one publisher differently are both refused.
    claim_id = f"grade:{publisher_key(graded.name)}"
    return Parsed(row, "grade", claim_id, source=graded, reason=reason)


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
    knowledge_of: Callable[[set[str], dict[str, ClaimAsserted]], Knowledge],
    near_duplicates: Callable[[list[tuple[Claim, Source]]], dict[str, list[str]]],
) -> Batch:
    """The events that bring the log in line with the next rows of a file.

    `earlier(ids)` gives the shapes (`shape`) of those ids on the file's earlier lines, so a
    later row of an id is a duplicate (unchanged) or a contradiction (rule 5) across batches.
    `knowledge_of(ids, asserted)` gives what the log knows of those claims, the earlier
    batches' events included, and of every publisher, so the cost follows the file, not the
    log; `asserted` holds the event each plain assertion row would append, so that a claim
    the log holds as just that one event (a re-import) need not be decoded.
    `near_duplicates` gives, for (claim, article) pairs, the active claims of the log that
    repeat them under other ids (`publishing.fingerprint`).
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
    knowledge = knowledge_of({item.claim_id for item in kept}, _as_asserted(kept))
    # Only a new claim is told of its near-duplicates (`_decide`): the others are not looked up.
    twins = near_duplicates(
        [
            (i.claim, i.source)
            for i in kept
            if i.op == "assert"
            and i.claim is not None
            and i.source is not None
            and i.refused is None
            and i.claim_id not in knowledge.claims
        ]
    )
    repeats = Repeats(twins, batch.retracted, plan.identity)
    for item in kept:
        if item.op == "type":
            _define(plan, batch, item)
        elif _shaped(plan, item, knowledge, catalogue) and _decide(plan, batch, item, knowledge):
            assert item.claim is not None and item.source is not None
            note = repeats.note(item.claim, item.source)
            if note is not None:
                plan.warnings.append(RowError(item.row.line, "id", note))
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


def _as_asserted(kept: list[Parsed]) -> dict[str, ClaimAsserted]:
    """The `claim.asserted` each row asserting a claim as it is would append, by claim id."""
    return {
        item.claim_id: ClaimAsserted(item.claim, item.source)
        for item in kept
        if item.op == "assert" and item.claim is not None and item.source is not None
    }


def shape(item: Parsed) -> int:
    """What rule 5 compares two rows of one id by. Python's hash: the same in one process,
    which is as long as a file's import lasts; different content colliding on 64 bits is
    negligible."""
    return hash((item.op, item.claim, item.source, item.rank))


def _reject(plan: Plan, row: Row, column: str, message: str) -> None:
    line = row.where.get(column, row.line) if row.where else row.line
    plan.errors.append(RowError(line, column, message, row.fields))
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


def _define(plan: Plan, batch: Batch, item: Parsed) -> None:
    if item.definition is None:
        plan.counts["unchanged"] += 1
        return
    batch.events.append(TypeDefined(*vars(item.definition).values()))
    plan.counts["new"] += 1


def _shaped(plan: Plan, item: Parsed, knowledge: Knowledge, catalogue: Catalogue) -> bool:
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
        _reject(plan, item.row, error.field or "type", error.message)
        return False
    return True


def _decide(plan: Plan, batch: Batch, item: Parsed, knowledge: Knowledge) -> bool:
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
            _reject(plan, item.row, "value", item.refused)
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
        _reject(plan, item.row, error.field or "source", error.message)
        return
    if event is None:
        plan.counts["unchanged"] += 1
        return
    apply(event, knowledge, 0)
    batch.events.append(event)
    plan.counts["new"] += 1
