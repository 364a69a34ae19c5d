"""The as-of slider's pictures: the slots as `build_picture` sees them at a set of dates, written
as changes from one date to the next so the page carries many dates in little room.

The page only switches among these: the picture rules live in the domain, once.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tracker.cli.show import slot_value
from tracker.domain.fold import ClaimState, Knowledge
from tracker.domain.model import subject_key
from tracker.domain.picture import SlotView, build_picture
from tracker.report.axes import day_number, outliers

# Dates the slider offers at most: half for month ends, the rest for days where a slot changes.
MAX_DATES = 160


def slider(
    knowledge: Knowledge, observations: list[ClaimState], as_of: date, subject: str | None
) -> dict[str, Any]:
    """`dates` (ISO, ascending, the last one D) and `changes`: for each date, the slot rows that
    differ from the date before, as [key, status, value text, date, sources]; `keys` names each
    slot as [subject, attribute]."""
    slots_only = Knowledge(
        position=knowledge.position,
        sources=knowledge.sources,
        claims={s.claim.id: s for s in observations},
    )
    keys: dict[tuple[str, str], int] = {}
    names: list[list[str]] = []
    before: dict[int, list[str]] = {}
    changes = []
    days = dates(observations, as_of)
    for day in days:
        rows = {}
        for view in build_picture(slots_only, day, subject, occurrences=()).slots:
            index = keys.setdefault((subject_key(view.subject), view.attribute), len(keys))
            if index == len(names):
                names.append([view.subject, view.attribute])
            rows[index] = _row(view)
        changes.append([[i, *row] for i, row in rows.items() if before.get(i) != row])
        before = rows
    return {"dates": [d.isoformat() for d in days], "keys": names, "changes": changes}


def _row(view: SlotView) -> list[str]:
    return [view.status, slot_value(view), view.date or "", "; ".join(view.sources)]


def dates(observations: list[ClaimState], as_of: date) -> list[date]:
    """Month ends from the first observation to D, and the days where a slot may change (a
    window opens or closes, a span ends), thinned evenly to MAX_DATES; D is always last."""
    edges: set[date] = set()
    for state in observations:
        valid = state.claim.valid
        edges.update((valid.start.earliest, valid.start.latest))
        if valid.end is not None:
            edges.add(valid.end.latest + timedelta(days=1))
    edges = {d for d in edges if d < as_of}
    strays = outliers([day_number(d) for d in edges])
    usual = [d for d in edges if day_number(d) not in strays]
    if not usual:
        return [as_of]
    months = _month_ends(min(usual), as_of)
    months = _thin(months, MAX_DATES // 2)
    changes = _thin(sorted(edges - set(months)), MAX_DATES - len(months) - 1)
    return sorted({*months, *changes, as_of})


def _month_ends(first: date, last: date) -> list[date]:
    ends = []
    month = date(first.year, first.month, 1)
    while month <= last:
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
