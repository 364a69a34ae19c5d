"""Import planning: which events a file's rows add to what the log already knows (SPEC §6),
batch after batch, with rule 5 checked across the file."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from tracker.domain.catalogue import Catalogue
from tracker.domain.deciding import Batch, Plan, decide, define, reject, reject_all, shaped
from tracker.domain.errors import ValidationError
from tracker.domain.events import ClaimAsserted
from tracker.domain.fold import Knowledge
from tracker.domain.judgements import JUDGEMENT_OPS, apply_judgement, judge
from tracker.domain.model import Claim, Source
from tracker.domain.publishing import Repeats
from tracker.domain.rows import Parsed, Row, RowError, parse_row, row_errors

# Rows planned and appended at a time: what an import holds follows this, not the file.
BATCH_ROWS = 5000


def plan_batch(
    plan: Plan,
    rows: Iterable[Row],
    catalogue: Catalogue,
    earlier: Callable[[set[str]], dict[str, set[int]]],
    knowledge_of: Callable[[set[str], Mapping[str, ClaimAsserted]], Knowledge],
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
            reject_all(plan, row, row_errors(row, catalogue, error))
            continue
        if row.unread:
            reject_all(plan, row, row_errors(row, catalogue))
            continue
        (judgements if item.op in JUDGEMENT_OPS else parsed).append(item)
    kept = _drop_contradictions(plan, batch, parsed, earlier)
    if plan.found:
        return batch  # this pass is void; decide nothing more
    knowledge = knowledge_of({item.claim_id for item in kept}, _Asserted(kept))
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
            define(plan, batch, item)
        elif shaped(plan, item, knowledge, catalogue) and decide(plan, batch, item, knowledge):
            assert item.claim is not None and item.source is not None
            note = repeats.note(item.claim, item.source)
            if note is not None:
                plan.warnings.append(RowError(item.row.line, "id", note))
    for item in judgements:
        try:
            event = judge(plan.identity, item.op, item.names, item.reason)
        except ValidationError as error:
            reject(plan, item.row, error.field or "value", error.message)
            continue
        if event is None:
            plan.counts["unchanged"] += 1
            continue
        apply_judgement(plan.identity, event)
        batch.events.append(event)
        plan.counts["new"] += 1
    return batch


class _Asserted(Mapping[str, ClaimAsserted]):
    """The `claim.asserted` each row asserting a claim as it is would append, by claim id;
    each built when asked for: only ids the log holds are (none on a first import)."""

    def __init__(self, kept: list[Parsed]) -> None:
        self._items = {
            item.claim_id: item
            for item in kept
            if item.op == "assert" and item.claim is not None and item.source is not None
        }

    def __getitem__(self, claim_id: str) -> ClaimAsserted:
        item = self._items[claim_id]
        assert item.claim is not None and item.source is not None
        return ClaimAsserted(item.claim, item.source)

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


def shape(item: Parsed) -> int:
    """What rule 5 compares two rows of one id by. Python's hash: the same in one process,
    which is as long as a file's import lasts; different content colliding on 64 bits is
    negligible."""
    return hash((item.op, item.claim, item.source, item.rank))


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
            reject(
                plan,
                item.row,
                "id",
                f"id {item.claim_id!r} appears on lines {listed} with different content",
            )
            continue
        digest = shape(item)
        batch.seen.append((item.claim_id, digest, item.row.line))
        before = shapes.get(item.claim_id)
        if not before:
            shapes[item.claim_id] = {digest}
            kept.append(item)
        elif len(before) == 1 and digest in before:
            plan.counts["unchanged"] += 1
        else:
            plan.found.add(item.claim_id)
            before.add(digest)
    return kept
