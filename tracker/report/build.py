"""The report's data: the picture, the occurrence timeline and the numeric slots, as plain dicts."""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from tracker.cli.render import human_value, json_value, with_unit
from tracker.cli.show import picture_json, slot_value
from tracker.domain.dates import parse_as_of, parse_date
from tracker.domain.errors import NotFound, ValidationError
from tracker.domain.filters import ClaimFilter
from tracker.domain.fold import ClaimState, Knowledge
from tracker.domain.history import timeline
from tracker.domain.model import numeric, subject_key
from tracker.domain.picture import Picture, seen_by

if TYPE_CHECKING:  # the services pull in SQLAlchemy
    from tracker.services import Cut, Tracker

EPOCH = date(1970, 1, 1)

RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY = {
    "1": "confirmed by other sources",
    "2": "probably true",
    "3": "possibly true",
    "4": "doubtful",
    "5": "improbable",
    "6": "truth cannot be judged",
}


@dataclass(frozen=True)
class Report:
    """Everything the template shows. Days on the charts' x axis are epoch-day numbers."""

    meta: dict[str, Any]
    axis: dict[str, int]
    timeline: list[dict[str, Any]]
    slots: list[dict[str, Any]]
    picture: dict[str, Any]
    sources: list[dict[str, Any]]

    def chart_data(self) -> dict[str, Any]:
        """What the page's script draws: the rest is rendered as HTML tables."""
        return {
            "as_of": self.meta["as_of"],
            "axis": self.axis,
            "timeline": self.timeline,
            "slots": self.slots,
        }


def day_number(day: date) -> int:
    return (day - EPOCH).days


def build_report(
    tracker: Tracker,
    as_of: str | None = None,
    known_at: str | None = None,
    start: str | None = None,
    end: str | None = None,
    subject: str | None = None,
    where: ClaimFilter | None = None,
) -> Report:
    """The report as of valid date D, as known at K, for claims whose dates touch [A, B].

    The picture is `show`'s. The timeline holds the occurrences `show` lists at D (so none
    before its window begins) that touch [A, B]. Every slot whose observations are all numbers
    is charted from all its observations seen by D, so the value holding at A is drawn too.
    """
    first = parse_date(start).window.earliest if start else None
    last = parse_as_of(end) if end else None
    if first is not None and last is not None and last < first:
        raise ValidationError(f"--to {end} is before --from {start}")
    picture, cut = tracker.show(as_of, known_at, subject, where=where)
    knowledge = tracker.knowledge(cut, tracker.resolved(where))
    if subject:
        _check_subject(knowledge, subject)
    certainty = {o.claim: o.certainty for o in picture.occurrences}
    occurrences = [
        s
        for s in timeline(knowledge, subject, first, last)
        if not s.claim.is_observation and s.claim.id in certainty
    ]
    observations = [
        s
        for s in timeline(knowledge, subject)
        if s.claim.is_observation
        and s.rank != "deprecated"
        and seen_by(s.claim.valid, picture.as_of)
    ]
    slots = _numeric_slots(observations)
    axis = _axis(picture.as_of, first, last, [*occurrences, *(s for g in slots for s in g)])
    meta = {
        "as_of": picture.as_of.isoformat(),
        "known_at": cut.label(),
        "position": cut.position,
        "subject": subject,
        "from": start,
        "to": end,
    }
    return Report(
        meta=meta,
        axis=axis,
        timeline=[_bar(knowledge, s, certainty[s.claim.id], axis) for s in occurrences],
        slots=[_slot(knowledge, group, picture, index) for index, group in enumerate(slots)],
        picture=_picture(picture, cut),
        sources=_sources(knowledge, picture, [*occurrences, *observations]),
    )


def _picture(picture: Picture, cut: Cut) -> dict[str, Any]:
    """`show --format json`, plus the texts its table prints: values spelled out, `by` dates."""
    shown = picture_json(picture, cut)
    for slot, slot_view in zip(shown["slots"], picture.slots, strict=True):
        slot["value_text"] = slot_value(slot_view)
    for occurrence, view in zip(shown["occurrences"], picture.occurrences, strict=True):
        occurrence["label"] = view.label
    return shown


def _check_subject(knowledge: Knowledge, subject: str) -> None:
    names = {
        subject_key(s.claim.subject): s.claim.subject for s in knowledge.claims.values() if s.active
    }
    if subject_key(subject) in names:
        return
    close = difflib.get_close_matches(subject_key(subject), list(names), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(names[c] for c in close)}?" if close else ""
    raise NotFound(f"no claim is about subject {subject!r}{hint}")


def _numeric_slots(states: list[ClaimState]) -> list[list[ClaimState]]:
    """Observations grouped by slot, keeping the slots whose every value is a number."""
    groups: dict[tuple[str, str], list[ClaimState]] = defaultdict(list)
    for state in states:
        groups[(subject_key(state.claim.subject), state.claim.attribute or "")].append(state)
    return [
        groups[key]
        for key in sorted(groups)
        if all(numeric(s.claim.value) is not None for s in groups[key])
    ]


def _axis(
    as_of: date, first: date | None, last: date | None, states: list[ClaimState]
) -> dict[str, int]:
    """The shared x range: [A, B] when given, else whole months around the data and D, with a
    month to spare on each side so no point sits on the edge.

    `max` is exclusive (the day after the last one shown); `as_of` marks the end of day D.
    """
    starts = [s.claim.valid.window.earliest for s in states]
    ends = [s.claim.valid.window.latest for s in states]
    low = first or _month_start(min(starts) if starts else as_of - timedelta(days=365), -1)
    high = last or _month_start(max([*ends, as_of]), 2) - timedelta(days=1)
    return {
        "min": day_number(low),
        "max": day_number(high) + 1,
        "as_of": day_number(as_of) + 1,
    }


def _month_start(day: date, months: int) -> date:
    """The first day of the month `months` away from `day`'s."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _bar(
    knowledge: Knowledge, state: ClaimState, certainty: str, axis: dict[str, int]
) -> dict[str, Any]:
    """One occurrence as a bar across its window: `[start, end)` in epoch days. An open end
    holds with no known end, so its bar runs to D, past which the report says nothing."""
    claim, valid = state.claim, state.claim.valid
    source = knowledge.source_of(claim)
    return {
        "claim": claim.id,
        "label": valid.label(),
        "type": claim.type,
        "subject": claim.subject,
        "summary": claim.summary,
        "certainty": certainty,
        "source": source.name,
        "reliability": source.reliability,
        "credibility": int(claim.credibility),
        "start": day_number(valid.window.earliest),
        "end": axis["as_of"] if valid.open_end else day_number(valid.window.latest) + 1,
        "open_end": valid.open_end,
    }


def _series_name(knowledge: Knowledge, state: ClaimState) -> str:
    name = knowledge.source_of(state.claim).name
    originator = state.claim.originator
    return f"{name} ({originator})" if originator else name


def _slot(
    knowledge: Knowledge, states: list[ClaimState], picture: Picture, index: int
) -> dict[str, Any]:
    """A numeric slot: one series per source (and originator), points in valid-time order."""
    claim = states[0].claim
    key = (subject_key(claim.subject), claim.attribute)
    view = next((v for v in picture.slots if (subject_key(v.subject), v.attribute) == key), None)
    series = list(dict.fromkeys(_series_name(knowledge, s) for s in states))
    units = list(dict.fromkeys(s.claim.unit for s in states if s.claim.unit))
    return {
        "id": f"slot-{index}",
        "subject": claim.subject,
        "attribute": claim.attribute,
        "unit": ", ".join(units),
        "status": view.status if view else None,
        "status_text": slot_value(view) if view else None,
        "series": series,
        "points": [
            _point(knowledge, s, picture.as_of, series.index(_series_name(knowledge, s)))
            for s in states
        ],
    }


def _point(knowledge: Knowledge, state: ClaimState, as_of: date, series: int) -> dict[str, Any]:
    """One observation: it begins to hold in `[start, end)` and, for a closed span, stops at
    `until`. It is `possible` at D when D falls inside that start window."""
    claim, valid = state.claim, state.claim.valid
    source = knowledge.source_of(claim)
    closed = valid.end is not None
    return {
        "claim": claim.id,
        "value": json_value(claim.value),
        "text": with_unit(claim.value, claim.unit),
        "number": human_value(claim.value),
        "date": claim.date,
        "label": valid.label(),
        "start": day_number(valid.start.earliest),
        "end": day_number(valid.start.latest) + 1,
        "until": day_number(valid.end.latest) + 1 if closed and valid.end else None,
        "certainty": "definite" if valid.start.latest <= as_of else "possible",
        "source": source.name,
        "url": _link(source.url),
        "originator": claim.originator,
        "reliability": source.reliability,
        "credibility": int(claim.credibility),
        "rank": state.rank,
        "series": series,
    }


def _link(url: str | None) -> str | None:
    """Only web addresses become links: a `javascript:` URL in a source must not run."""
    return url if url and url.lower().startswith(("https://", "http://")) else None


def _sources(
    knowledge: Knowledge, picture: Picture, states: list[ClaimState]
) -> list[dict[str, Any]]:
    """Every source behind the report, with the originators it relays and their grades."""
    claims = {s.claim.id: s.claim for s in states}
    for slot in picture.slots:
        claims.update((c.claim, knowledge.claims[c.claim].claim) for c in slot.candidates)
    for occurrence in picture.occurrences:
        claims[occurrence.claim] = knowledge.claims[occurrence.claim].claim
    grades: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for claim in claims.values():
        grades[claim.source_id][claim.originator or ""].append(claim.credibility)
    table = []
    for source_id, by_originator in grades.items():
        source = knowledge.sources[source_id]
        table.append(
            {
                "name": source.name,
                "title": source.title,
                "url": _link(source.url),
                "url_text": source.url,
                "published": source.published,
                "reliability": source.reliability,
                "reliability_text": RELIABILITY[source.reliability],
                "originators": [
                    {
                        "originator": originator or None,
                        "credibility": [
                            {"grade": g, "text": CREDIBILITY[g]} for g in sorted(set(credibility))
                        ],
                        "claims": len(credibility),
                    }
                    for originator, credibility in sorted(by_originator.items())
                ],
            }
        )
    return sorted(
        table, key=lambda r: (r["name"].casefold(), r["published"] or "", r["url_text"] or "")
    )
