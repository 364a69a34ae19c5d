"""`bounds.usable` drops only observations that no picture at the day uses: the slots built
from what it keeps equal those built from every claim."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain.bounds import Bounds, usable
from tracker.domain.building import build_claim, build_source
from tracker.domain.fold import ClaimState, Knowledge
from tracker.domain.model import Catalogue, subject_key
from tracker.domain.picture import build_picture

CATALOGUE = Catalogue({"military.force_level": "force level"})
SOURCE = build_source({"source": "Example Monitor", "reliability": "C"})
START = date(2024, 1, 1)


@st.composite
def valid_dates(draw: st.DrawFn) -> str:
    """Days, months and spans of days around early 2024, so windows overlap, nest and end
    on either side of the picture's day."""
    first = START + timedelta(days=draw(st.integers(0, 90)))
    form = draw(st.sampled_from(["day", "month", "span", "open end", "open start"]))
    if form == "day":
        return first.isoformat()
    if form == "month":
        return first.isoformat()[:7]
    if form == "open end":
        return f"{first.isoformat()}/.."
    if form == "open start":
        return f"../{first.isoformat()}"
    return f"{first.isoformat()}/{(first + timedelta(days=draw(st.integers(0, 40)))).isoformat()}"


@st.composite
def knowledge(draw: st.DrawFn) -> Knowledge:
    known = Knowledge(position=0, sources={SOURCE.id: SOURCE})
    for n in range(draw(st.integers(1, 12))):
        fields: dict[str, str | None] = {
            "id": f"c{n}",
            "type": "military.force_level",
            "date": draw(valid_dates()),
            "subject": draw(st.sampled_from(["Russia", "Wagner"])),
            "attribute": "troops_in_libya",
            "value": draw(st.sampled_from(["800", "1800"])),
            "summary": f"claim {n}",
        }
        claim = build_claim(fields, CATALOGUE, SOURCE.id)
        rank = draw(st.sampled_from(["normal", "normal", "preferred"]))
        known.claims[claim.id] = ClaimState(claim, n + 1, False, rank)
    return known


def bounds_of(known: Knowledge) -> list[Bounds]:
    """The rows a store reads for `usable`, slot by slot."""
    rows: list[Bounds] = []
    for state in known.claims.values():
        valid = state.claim.valid
        end = valid.end.latest.toordinal() if valid.is_span and valid.end is not None else None
        key, attribute = subject_key(state.claim.subject), state.claim.attribute or ""
        first, last = valid.start.earliest.toordinal(), valid.start.latest.toordinal()
        rows.append((key, attribute, first, last, end, state.position, state.claim.id))
    return sorted(rows, key=lambda row: row[:2])


@settings(max_examples=400, deadline=None)
@given(known=knowledge(), offset=st.integers(-5, 140))
def test_the_slots_built_from_the_usable_claims_equal_those_from_every_claim(
    known: Knowledge, offset: int
) -> None:
    day = START + timedelta(days=offset)
    kept = set(usable(bounds_of(known), day.toordinal()))
    pruned = Knowledge(
        position=0,
        sources=known.sources,
        claims={i: s for i, s in known.claims.items() if i in kept},
    )
    assert build_picture(pruned, day).slots == build_picture(known, day).slots


def test_usable_drops_a_claim_that_a_later_one_follows() -> None:
    rows: list[Bounds] = [
        ("russia", "troops", 10, 10, None, 1, "early"),
        ("russia", "troops", 20, 20, None, 2, "middle"),
        ("russia", "troops", 30, 30, None, 3, "late"),
    ]
    assert sorted(usable(rows, 40)) == ["early", "late"]  # the first claim names the slot
    assert sorted(usable(rows, 25)) == ["early", "middle"]


def test_usable_keeps_the_value_before_a_possible_one_when_a_later_span_has_ended() -> None:
    """An ended span is not definite: were it, it would bound away the claim that gives the
    value before the possible one."""
    known = Knowledge(position=0, sources={SOURCE.id: SOURCE})
    for n, (text, value) in enumerate(
        [("2024-02", "2000"), ("2024-01-20/2024-01-25", "900"), ("2024-01-10", "800")]
    ):
        fields: dict[str, str | None] = {
            "id": f"c{n}",
            "type": "military.force_level",
            "date": text,
            "subject": "Russia",
            "attribute": "troops_in_libya",
            "value": value,
            "summary": f"claim {n}",
        }
        claim = build_claim(fields, CATALOGUE, SOURCE.id)
        known.claims[claim.id] = ClaimState(claim, n + 1, False, "normal")
    day = date(2024, 2, 10)
    assert "c2" in set(usable(bounds_of(known), day.toordinal()))
    [slot] = build_picture(known, day).slots
    assert (slot.status, slot.value) == ("possible", "800")
