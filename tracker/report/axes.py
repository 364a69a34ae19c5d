"""Each chart's own date axis: fitted to its data and the as-of date, outlier dates set aside."""

from __future__ import annotations

from datetime import date, timedelta
from statistics import median

EPOCH = date(1970, 1, 1)

# A date further from the median date than this many median deviations (and at least
# OUTLIER_FLOOR days) is an outlier: one mistyped `1899` must not squeeze years of 2024 data.
OUTLIER_SPREAD = 6
OUTLIER_FLOOR = 3 * 365


def day_number(day: date) -> int:
    return (day - EPOCH).days


def day_text(day: int) -> str:
    return (EPOCH + timedelta(days=day)).isoformat()


def outliers(days: list[int]) -> set[int]:
    """The days too far from the others to share their axis (none among fewer than three)."""
    if len(days) < 3:
        return set()
    middle = median(days)
    deviation = median(abs(d - middle) for d in days)
    limit = max(OUTLIER_SPREAD * deviation, OUTLIER_FLOOR)
    return {d for d in days if abs(d - middle) > limit}


def fit(
    spans: list[tuple[int, int]], as_of: int, first: date | None, last: date | None
) -> dict[str, int]:
    """The x range of one chart, in epoch days: [A, B] when given, else whole months around the
    spans (`[start, end)`) and D, with a month to spare on each side so no point sits on the
    edge. `max` is exclusive; `as_of` is the end of day D (exclusive too)."""
    starts = [s for s, _ in spans]
    ends = [e for _, e in spans]
    low = first or _month_start(min(starts, default=as_of - 365), -1)
    high = last or _month_start(max([*ends, as_of - 1]), 2) - timedelta(days=1)
    return {"min": day_number(low), "max": day_number(high) + 1, "as_of": as_of}


def _month_start(day: int | date, months: int) -> date:
    """The first day of the month `months` away from `day`'s, kept within the calendar
    (years 1 to 9999): a claim dated `0001` or a picture at `9999` must still draw."""
    if not isinstance(day, date):  # an exclusive end may be the day after 9999-12-31
        day = date.fromordinal(min(max(EPOCH.toordinal() + day, 1), date.max.toordinal()))
    when = day
    index = when.year * 12 + when.month - 1 + months
    if index < 12:
        return date.min
    if index >= 10000 * 12:
        return date.max
    return date(index // 12, index % 12 + 1, 1)
