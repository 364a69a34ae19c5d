"""An import row checked in one pass (`rows.parse_row`, `building`): of several problems, the
one reported is the first in a fixed order, the same one `build_claim` and `build_source`
report, so a row rejected before is rejected with the same one-line error."""

from __future__ import annotations

import pytest

from tracker.domain.building import build_claim, build_source
from tracker.domain.errors import ValidationError
from tracker.domain.model import Catalogue
from tracker.domain.rows import Row, parse_row

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
