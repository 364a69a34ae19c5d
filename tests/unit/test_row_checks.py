"""An import row checked in one pass (`rows.parse_row`, `building`): of several problems, the
one raised is the first in a fixed order, the same one `build_claim` and `build_source`
raise. A refused row then has every column's problem listed (`rows.row_errors`), in the
order of the file's columns."""

from __future__ import annotations

import pytest

from tracker.domain.building import build_claim, build_source
from tracker.domain.errors import ValidationError
from tracker.domain.model import Catalogue
from tracker.domain.rows import Row, parse_row, row_errors

CATALOGUE = Catalogue({"military.force_level": "The size of a force"})

ROW: dict[str, str | None] = {
    "id": "c1",
    "type": "military.force_level",
    "date": "2024-05",
    "subject": "Russia",
    "attribute": "troops",
    "value": "1,800",
    "summary": "Russia had 1,800 troops.",
    "source": "Wire",
    "published": "2024-06",
    "retrieved": "2024-06-02T10:00:00Z",
    "reliability": "B",
    "credibility": "3",
    "rank": "preferred",
}

# Each problem, in the order a row's problems are found; each later one is added to the
# row together with all those before it, so only the first can be reported.
PROBLEMS: list[tuple[str, str | None, str, str]] = [
    ("op", "bogus", "op", "op 'bogus' is not one of assert, retract, grade, type, "),
    ("source", "  ", "source", "source is required (no claim without provenance)"),
    ("published", "2024-13", "published", "invalid date '2024-13'; accepted forms: "),
    ("retrieved", "soon", "retrieved", "retrieved 'soon' is not an ISO datetime"),
    ("reliability", "G", "reliability", "reliability 'G' is not a grade A-F"),
    ("type", None, "type", "type is required"),
    ("date", " ", "date", "date is required"),
    ("value", None, "value", "value is required with attribute"),
    ("subject", "", "subject", "subject is required"),
    ("summary", None, "summary", "summary is required"),
    ("credibility", "9", "credibility", "credibility '9' is not a grade 1-6"),
    ("id", "x" * 201, "id", "id is 201 characters long; at most 200"),
    ("rank", "top", "rank", "rank 'top' is not one of preferred, normal, deprecated"),
]


def _error(fields: dict[str, str | None]) -> tuple[str | None, str]:
    with pytest.raises(ValidationError) as raised:
        parse_row(Row(2, fields), CATALOGUE.copy())
    return raised.value.field, raised.value.message


@pytest.mark.parametrize("first", range(len(PROBLEMS)))
def test_of_several_problems_a_row_reports_the_first(first: int) -> None:
    fields = dict(ROW)
    for column, cell, _field, _message in reversed(PROBLEMS[first:]):
        fields[column] = cell
    field, message = _error(fields)
    assert field == PROBLEMS[first][2]
    assert message.startswith(PROBLEMS[first][3])


def test_a_refused_value_is_reported_only_when_nothing_else_is_wrong() -> None:
    fields = dict(ROW, value="1.800.000")  # not a figure the grammar takes
    parsed = parse_row(Row(2, fields), CATALOGUE)
    assert parsed.refused is not None and parsed.refused.startswith("value '1.800.000'")
    assert parsed.claim is not None and parsed.claim.value == "1.800.000"
    with pytest.raises(ValidationError) as raised:
        build_claim(fields, CATALOGUE, build_source(fields).id)
    assert (raised.value.field, raised.value.message) == ("value", parsed.refused)
    # A problem found after the value's grammar is reported instead, by the import too.
    assert _error(dict(fields, credibility="9"))[0] == "credibility"
    with pytest.raises(ValidationError) as raised:
        build_claim(dict(fields, credibility="9"), CATALOGUE, "src:x")
    assert raised.value.field == "value"


def test_a_row_without_problems_gives_the_claim_build_claim_gives() -> None:
    parsed = parse_row(Row(2, dict(ROW, id=None, rank=None)), CATALOGUE)
    source = build_source(ROW)
    assert parsed.source == source
    assert parsed.claim == build_claim(dict(ROW, id=None), CATALOGUE, source.id)
    assert parsed.claim is not None and parsed.claim.id.startswith("clm:")
    assert parsed.claim.value == "1800" and parsed.rank is None


def _every(
    fields: dict[str, str | None], catalogue: Catalogue = CATALOGUE
) -> list[tuple[str, str]]:
    row = Row(2, fields)
    with pytest.raises(ValidationError) as raised:
        parse_row(row, catalogue.copy())
    return [(e.field or "", e.message) for e in row_errors(row, catalogue, raised.value)]


def test_every_problem_of_a_row_is_listed_once_in_the_order_of_its_columns() -> None:
    # Every problem above but op's (a row whose op is unknown is nothing to check further).
    fields = dict(ROW)
    for column, cell, _field, _message in PROBLEMS[1:]:
        fields[column] = cell
    listed = _every(fields)
    assert [column for column, _ in listed] == [
        c for c in fields if c in {p[2] for p in PROBLEMS[1:]}
    ]
    for (column, message), (_c, _cell, field, start) in zip(
        listed, sorted(PROBLEMS[1:], key=lambda p: list(fields).index(p[2])), strict=True
    ):
        assert (column, message[: len(start)]) == (field, start)


def test_a_row_lists_its_problems_in_the_order_the_file_gives_its_columns() -> None:
    # The audit's row: a CSV header in its own order, and no column for the summary at all.
    fields: dict[str, str | None] = {
        "credibility": "9",
        "id": "m:1",
        "source": None,
        "date": "2024-7",
        "type": "diplomacy.vist",
        "subject": None,
        "reliability": "G",
    }
    listed = _every(fields)
    assert [column for column, _ in listed] == [
        "credibility",
        "source",
        "date",
        "type",
        "subject",
        "reliability",
        "summary",  # not in the file: after its columns
    ]
    assert listed[3][1].startswith("unknown type 'diplomacy.vist'")


def test_a_value_the_grammar_refuses_is_listed_with_the_rows_other_problems() -> None:
    listed = _every(dict(ROW, value="2.5k", date="2024-7", credibility="9"))
    assert [(column, message[:24]) for column, message in listed] == [
        ("date", "invalid date '2024-7'; a"),
        ("value", "value '2.5k' is not a fi"),
        ("credibility", "credibility '9' is not a"),
    ]


def test_a_row_with_an_unknown_op_lists_only_its_op() -> None:
    assert [c for c, _ in _every(dict(ROW, op="asert", date="2024-7", source=None))] == ["op"]


def test_judgement_grade_and_type_rows_list_each_missing_or_bad_column() -> None:
    assert _every({"op": "alias", "subject": None, "value": " "}) == [
        ("subject", "subject is required for op=alias"),
        ("value", "value is required for op=alias"),
    ]
    assert _every({"op": "grade", "source": None, "reliability": "Q"}) == [
        ("source", "source is required to grade it"),
        ("reliability", "reliability 'Q' is not a grade A-F"),
    ]
    catalogue = CATALOGUE.copy()
    listed = _every(
        {"op": "type", "type": "Bad Code", "value": "event", "summary": None}, catalogue
    )
    assert [column for column, _ in listed] == ["type", "value", "summary"]
    assert catalogue.types == CATALOGUE.types  # checking a type row defines nothing
