"""The timeline as a story on paper: each occurrence as text with its quote and link, or, past a
budget, counts per month and type with the newest listed."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from tracker.domain.fold import ClaimState, Knowledge
from tracker.report.axes import day_number, day_text, fit, outliers

# Above this many occurrences the timeline is counted per month and type, and only the newest
# NEWEST are told one by one: a page of 50,000 stories neither renders nor reads.
TIMELINE_BUDGET = 2000
NEWEST = 200
# The bar chart of windows is drawn up to this many occurrences; the text tells the rest.
CHART_BUDGET = 60


def link(url: str | None) -> str | None:
    """Only web addresses become links: a `javascript:` URL in a source must not run."""
    return url if url and url.lower().startswith(("https://", "http://")) else None


def story(
    knowledge: Knowledge,
    states: list[ClaimState],
    certainty: dict[str, str],
    as_of: date,
    first: date | None,
    last: date | None,
) -> dict[str, Any]:
    """The timeline part of the report: `items` (oldest first), `aggregated` (month, total,
    counts by type; newest first) when over budget, and `chart` (the bars and their axis)."""
    end_of_day = day_number(as_of) + 1
    aggregated = len(states) > TIMELINE_BUDGET
    told = states[-NEWEST:] if aggregated else states
    items = [_item(knowledge, s, certainty[s.claim.id], end_of_day) for s in told]
    strays = outliers([i["start"] for i in items])
    for item in items:
        item["outlier"] = item["start"] in strays
    chart = None
    if items and len(items) <= CHART_BUDGET:
        kept = [(i["start"], i["end"]) for i in items if not i["outlier"]]
        chart = {
            "axis": fit(kept, end_of_day, first, last),
            "outliers": [i["label"] for i in items if i["outlier"]],
        }
    return {
        "total": len(states),
        "budget": TIMELINE_BUDGET,
        "items": items,
        "aggregated": _months(states) if aggregated else None,
        "chart": chart,
    }


def _item(
    knowledge: Knowledge, state: ClaimState, certainty: str, end_of_day: int
) -> dict[str, Any]:
    """One occurrence: its window `[start, end)` in epoch days (an open end runs to D, past
    which the report says nothing), what happened, and who says so."""
    claim, valid = state.claim, state.claim.valid
    source = knowledge.source_of(claim)
    return {
        "claim": claim.id,
        "label": valid.label(),
        "type": claim.type,
        "subject": claim.subject,
        "summary": claim.summary,
        "quote": claim.quote,
        "actor": claim.actor,
        "target": claim.target,
        "place": claim.place,
        "originator": claim.originator,
        "certainty": certainty,
        "source": source.name,
        "url": link(source.url),
        "reliability": source.reliability,
        "credibility": int(claim.credibility),
        "start": day_number(valid.window.earliest),
        "end": end_of_day if valid.open_end else day_number(valid.window.latest) + 1,
        "open_end": valid.open_end,
    }


def _months(states: list[ClaimState]) -> list[dict[str, Any]]:
    """Occurrences counted per month of their window's first day and per type, newest first."""
    counts: dict[str, Counter[str]] = {}
    for state in states:
        month = day_text(day_number(state.claim.valid.window.earliest))[:7]
        counts.setdefault(month, Counter())[state.claim.type] += 1
    return [
        {"month": month, "total": sum(by_type.values()), "types": sorted(by_type.items())}
        for month, by_type in sorted(counts.items(), reverse=True)
    ]
