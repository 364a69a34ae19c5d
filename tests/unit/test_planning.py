"""Import planning in the domain (`plan_batch`), with the log's answers given by hand."""

from __future__ import annotations

from collections.abc import Mapping

from tracker.domain.building import build_claim, build_source
from tracker.domain.deciding import Plan
from tracker.domain.events import ClaimAsserted
from tracker.domain.fold import Knowledge
from tracker.domain.importing import plan_batch
from tracker.domain.model import Catalogue, Claim, Source
from tracker.domain.rows import Row

CATALOGUE = Catalogue({"diplomacy.visit": "An official visit"})


def _fields(claim_id: str, op: str = "") -> dict[str, str | None]:
    return {
        "id": claim_id,
        "op": op or None,
        "type": "diplomacy.visit",
        "date": "2025-02",
        "subject": "Haftar",
        "summary": f"Haftar visited ({claim_id}).",
        "source": "Wire",
        "source_url": f"https://wire.example.org/{claim_id}",
    }


def _plan(rows: list[Row], offered: list[Mapping[str, ClaimAsserted]]) -> None:
    def knowledge_of(ids: set[str], asserted: Mapping[str, ClaimAsserted]) -> Knowledge:
        offered.append(asserted)
        return Knowledge()

    def near_duplicates(cited: list[tuple[Claim, Source]]) -> dict[str, list[str]]:
        return {}

    plan_batch(Plan(), rows, CATALOGUE, lambda ids: {}, knowledge_of, near_duplicates)


def test_the_log_is_offered_the_event_each_asserting_row_would_append() -> None:
    rows = [Row(2, _fields("a")), Row(3, _fields("b")), Row(4, _fields("c", op="retract"))]
    offered: list[Mapping[str, ClaimAsserted]] = []
    _plan(rows, offered)
    [asserted] = offered
    assert sorted(asserted) == ["a", "b"] and len(asserted) == 2
    for claim_id in ("a", "b"):
        fields = _fields(claim_id)
        source = build_source(fields)
        expected = ClaimAsserted(build_claim(fields, CATALOGUE, source.id), source)
        assert asserted[claim_id] == expected
        assert asserted.get(claim_id) == expected
    assert asserted.get("c") is None  # a retraction appends no claim.asserted
