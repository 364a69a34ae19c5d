"""The report's data: the picture, the occurrence timeline and the numeric slots, as plain dicts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

from tracker.cli.show import picture_json, slot_value
from tracker.domain.dates import parse_as_of, parse_date
from tracker.domain.errors import ValidationError
from tracker.domain.filters import ClaimFilter
from tracker.domain.fold import ClaimState, Knowledge
from tracker.domain.history import timeline
from tracker.domain.model import Source, publisher_key, subject_key
from tracker.domain.picture import Picture, seen_by
from tracker.report.charts import SLOT_BUDGET, numeric_slots, slot_chart
from tracker.report.slider import slider
from tracker.report.story import NEWEST, link, story

if TYPE_CHECKING:  # the services pull in SQLAlchemy
    from tracker.services import Cut, Tracker

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
class Query:
    """What the report is about: the one place that selects its claims (filters join here)."""

    as_of: str | None = None
    known_at: str | None = None
    start: str | None = None
    end: str | None = None
    subject: str | None = None
    where: ClaimFilter | None = None  # the filters of SPEC §11


@dataclass(frozen=True)
class Heading:
    """The analyst's words on top of the page: a title and a note (paragraphs)."""

    title: str | None = None
    note: str | None = None

    def paragraphs(self) -> list[str]:
        return [p.strip() for p in (self.note or "").split("\n\n") if p.strip()]


@dataclass(frozen=True)
class Report:
    """Everything the template shows. Days on the charts' x axes are epoch-day numbers."""

    meta: dict[str, Any]
    heading: Heading
    timeline: dict[str, Any]
    slots: list[dict[str, Any]]
    uncharted: int
    picture: dict[str, Any]
    sources: list[dict[str, Any]]
    slider: dict[str, Any]

    def chart_data(self) -> dict[str, Any]:
        """What the page's script draws and switches: the rest is rendered as HTML."""
        chart = self.timeline["chart"]
        return {
            "as_of": self.meta["as_of"],
            "timeline": {**chart, "items": self.timeline["items"]} if chart else None,
            "months": self.timeline["aggregated"],
            "slots": [_drawn(slot) for slot in self.slots],
            "slider": self.slider,
        }


# What the charts' script does not use: the tables under the charts show these.
NOT_DRAWN = ("quote", "url", "number", "date")


def _drawn(slot: dict[str, Any]) -> dict[str, Any]:
    points = [{k: v for k, v in p.items() if k not in NOT_DRAWN} for p in slot["points"]]
    return {**slot, "points": points}


@dataclass(frozen=True)
class Selection:
    """The claims a query selects, as known at its cut."""

    picture: Picture
    cut: Cut
    knowledge: Knowledge
    occurrences: list[ClaimState]
    observations: list[ClaimState]
    first: date | None
    last: date | None


def select(tracker: Tracker, query: Query) -> Selection:
    """The picture at D as known at K, the occurrences `show` lists at D (so none before its
    window begins) that touch [A, B], and the observations seen by D (all of them, so the
    value holding at A is drawn too)."""
    first = parse_date(query.start).window.earliest if query.start else None
    last = parse_as_of(query.end) if query.end else None
    if first is not None and last is not None and last < first:
        raise ValidationError(f"--to {query.end} is before --from {query.start}")
    picture, cut = tracker.show(query.as_of, query.known_at, query.subject, where=query.where)
    where = tracker.resolved(query.where)
    # With a subject, only its claims are read (through the slot index) when they can be.
    known = tracker.store.projected(cut.position, where, query.subject) if query.subject else None
    knowledge = known if known is not None else tracker.knowledge(cut, where)
    listed = {o.claim for o in picture.occurrences}
    occurrences = [
        s
        for s in timeline(knowledge, query.subject, first, last)
        if not s.claim.is_observation and s.claim.id in listed
    ]
    observations = [
        s
        for s in timeline(knowledge, query.subject)
        if s.claim.is_observation
        and s.rank != "deprecated"
        and seen_by(s.claim.valid, picture.as_of)
    ]
    return Selection(picture, cut, knowledge, occurrences, observations, first, last)


def build_report(tracker: Tracker, query: Query, heading: Heading | None = None) -> Report:
    """The report as of valid date D, as known at K, for claims whose dates touch [A, B]."""
    chosen = select(tracker, query)
    picture, knowledge = chosen.picture, chosen.knowledge
    certainty = {o.claim: o.certainty for o in picture.occurrences}
    slots = numeric_slots(knowledge, chosen.observations)
    charted = sorted(
        slots[:SLOT_BUDGET],
        key=lambda g: (subject_key(g[0].claim.subject), g[0].claim.attribute or ""),
    )
    meta = {
        "as_of": picture.as_of.isoformat(),
        "known_at": chosen.cut.label(),
        "position": chosen.cut.position,
        "subject": query.subject,
        "from": query.start,
        "to": query.end,
    }
    return Report(
        meta=meta,
        heading=heading or Heading(),
        timeline=story(
            knowledge, chosen.occurrences, certainty, picture.as_of, chosen.first, chosen.last
        ),
        slots=[
            slot_chart(knowledge, group, picture, index, chosen.first, chosen.last)
            for index, group in enumerate(charted)
        ],
        uncharted=len(slots) - len(charted),
        picture=_picture(picture, chosen.cut),
        sources=_sources(knowledge, picture, [*chosen.occurrences, *chosen.observations]),
        slider=slider(knowledge, chosen.observations, picture.as_of, query.subject),
    )


def _picture(picture: Picture, cut: Cut) -> dict[str, Any]:
    """`show --format json`, plus the texts its table prints: values spelled out, `by` dates.
    The occurrences are the newest NEWEST: the timeline above tells or counts them all.
    """
    newest = replace(picture, occurrences=picture.occurrences[:NEWEST])
    shown = picture_json(newest, cut)
    for slot, slot_view in zip(shown["slots"], picture.slots, strict=True):
        slot["value_text"] = slot_value(slot_view)
    for occurrence, view in zip(shown["occurrences"], newest.occurrences, strict=True):
        occurrence["label"] = view.label
    shown["occurrences_total"] = len(picture.occurrences)
    return shown


# Articles listed in full under each publisher in the sources table, the newest first: with
# one article per claim (as feeds give them), listing every one made the page 23 MB at 50,000
# claims (bench/RESULTS.md); the rest are counted.
NEWEST_ARTICLES = 3


def _sources(
    knowledge: Knowledge, picture: Picture, states: list[ClaimState]
) -> list[dict[str, Any]]:
    """Every publisher behind the report, with the number of its articles cited, the newest
    `NEWEST_ARTICLES` of them in full, and the originators it relays with their grades."""
    claims = {s.claim.id: s.claim for s in states}
    for slot in picture.slots:
        claims.update((c.claim, knowledge.claims[c.claim].claim) for c in slot.candidates)
    for occurrence in picture.occurrences:
        claims[occurrence.claim] = knowledge.claims[occurrence.claim].claim
    grades: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    articles: dict[str, dict[str, Source]] = defaultdict(dict)
    for claim in claims.values():
        source = knowledge.source_of(claim)  # its publisher's name and grade
        key = publisher_key(source.name)
        grades[key][claim.originator or ""].append(claim.credibility)
        articles[key].setdefault(claim.source_id, source)
    table = []
    for key, by_originator in grades.items():
        cited = _newest_first(articles[key].values())
        source = cited[0]
        table.append(
            {
                "name": source.name,
                "articles": len(cited),
                "newest": [_article(a) for a in cited[:NEWEST_ARTICLES]],
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
    return sorted(table, key=lambda r: (r["name"].casefold(), r["name"]))


def _newest_first(articles: Iterable[Source]) -> list[Source]:
    """The latest published first (ISO dates sort as text), the undated last; then by
    address and title."""
    ordered = sorted(articles, key=lambda a: (a.url or "", a.title or ""))
    ordered.sort(key=lambda a: a.published or "", reverse=True)  # stable
    return ordered


def _article(source: Source) -> dict[str, Any]:
    return {
        "title": source.title,
        "url": link(source.url),
        "url_text": source.url,
        "published": source.published,
    }
