"""An import file's rows (SPEC §6): its columns, and each row validated into what it asserts,
retracts, grades or defines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tracker.domain.building import build_row_claim, build_source, check_rank
from tracker.domain.catalogue import Catalogue, TypeDef, type_def
from tracker.domain.errors import ValidationError
from tracker.domain.judgements import JUDGEMENT_OPS, judgement_names
from tracker.domain.model import Claim, Source, fold_text, publisher_key
from tracker.domain.publishing import grade_row
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
    claim, refused = build_row_claim(row.fields, catalogue, source.id)
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
