"""The figure grammar of SPEC §10: canonical forms, refusals, intervals and agreement."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.errors import ValidationError
from tracker.domain.values import (
    MAX_DIGITS,
    Figure,
    canonical_value,
    common,
    delta,
    legacy_spelling,
    numeric,
    read_value,
    same_value,
)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("1800", "1800"),
        ("1,800", "1800"),
        ("12,345,678.90", "12345678.9"),
        ("1800.000", "1800"),
        ("~1800", "~1800"),
        ("~1,800", "~1800"),
        ("~ 1800", "~1800"),
        (">1000", ">1000"),
        ("> 1,000", ">1000"),
        (">=1000", ">=1000"),
        ("<2000", "<2000"),
        ("<=2,000", "<=2000"),
        ("300..350", "300..350"),
        ("300 .. 350.0", "300..350"),
        ("300..300", "300"),
        ("-3", "-3"),
        ("+5", "5"),
        ("-0", "0"),
        ("2.5", "2.5"),
        ("~0.75", "~0.75"),
        (".5", "0.5"),
        ("0.125", "0.125"),
        ("1.8000", "1.8"),
        ("1,800.5", "1800.5"),
        ("-5..-3", "-5..-3"),
        ("in force", "in force"),
        ("  under   restoration ", "under restoration"),
    ],
)
def test_figures_are_stored_in_canonical_form(raw: str, stored: str) -> None:
    assert canonical_value(raw) == stored
    assert canonical_value(stored) == stored


@pytest.mark.parametrize(
    "raw",
    [
        "2.5k",
        "12%",
        "1.800.000",
        "1800 troops",
        "1,80",
        "1,8000",
        "~300..350",
        ">~1000",
        "350..300",
        "≈1800",
        "\u22125",  # the minus sign
        "1e3",
        "5.",
        "5...6",
        "9" * (MAX_DIGITS + 1),
        "3rd",
    ],
)
def test_other_number_like_text_is_refused_with_the_forms(raw: str) -> None:
    with pytest.raises(ValidationError) as refused:
        canonical_value(raw)
    assert refused.value.field == "value"
    assert "~1800 (about), >1000, >=1000, <2000, <=2000, 300..350" in refused.value.message


@pytest.mark.parametrize(
    ("raw", "thousands", "decimal"),
    [("1.800", "1800", "1.8"), ("~2.500", "~2500", "~2.5"), ("-12.345", "-12345", "-12.345")],
)
def test_a_dot_before_three_digits_is_refused_as_ambiguous(
    raw: str, thousands: str, decimal: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        canonical_value(raw)
    assert refused.value.message == (
        f"value {raw!r} is ambiguous: write {thousands} if the dot separates thousands, "
        f"or {decimal} for the decimal (thousands separators are commas)"
    )


def test_a_refusal_quotes_a_long_value_cut_short() -> None:
    with pytest.raises(ValidationError) as refused:
        canonical_value("9" * 100_000)
    assert len(refused.value.message) < 400


def test_reading_never_refuses_and_reads_old_values_through_the_grammar() -> None:
    assert read_value("2.5k") == Figure("2.5k")
    assert read_value("1,8000") == Figure("1,8000")
    assert read_value("9" * 400) == Figure("9" * 400)
    old = read_value("~1,800")
    assert old is not None and (old.text, old.approximate, old.single) == ("~1800", True, 1800)
    assert same_value("~1,800", "~1800") and not same_value("~1800", "1800")
    assert read_value(None) is None


def test_reading_a_huge_value_is_fast() -> None:
    started = time.perf_counter()
    for text in ("9" * 1_000_000, "1," * 500_000, "1" * 500_000 + ".." + "2" * 500_000):
        assert not read_value(text).numeric  # type: ignore[union-attr]
        assert numeric(text) is None
    assert time.perf_counter() - started < 2


def test_figures_read_as_intervals() -> None:
    def bounds(text: str) -> tuple[object, ...]:
        f = read_value(text)
        assert f is not None
        return f.low, f.high, f.low_open, f.high_open, f.approximate

    assert bounds("1800") == (1800, 1800, False, False, False)
    assert bounds("~1800") == (1800, 1800, False, False, True)
    assert bounds(">1000") == (1000, None, True, False, False)
    assert bounds(">=1000") == (1000, None, False, False, False)
    assert bounds("<2000") == (None, 2000, False, True, False)
    assert bounds("<=2000") == (None, 2000, False, False, False)
    assert bounds("300..350") == (300, 350, False, False, False)


def test_numbers_are_exact() -> None:
    f = read_value(canonical_value("0.1000000000000000000000000001"))
    assert f is not None and f.single == Decimal("0.1000000000000000000000000001")
    big = read_value(canonical_value("123,456,789,012,345,678,901,234"))
    assert big is not None and big.single == 123456789012345678901234


def test_the_0003_spelling_differs_only_on_what_was_text_then() -> None:
    for raw in ("1,800", "1800.0", "-0", ".5", "12,345.5"):
        assert legacy_spelling(raw) == canonical_value(raw)
    assert legacy_spelling("~1,800") == "~1,800"
    assert legacy_spelling("1.800") == "1.8"


def agree(*texts: str) -> str | None:
    figures = [read_value(t) for t in texts]
    part = common([f for f in figures if f is not None])
    return part.text if part is not None else None


@pytest.mark.parametrize(
    ("values", "part"),
    [
        ((">15000", ">17000"), ">17000"),
        (("~450", "~400"), None),
        (("450", "400"), None),
        (("300..350", "320"), "320"),
        ((">1500", "1800"), "1800"),
        (("~2000", "1800"), None),
        (("~1800", "1800"), "1800"),
        (("~1800", ">1000"), "~1800"),
        (("~1800", ">=1800"), "~1800"),
        ((">=1800", "<=1800"), "1800"),
        ((">=1800", "<=1800", "~1800"), "1800"),
        ((">1000", "<2000"), ">1000 and <2000"),
        ((">=1000", "<2000", "<1500"), ">=1000 and <1500"),
        ((">1000", "<=1000"), None),
        (("300..350", "340..400"), "340..350"),
        (("300..350", "350..400"), "350"),
        (("in force", "in force"), "in force"),
        (("in force", "lapsed"), None),
        (("1800", "in force"), None),
    ],
)
def test_figures_agree_when_one_number_satisfies_them_all(
    values: tuple[str, ...], part: str | None
) -> None:
    assert agree(*values) == part


def test_the_common_part_reads_back_as_itself() -> None:
    part = read_value(">1000 and <2000")
    assert part is not None and (part.low, part.high, part.low_open, part.high_open) == (
        1000,
        2000,
        True,
        True,
    )


def test_deltas_between_single_figures_ranges_and_bounds() -> None:
    def change(a: str, b: str) -> tuple[object, ...] | None:
        d = delta(read_value(a), read_value(b))
        return None if d is None else (d.low, d.high, d.approximate, d.percent)

    assert change("800", "1800") == (1000, 1000, False, 125)
    assert change("~800", "1800") == (1000, 1000, True, 125)
    assert change("300..350", "~1000") == (650, 700, True, None)
    assert change(">1000", "1800") is None
    assert change("1800", "<2000") is None
    assert change("in force", "1800") is None
    assert change("0", "5") == (5, 5, False, None)


# Hypothesis: random intervals, bounds and points over a small range so that they often touch.
_numbers = st.integers(min_value=-6, max_value=6).map(Decimal)


@st.composite
def figures(draw: st.DrawFn) -> Figure:
    kind = draw(st.sampled_from(["exact", "about", ">", ">=", "<", "<=", "range"]))
    a = draw(_numbers)
    if kind == "exact":
        text = str(a)
    elif kind == "about":
        text = f"~{a}"
    elif kind == "range":
        b = draw(_numbers)
        text = f"{min(a, b)}..{max(a, b)}"
    else:
        text = f"{kind}{a}"
    figure = read_value(canonical_value(text))
    assert figure is not None
    return figure


def contains(f: Figure, x: Decimal) -> bool:
    above = f.low is None or (x > f.low if f.low_open else x >= f.low)
    below = f.high is None or (x < f.high if f.high_open else x <= f.high)
    return above and below


# Every interval here has ends in -6..6, so a common point, when there is one, is among
# the halves between -7 and 7.
_PROBES = [Decimal(n) / 2 for n in range(-14, 15)]


@given(st.lists(figures(), min_size=1, max_size=4))
def test_figures_conflict_exactly_when_no_number_lies_in_all(fs: list[Figure]) -> None:
    witness = any(all(contains(f, x) for f in fs) for x in _PROBES)
    assert (common(fs) is not None) == witness


@given(st.lists(figures(), min_size=1, max_size=4))
def test_the_common_part_lies_inside_every_figure(fs: list[Figure]) -> None:
    part = common(fs)
    if part is None:
        return
    inside = [x for x in _PROBES if contains(part, x)]
    assert inside
    for x in inside:
        assert all(contains(f, x) for f in fs)
    for x in _PROBES:
        if all(contains(f, x) for f in fs):
            assert contains(part, x)
    assert read_value(part.text) == part
