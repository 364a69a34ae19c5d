"""The numeric slots as charts: one series per source, originator and unit, each chart on its
own date axis, each point a value or an interval."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from tracker.cli.render import human_value, with_unit
from tracker.cli.show import slot_value
from tracker.domain.fold import ClaimState, Knowledge
from tracker.domain.identity import fold_attribute
from tracker.domain.model import subject_key
from tracker.domain.picture import Picture
from tracker.domain.values import read_value
from tracker.report.axes import day_number, fit, outliers
from tracker.report.story import link

# Charts drawn at most; the slots with the most observations come first. The picture's table
# still lists every slot.
SLOT_BUDGET = 30


def interval(value: str | None) -> tuple[Decimal | None, Decimal | None, bool] | None:
    """A value as (low, high, approximate): None when it is no number. An exact figure is
    low == high; a range (`300..350`) is its ends; a bound (`>1000`) has None on its open side;
    `~1800` is approximate. Read by the domain's grammar (SPEC §10), the one reading of values."""
    figure = read_value(value)
    if figure is None or not figure.numeric:
        return None
    return figure.low, figure.high, figure.approximate


def numeric_slots(knowledge: Knowledge, states: list[ClaimState]) -> list[list[ClaimState]]:
    """Observations grouped by slot (aliases applied), keeping the slots whose every value is
    a number or an interval: the most observed first (by name among equals)."""
    groups: dict[tuple[str, str], list[ClaimState]] = defaultdict(list)
    for state in states:
        groups[knowledge.slot_of(state.claim)].append(state)
    charted = [
        key for key in groups if all(interval(s.claim.value) is not None for s in groups[key])
    ]
    return [groups[key] for key in sorted(charted, key=lambda k: (-len(groups[k]), k))]


def slot_chart(
    knowledge: Knowledge,
    states: list[ClaimState],
    picture: Picture,
    index: int,
    first: date | None,
    last: date | None,
) -> dict[str, Any]:
    """A numeric slot: its series, its points in valid-time order and its own axis."""
    claim = states[0].claim
    key = knowledge.slot_of(claim)
    view = next(
        (v for v in picture.slots if (subject_key(v.subject), fold_attribute(v.attribute)) == key),
        None,
    )
    units = list(dict.fromkeys(s.claim.unit or "" for s in states))
    names = [_series_name(knowledge, s, len(units) > 1) for s in states]
    series = list(dict.fromkeys(names))
    end_of_day = day_number(picture.as_of) + 1
    points = [
        _point(knowledge, s, picture.as_of, series.index(name))
        for s, name in zip(states, names, strict=True)
    ]
    strays = outliers([p["start"] for p in points])
    for point in points:
        point["outlier"] = point["start"] in strays
    kept = [(p["start"], p["until"] or p["end"]) for p in points if not p["outlier"]]
    return {
        "id": f"slot-{index}",
        "subject": claim.subject,
        "attribute": claim.attribute,
        # One unit names the chart; several are named per series, never mixed in the heading.
        "unit": units[0] if len(units) == 1 else None,
        "status": view.status if view else None,
        "status_text": slot_value(view) if view else None,
        "series": series,
        "points": points,
        "axis": fit(kept, end_of_day, first, last),
        "outliers": [p["label"] for p in points if p["outlier"]],
        "figures": any(p["approximate"] or p["low"] != p["high"] for p in points),
    }


def _series_name(knowledge: Knowledge, state: ClaimState, with_units: bool) -> str:
    claim = state.claim
    name = knowledge.source_of(claim).name
    if claim.originator:
        name = f"{name} ({claim.originator})"
    return f"{name}, in {claim.unit or 'no unit'}" if with_units else name


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    # An int of thousands of digits cannot be printed (int_max_str_digits): a float then.
    whole = value == value.to_integral_value() and value.adjusted() < 4000
    return int(value) if whole else float(value)


def _point(knowledge: Knowledge, state: ClaimState, as_of: date, series: int) -> dict[str, Any]:
    """One observation: it begins to hold in `[start, end)` and, for a closed span, stops at
    `until`. It is `possible` at D when D falls inside that start window."""
    claim, valid = state.claim, state.claim.valid
    source = knowledge.source_of(claim)
    low, high, approximate = interval(claim.value) or (None, None, False)
    return {
        "claim": claim.id,
        "value": _number(low if low is not None else high),
        "low": _number(low),
        "high": _number(high),
        "approximate": approximate,
        "text": with_unit(claim.value, claim.unit),
        "number": human_value(claim.value),
        "date": claim.date,
        "label": valid.label(),
        "start": day_number(valid.start.earliest),
        "end": day_number(valid.start.latest) + 1,
        "until": day_number(valid.end.latest) + 1 if valid.end is not None else None,
        "certainty": "definite" if valid.start.latest <= as_of else "possible",
        "source": source.name,
        "url": link(source.url),
        "quote": claim.quote,
        "originator": claim.originator,
        "reliability": source.reliability,
        "credibility": int(claim.credibility),
        "rank": state.rank,
        "series": series,
    }
