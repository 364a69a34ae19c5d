"""The report's own axes and slider dates: outliers set aside, months thinned to a budget."""

from __future__ import annotations

from datetime import date

from tracker.report.axes import day_number, fit, outliers
from tracker.report.slider import _month_ends, _thin


def days(*texts: str) -> list[int]:
    return [day_number(date.fromisoformat(t)) for t in texts]


def test_a_mistyped_year_among_recent_dates_is_an_outlier() -> None:
    assert outliers(days("1899-03-01", "2024-02-01", "2024-05-01")) == set(days("1899-03-01"))


def test_two_dates_are_never_outliers_of_each_other() -> None:
    assert outliers(days("1899-03-01", "2024-02-01")) == set()


def test_dates_spread_evenly_over_a_decade_have_no_outlier() -> None:
    spread = [f"{year}-06-01" for year in range(2015, 2026)]
    assert outliers(days(*spread)) == set()


def test_the_axis_spans_whole_months_around_the_data_and_d() -> None:
    [start, end] = days("2024-02-01", "2024-03-01")
    axis = fit([(start, end)], day_number(date(2025, 2, 28)) + 1, None, None)
    assert axis == {
        "min": day_number(date(2024, 1, 1)),
        "max": day_number(date(2025, 4, 1)),
        "as_of": day_number(date(2025, 3, 1)),
    }


def test_month_ends_stop_at_d() -> None:
    assert _month_ends(date(2024, 1, 15), date(2024, 3, 10)) == [
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 10),
    ]


def test_thinning_keeps_the_budget_and_the_last_day() -> None:
    month_ends = _month_ends(date(2015, 1, 1), date(2025, 12, 31))
    kept = _thin(month_ends, 30)
    assert len(kept) == 30
    assert kept[-1] == date(2025, 12, 31)
    assert kept == sorted(kept)
