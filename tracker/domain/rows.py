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
    # (column, message) of what the reader could not take (an unknown key, a TOML value no
    # cell can hold): the row is rejected with them, and with its other columns' problems.
    unread: tuple[tuple[str, str], ...] = ()


@quick_init
@dataclass(frozen=True)
class RowError:
    """What is wrong with a row; `fields` keeps the row itself, for a rejects file. `row` is
    the line the row starts on when `line` (its column's line, an article's key) differs:
    a row's errors are listed together, and kept as one row of a rejects file."""

    line: int
    column: str
    message: str
    fields: dict[str, str | None] = field(default_factory=dict, compare=False)
    row: int = 0

    @property
    def row_line(self) -> int:
        return self.row or self.line


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
    op_text = get("op")  # `_op` inlined: this runs for every row
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


def row_errors(
    row: Row, catalogue: Catalogue, first: ValidationError | None = None
) -> list[ValidationError]:
    """Every problem of a row that `parse_row` refused with `first` (or that the reader could
    not take whole, `Row.unread`), one a column, in the file's order (`in_file_order`).

    `parse_row` stops at a row's first problem, so that a valid row is checked in one pass;
    only a refused row pays for the rest: the column found wrong is given a stand-in that
    passes and the row is parsed again, until it parses (its value's grammar is then checked
    too). Each problem is so found by the very check that would report it alone. A problem
    of a column without a stand-in (`op`: what the row is is unknown) ends the search.
    """
    op = _op(row.fields)
    if op == "type":  # such a row defines its type as it parses: in a copy of the catalogue
        catalogue, stand_ins = catalogue.copy(), _TYPE_STAND_INS
    else:
        stand_ins = {**_STAND_INS, "type": next(iter(catalogue.types), None)}
    found = [ValidationError(message, column) for column, message in row.unread]
    fields = dict(row.fields)
    column = None
    if first is not None:
        column = first.field or ""
        if not any(column == e.field for e in found):  # an unread cell: said already
            found.append(first)
    tried = set()
    while column is None or column in stand_ins:
        if column is not None:
            fields[column] = stand_ins[column]
            tried.add(column)
        try:
            parsed = parse_row(Row(row.line, fields), catalogue)
        except ValidationError as error:
            column = error.field or ""
            if column in tried:
                break  # a stand-in that does not pass here: no more is learnt
            if not any(column == e.field for e in found):
                found.append(error)
            continue
        if parsed.refused is not None and not any(e.field == "value" for e in found):
            found.append(ValidationError(parsed.refused, "value"))
        break
    return in_file_order(row, found)


def in_file_order(row: Row, errors: list[ValidationError]) -> list[ValidationError]:
    """A row's problems in the order of the file: by the line of their column (an article's
    keys have lines of their own), then in the order of the row's columns (a CSV header's,
    a JSON object's keys); a column the row does not give comes after those it gives, in the
    order of `COLUMNS`."""
    order = {column: index for index, column in enumerate(row.fields)}
    after = len(order)

    def place(error: ValidationError) -> tuple[int, int]:
        column = error.field or "row"
        line = row.where.get(column, row.line) if row.where else row.line
        return line, order.get(column, after + _INDEX.get(column, len(COLUMNS)))

    return sorted(errors, key=place)


def _op(fields: dict[str, str | None]) -> str:
    text = fields.get("op")
    return fold_text(text).lower() if text else "assert"


# What stands in for a column found wrong while `row_errors` looks for a row's other
# problems: a value its check passes (an optional column is left out).
_STAND_INS: dict[str, str | None] = {
    "id": None,
    "date": "2000",
    "subject": "-",
    "attribute": "-",
    "value": "0",
    "summary": "-",
    "source": "-",
    "published": None,
    "retrieved": None,
    "reliability": "F",
    "credibility": "6",
    "rank": None,
}
# An op=type row's columns: `type` the code, `value` the shape, `summary` the description.
_TYPE_STAND_INS: dict[str, str | None] = {
    "type": "stand_in.type",
    "value": "occurrence",
    "summary": "-",
}
_INDEX = {column: index for index, column in enumerate(COLUMNS)}


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
