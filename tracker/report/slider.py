"""The as-of slider's pictures: the slots as `build_picture` sees them at a set of dates, written
as changes from one date to the next so the page carries many dates in little room.

The page only switches among these: the picture rules live in the domain, once.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from tracker.cli.show import slot_value
from tracker.domain.fold import ClaimState, Knowledge
from tracker.domain.model import subject_key
from tracker.domain.picture import SlotView, build_picture
from tracker.report.axes import day_number, outliers

# Dates the slider offers at most: half for month ends, the rest for days where a slot changes.
MAX_DATES = 160
# Each date costs a picture over every observation: past this many observation-pictures in
# all, fewer dates are offered, so a large log still reports in seconds, not minutes.
MAX_WORK = 1_500_000
# The slider's share of the page; past it, every other date is dropped (D always stays).
MAX_BYTES = 1_000_000

Rows = dict[int, tuple[int, ...]]


def slider(
    knowledge: Knowledge, observations: list[ClaimState], as_of: date, subject: str | None
) -> dict[str, Any]:
    """`dates` (ISO, ascending, the last one D); `keys`, each slot as [subject, attribute];
    `texts`, every text the rows use; and `changes`: for each date, the slot rows that differ
    from the date before, as [key, status, value text, date, sources] (texts by index)."""
    # Everything else the knowledge holds (sources, identity: aliases) stays as it is.
    slots_only = replace(knowledge, claims={s.claim.id: s for s in observations})
    keys: dict[tuple[str, str], int] = {}
    names: list[list[str]] = []
    texts: dict[str, int] = {}
    budget = max(12, min(MAX_DATES, MAX_WORK // max(len(observations), 1)))
    days = dates(observations, as_of, budget)
    pictures: list[Rows] = []
    for day in days:
        rows = {}
        for view in build_picture(slots_only, day, subject, occurrences=()).slots:
            index = keys.setdefault((subject_key(view.subject), view.attribute), len(keys))
            if index == len(names):
                names.append([view.subject, view.attribute])
            rows[index] = tuple(texts.setdefault(t, len(texts)) for t in _row(view))
        pictures.append(rows)
    encoded = {"keys": names, "texts": list(texts)}
    while True:
        encoded.update(dates=[d.isoformat() for d in days], changes=_changes(pictures))
        if len(days) < 3 or len(json.dumps(encoded)) <= MAX_BYTES:
            return encoded
        days, pictures = days[-1::-2][::-1], pictures[-1::-2][::-1]


def _row(view: SlotView) -> tuple[str, ...]:
    return (view.status, slot_value(view), view.date or "", "; ".join(view.sources))


def _changes(pictures: list[Rows]) -> list[list[list[int]]]:
    changes: list[list[list[int]]] = []
    before: Rows = {}
    for rows in pictures:
        changes.append([[i, *row] for i, row in rows.items() if before.get(i) != row])
        before = rows
    return changes


def dates(observations: list[ClaimState], as_of: date, budget: int = MAX_DATES) -> list[date]:
    """Month ends from the first observation to D, and the days where a slot may change (a
    window opens or closes, a span ends), thinned evenly to `budget`; D is always last. Outlier
    days (a mistyped year) do not stretch the months."""
    edges: set[date] = set()
    for state in observations:
        valid = state.claim.valid
        edges.update((valid.start.earliest, valid.start.latest))
        if valid.end is not None and valid.end.latest < date.max:
            edges.add(valid.end.latest + timedelta(days=1))
    edges = {d for d in edges if d < as_of}
    strays = outliers([day_number(d) for d in edges])
    usual = [d for d in edges if day_number(d) not in strays]
    if not usual:
        return [as_of]
    months = _thin(_month_ends(min(usual), as_of), budget // 2)
    changes = _thin(sorted(edges - set(months)), budget - len(months) - 1)
    return sorted({*months, *changes, as_of})


def _month_ends(first: date, last: date) -> list[date]:
    ends = []
    month = date(first.year, first.month, 1)
    while month <= last:
        if month.year == date.max.year and month.month == 12:
            ends.append(last)  # the calendar ends with this month
            break
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        ends.append(min(following - timedelta(days=1), last))
        month = following
    return ends


def _thin(days: list[date], budget: int) -> list[date]:
    """At most `budget` of `days`, evenly spread, keeping the last."""
    if len(days) <= budget:
        return days
    if budget <= 0:
        return []
    step = len(days) / budget
    return [days[len(days) - 1 - int(i * step)] for i in range(budget)][::-1]
