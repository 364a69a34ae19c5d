"""A picture's slots: the claims of one subject and attribute folded into its status and value
(current, possible, conflict, ended), as SPEC §3 and §10 say."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from itertools import groupby

from tracker.domain.dates import ValidDate, Window
from tracker.domain.fold import ClaimState, Knowledge
from tracker.domain.values import Figure, common, read_value

Slot = tuple[str, str]  # (the subject key it resolves to, the attribute key)


@dataclass(frozen=True)
class Candidate:
    claim: str
    value: str | None
    date: str
    source: str
    reliability: str
    credibility: str
    originator: str | None
    rank: str
    unit: str | None = None

    @property
    def figure(self) -> Figure | None:
        """The value as an interval (low, high, approximate), or as text."""
        return read_value(self.value)


@dataclass(frozen=True)
class SlotView:
    subject: str
    attribute: str
    status: str  # current | possible | conflict | ended
    value: str | None
    unit: str | None
    date: str | None
    claim: str | None
    sources: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    resolved_by: str | None = None
    deprecated_hidden: int = 0
    aliases: tuple[str, ...] = ()  # other names its claims were written under
    # Beside each source, the grade it was given here: its reliability as known at K and the
    # credibility of the claim that cites it ("B3"); a table prints them (`Reuters B3`).
    grades: tuple[str, ...] = ()

    @property
    def figure(self) -> Figure | None:
        """The slot's value as an interval (low, high, approximate), or as text."""
        return read_value(self.value)


def is_later(b: ValidDate, a: ValidDate) -> bool:
    """b is later than a: b's start window starts after a's and ends no earlier, not equal."""
    return (
        b.start.earliest > a.start.earliest
        and b.start.latest >= a.start.latest
        and b.start != a.start
    )


def order(state: ClaimState) -> tuple[date, date, int]:
    valid = state.claim.valid
    return valid.start.earliest, valid.start.latest, state.position


def slots(
    knowledge: Knowledge,
    states: list[ClaimState],
    as_of: date,
    hidden: list[ClaimState],
    show_all: bool,
) -> list[SlotView]:
    """The slots of the observations `states`; `hidden`: the deprecated ones, counted in
    their slots, or with `show_all` listed among the candidates (rank `deprecated`) without
    deciding the status. A slot with deprecated claims alone is shown only with `show_all`,
    its status read from them."""
    groups = _by_slot(knowledge, states)
    deprecated = _by_slot(knowledge, hidden)
    keys = groups.keys() | deprecated.keys() if show_all else groups.keys()
    views = []
    for key in sorted(keys):
        group, set_aside = groups.get(key), deprecated.get(key, [])
        if group:
            view = _slot(knowledge, group, as_of)
            if show_all and set_aside:
                shown = tuple(_candidate(knowledge, s) for s in sorted(set_aside, key=order))
                view = replace(view, candidates=view.candidates + shown)
        else:
            view = _slot(knowledge, set_aside, as_of)
        # Every other name of the entity, whichever of them this slot's claims use: the same
        # whether the picture was built from every claim or from the ones it can use.
        identity = knowledge.identity
        subject, aliases = identity.shown([key[0], *sorted(identity.members(key[0]))])
        attribute = knowledge.identity.attributes.get(key[1], view.attribute)
        view = replace(view, subject=subject, attribute=attribute, aliases=aliases)
        count = 0 if show_all else len(set_aside)
        views.append(replace(view, deprecated_hidden=count) if count else view)
    return views


def _by_slot(knowledge: Knowledge, states: list[ClaimState]) -> dict[Slot, list[ClaimState]]:
    """`states` by slot, each slot's in log order (its first claim gives its spelling)."""
    groups: dict[Slot, list[ClaimState]] = defaultdict(list)
    for state in sorted(states, key=lambda s: s.position):
        groups[knowledge.slot_of(state.claim)].append(state)
    return groups


def _current(states: list[ClaimState]) -> list[ClaimState]:
    """The claims not followed by a later one (`is_later`), in their order.

    b follows a when b's start window begins strictly after a's and ends no earlier (that
    they differ then goes without saying). So a is current when every window beginning
    strictly after it ends before it does: one pass by descending `earliest`, keeping the
    greatest `latest` seen among strictly later beginnings, n log n where comparing every
    pair took 58 s for one slot of 8,000 claims (RELIABILITY.md).
    """
    starts = [s.claim.valid.start for s in states]
    order = sorted(range(len(states)), key=lambda i: starts[i].earliest, reverse=True)
    followed = [False] * len(states)
    reach: date | None = None  # the greatest `latest` among the later beginnings
    for _, group in groupby(order, key=lambda i: starts[i].earliest):
        same = list(group)
        if reach is not None:
            for i in same:
                followed[i] = reach >= starts[i].latest
        top = max(starts[i].latest for i in same)
        reach = top if reach is None else max(reach, top)
    return [s for s, gone in zip(states, followed, strict=True) if not gone]


def _slot(knowledge: Knowledge, states: list[ClaimState], as_of: date) -> SlotView:
    first = states[0].claim
    subject, attribute = first.subject, first.attribute or ""
    current = _current(states)
    holding = [s for s in current if not s.claim.valid.ended_by(as_of)]
    if not holding:
        return _ended(knowledge, subject, attribute, current)
    preferred = [s for s in holding if s.rank == "preferred"]
    agreed = _agreed(holding)
    preferred_agree = _agreed(preferred)
    if preferred and preferred_agree is not None:
        chosen = _chosen(preferred, preferred_agree)
        resolved = chosen.claim.id if agreed is None else None
        value = agreed or preferred_agree
        return _view(knowledge, subject, attribute, "current", chosen, holding, resolved, value)
    if agreed is None:
        return _view(knowledge, subject, attribute, "conflict", None, holding)
    definite = [s for s in holding if s.claim.valid.start.latest <= as_of]
    if definite:
        chosen = _chosen(definite, agreed)
        return _view(knowledge, subject, attribute, "current", chosen, holding, None, agreed)
    earlier = [
        s
        for s in states
        if s.claim.valid.start.latest <= as_of and not s.claim.valid.ended_by(as_of)
    ]
    before = _slot(knowledge, earlier, as_of) if earlier else None
    if before is not None and before.status == "current":
        previous = next(s for s in earlier if s.claim.id == before.claim)
        return _view(
            knowledge, subject, attribute, "possible", previous, holding, None, before.figure
        )
    return _view(knowledge, subject, attribute, "possible", None, holding)


def _agreed(states: list[ClaimState]) -> Figure | None:
    """What the claims' values have in common; None when they are incompatible (SPEC §10)."""
    values = {s.claim.value for s in states}
    if len(values) == 1:  # the common case, one value however many claims: nothing to meet
        return read_value(values.pop())
    figures = [read_value(value) for value in values]
    return common([f for f in figures if f is not None]) if None not in figures else None


def _chosen(states: list[ClaimState], agreed: Figure) -> ClaimState:
    """The claim a slot's value is shown from: the latest of those saying just the common
    part, else the latest (`>1500` and `1800` show the `1800` claim)."""
    exact = [s for s in states if _text(s) == agreed.text]
    return max(exact or states, key=order)


def _text(state: ClaimState | None) -> str | None:
    """A claim's value in canonical text (None for no claim)."""
    figure = read_value(state.claim.value) if state is not None else None
    return figure.text if figure is not None else None


def _ended(knowledge: Knowledge, subject: str, attribute: str, spans: list[ClaimState]) -> SlotView:
    """Every current span is over: the value of the one that ended last is shown as past.

    Spans that ended in the same window with different values leave no single last value.
    """

    def end(state: ClaimState) -> Window:
        stop = state.claim.valid.end
        assert stop is not None  # only closed spans end
        return stop

    last_end = max(end(s) for s in spans)
    last = [s for s in spans if end(s) == last_end]
    chosen = max(last, key=order) if len({s.claim.value for s in last}) == 1 else None
    return _view(knowledge, subject, attribute, "ended", chosen, last)


def _view(
    knowledge: Knowledge,
    subject: str,
    attribute: str,
    status: str,
    chosen: ClaimState | None,
    candidates: list[ClaimState],
    resolved_by: str | None = None,
    agreed: Figure | None = None,
) -> SlotView:
    """`agreed`, when given, is the value shown: the common part of agreeing claims."""
    ordered = sorted(candidates, key=order)
    # The sources of the value shown: a chosen claim's (a preferred one, a `possible` slot's
    # earlier value, the last of ended spans), with those of every claim agreeing on it.
    agreeing = status == "current" and resolved_by is None
    cited = ordered if chosen is None else [chosen, *(ordered if agreeing else ())]
    given: dict[str, str] = {}
    for state in cited:
        source = knowledge.source_of(state.claim)
        given.setdefault(source.name, source.reliability + state.claim.credibility)
    unit = chosen.claim.unit if chosen is not None else ordered[0].claim.unit
    if agreed is not None:
        value: str | None = agreed.text
    else:
        value = chosen.claim.value if chosen is not None else None
    return SlotView(
        subject=subject,
        attribute=attribute,
        status=status,
        value=value,
        unit=unit,
        date=chosen.claim.date if chosen is not None else None,
        claim=chosen.claim.id if chosen is not None else None,
        sources=tuple(given),
        candidates=tuple(_candidate(knowledge, s) for s in ordered),
        resolved_by=resolved_by,
        grades=tuple(given.values()),
    )


def _candidate(knowledge: Knowledge, state: ClaimState) -> Candidate:
    claim = state.claim
    source = knowledge.source_of(claim)
    return Candidate(
        claim=claim.id,
        value=claim.value,
        date=claim.date,
        source=source.name,
        reliability=source.reliability,
        credibility=claim.credibility,
        originator=claim.originator,
        rank=state.rank,
        unit=claim.unit,
    )
