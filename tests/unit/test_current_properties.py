"""`slots._current` (n log n, issue 12 item 13) keeps exactly the claims the quadratic
definition kept: those no other claim `is_later` than. Compared on generated windows with many
ties (equal starts, equal ends, nested windows), and timed on one large slot."""

from __future__ import annotations

import time
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain.fold import ClaimState
from tracker.domain.model import Claim
from tracker.domain.slots import _current, is_later

BASE = date(2024, 1, 1)


def quadratic(states: list[ClaimState]) -> list[ClaimState]:
    """The definition `_current` had until issue 12: every pair compared."""
    return [
        a
        for a in states
        if not any(is_later(b.claim.valid, a.claim.valid) for b in states if b is not a)
    ]


def state(n: int, text: str) -> ClaimState:
    claim = Claim(f"c:{n}", "military.force_level", text, "S", "x", "src:1", "a", "1")
    return ClaimState(claim, n + 1)


def day(offset: int) -> str:
    return (BASE + timedelta(days=offset)).isoformat()


@st.composite
def date_texts(draw: st.DrawFn) -> str:
    """Few distinct days (so windows tie and nest), in every form a start window takes."""
    form = draw(st.sampled_from(["day", "between", "month", "year", "span", "open start"]))
    a = draw(st.integers(0, 40))
    b = a + draw(st.integers(0, 40))
    if form == "day":
        return day(a)
    if form == "between":
        return f"[{day(a)}..{day(b)}]"
    if form == "month":
        return (BASE + timedelta(days=a)).strftime("%Y-%m")
    if form == "year":
        return draw(st.sampled_from(["2023", "2024", "2025"]))
    if form == "span":
        return f"{day(a)}/{day(b)}"
    return f"../{day(b)}"


@settings(max_examples=400, deadline=None)
@given(st.lists(date_texts(), max_size=30))
def test_current_keeps_exactly_what_the_pairwise_definition_kept(texts: list[str]) -> None:
    states = [state(n, text) for n, text in enumerate(texts)]
    assert _current(states) == quadratic(states)


def test_current_of_one_large_slot_is_fast() -> None:
    """8,000 claims of one month, none later than another (every pair was compared before:
    58 s in `show`), then 8,000 daily values, of which only the last is current."""
    month = [state(n, "2024-05") for n in range(8000)]
    daily = [state(n, day(n)) for n in range(8000)]
    started = time.perf_counter()
    assert _current(month) == month
    assert _current(daily) == daily[-1:]
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, elapsed
