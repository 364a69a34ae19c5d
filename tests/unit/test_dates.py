"""Valid dates: the EDTF subset of SPEC §2 and the windows of days each form means."""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain.dates import ValidDate, Window, parse_as_of, parse_date
from tracker.domain.errors import ValidationError

D = date


PROPERTY = settings(max_examples=60, deadline=None)


def window(first: date, last: date) -> Window:
    return Window(first, last)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024-05-14", window(D(2024, 5, 14), D(2024, 5, 14)), None),
        ("2024-05", window(D(2024, 5, 1), D(2024, 5, 31)), None),
        ("2024-04", window(D(2024, 4, 1), D(2024, 4, 30)), None),
        ("2024", window(D(2024, 1, 1), D(2024, 12, 31)), None),
        ("2024-05~", window(D(2024, 5, 1), D(2024, 5, 31)), None),
        ("2024-05?", window(D(2024, 5, 1), D(2024, 5, 31)), None),
        ("2024-05-14?", window(D(2024, 5, 14), D(2024, 5, 14)), None),
        ("2024~", window(D(2024, 1, 1), D(2024, 12, 31)), None),
        ("[2024-02..2024-05]", window(D(2024, 2, 1), D(2024, 5, 31)), None),
        ("[2024-02-10..2024-02-20]", window(D(2024, 2, 10), D(2024, 2, 20)), None),
        (
            "2024-02/2024-05",
            window(D(2024, 2, 1), D(2024, 2, 29)),
            window(D(2024, 5, 1), D(2024, 5, 31)),
        ),
        (
            "2023-11-03/2024",
            window(D(2023, 11, 3), D(2023, 11, 3)),
            window(D(2024, 1, 1), D(2024, 12, 31)),
        ),
        ("2025-03/..", window(D(2025, 3, 1), D(2025, 3, 31)), None),
        ("../2025-02", window(D(2025, 2, 1), D(2025, 2, 28)), None),
    ],
)
def test_every_accepted_form_reads_as_its_window_of_days(
    text: str, start: Window, end: Window | None
) -> None:
    parsed = parse_date(text)
    assert (parsed.text, parsed.start, parsed.end) == (text, start, end)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29)),
        ("2023-02", D(2023, 2, 1), D(2023, 2, 28)),
        ("2000-02", D(2000, 2, 1), D(2000, 2, 29)),
        ("1900-02", D(1900, 2, 1), D(1900, 2, 28)),
        ("2024-02-29", D(2024, 2, 29), D(2024, 2, 29)),
        ("2000-02-29", D(2000, 2, 29), D(2000, 2, 29)),
    ],
)
def test_february_follows_the_leap_year_rules(text: str, first: date, last: date) -> None:
    assert parse_date(text).start == Window(first, last)


def test_a_closed_span_covers_its_start_through_its_end() -> None:
    span = parse_date("2024-02/2024-05")
    assert span.is_span
    assert (span.open_start, span.open_end) == (False, False)
    assert span.window == Window(D(2024, 2, 1), D(2024, 5, 31))
    assert span.ended_by(D(2024, 6, 1))
    assert not span.ended_by(D(2024, 5, 31))


def test_an_open_end_holds_from_its_start_with_no_known_end() -> None:
    open_end = parse_date("2025-03/..")
    assert (open_end.open_start, open_end.open_end) == (False, True)
    assert open_end.window == Window(D(2025, 3, 1), D(2025, 3, 31))
    assert not open_end.ended_by(D(2099, 1, 1))
    assert open_end.label() == "2025-03/.."


def test_an_open_start_reads_as_the_window_of_its_end_marked_by() -> None:
    by = parse_date("../2025-02")
    assert (by.open_start, by.open_end) == (True, False)
    assert by.window == Window(D(2025, 2, 1), D(2025, 2, 28))
    assert by.label() == "by 2025-02"
    assert not by.ended_by(D(2099, 1, 1))


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("2024-05~", True),
        ("2024-05?", True),
        ("2024-05-14~", True),
        ("2024?", True),
        ("2024-05", False),
        ("[2024-02..2024-05]", False),
        ("2024-02~/2024-05", True),
    ],
)
def test_flags_are_kept_in_the_text(text: str, flagged: bool) -> None:
    parsed = parse_date(text)
    assert parsed.text == text
    assert parsed.label() == text
    assert parsed.flagged is flagged


def test_a_date_is_stored_as_given_never_padded() -> None:
    assert parse_date("2024-05").text == "2024-05"
    assert parse_date("  2024-05  ").text == "2024-05"
    assert parse_date("2024").text == "2024"


def test_a_single_date_is_not_a_span() -> None:
    assert not parse_date("2024-05").is_span
    assert not parse_date("[2024-02..2024-05]").is_span
    assert not parse_date("2024-05").ended_by(D(2030, 1, 1))


@pytest.mark.parametrize(
    "text",
    [
        "2024-5",
        "2024-05-00",
        "31/05/2024",
        "2024-13",
        "2024-00",
        "2023-02-29",
        "2024-04-31",
        "2024-21",
        "2024-24",
        "2024-XX",
        "2024-05-XX",
        "../..",
        "2024-05/2024-02",
        "2024-05-14/2024-05-13",
        "[2024-05..2024-02]",
        "",
        "May 2024",
        "24-05-14",
        "2024-05-14T10:00",
        "[2024-02..]",
        "2024-02..2024-05",
    ],
)
def test_non_canonical_or_impossible_dates_are_rejected_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValidationError) as rejected:
        parse_date(text)
    message = rejected.value.message
    assert repr(text) in message
    for form in (
        "YYYY-MM-DD",
        "YYYY-MM",
        "YYYY",
        "[YYYY-MM..YYYY-MM]",
        "START/END",
        "START/..",
        "../END",
    ):
        assert form in message


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2024-05", D(2024, 5, 31)),
        ("2024", D(2024, 12, 31)),
        ("2024-02", D(2024, 2, 29)),
        ("2023-02", D(2023, 2, 28)),
        ("2024-05-14", D(2024, 5, 14)),
        (" 2024-06-01 ", D(2024, 6, 1)),
    ],
)
def test_a_coarse_as_of_means_the_end_of_its_period(text: str, day: date) -> None:
    assert parse_as_of(text) == day


@pytest.mark.parametrize(
    "text",
    [
        "2024-5",
        "2024-05~",
        "2024-05?",
        "2024-02/2024-05",
        "[2024-02..2024-05]",
        "../2025-02",
        "31/05/2024",
        "2024-13",
        "2024-21",
        "now",
    ],
)
def test_an_as_of_that_is_not_a_plain_day_month_or_year_is_rejected(text: str) -> None:
    with pytest.raises(ValidationError, match=r"use YYYY-MM-DD|accepted forms: YYYY-MM-DD"):
        parse_as_of(text)


@PROPERTY
@given(st.dates(min_value=D(1, 1, 1), max_value=D(9999, 12, 31)))
def test_any_calendar_day_reads_as_exactly_that_day(day: date) -> None:
    parsed = parse_date(day.isoformat())
    assert parsed == ValidDate(day.isoformat(), Window(day, day), None)
    assert parse_as_of(day.isoformat()) == day


@PROPERTY
@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=1, max_value=12))
def test_any_month_reads_as_exactly_that_month(year: int, month: int) -> None:
    text = f"{year:04d}-{month:02d}"
    last = calendar.monthrange(year, month)[1]
    assert parse_date(text).start == Window(D(year, month, 1), D(year, month, last))
    assert parse_date(text + "~").start == Window(D(year, month, 1), D(year, month, last))
    assert parse_as_of(text) == D(year, month, last)


@PROPERTY
@given(st.integers(min_value=1, max_value=9999))
def test_any_year_reads_as_exactly_that_year(year: int) -> None:
    assert parse_date(f"{year:04d}").start == Window(D(year, 1, 1), D(year, 12, 31))


def _edtf_window(text: str) -> tuple[date, date]:
    """The window the Library of Congress reference parser gives, for comparison."""
    from edtf import parse_edtf

    parsed = parse_edtf(text)
    lo, hi = parsed.lower_strict(), parsed.upper_strict()
    last = min(hi.tm_mday, calendar.monthrange(hi.tm_year, hi.tm_mon)[1])
    return date(lo.tm_year, lo.tm_mon, lo.tm_mday), date(hi.tm_year, hi.tm_mon, last)


@settings(max_examples=150, deadline=None)
@given(
    day=st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    precision=st.sampled_from(["day", "month", "year"]),
    flag=st.sampled_from(["", "~", "?"]),
)
def test_windows_agree_with_the_edtf_reference_parser(day: date, precision: str, flag: str) -> None:
    text = {"day": day.isoformat(), "month": day.isoformat()[:7], "year": day.isoformat()[:4]}[
        precision
    ] + flag
    parsed = parse_date(text)
    assert (parsed.start.earliest, parsed.start.latest) == _edtf_window(text)
