"""The picture of the world at a valid date, built from what was known at a log position."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from tracker.domain.dates import ValidDate, date_label
from tracker.domain.fold import ClaimState, Knowledge
from tracker.domain.model import subject_key
from tracker.domain.slots import Candidate, SlotView, is_later, order, slots

__all__ = ["Candidate", "SlotView", "is_later"]  # where the slots' views and order were defined


class OccurrenceView(NamedTuple):
    """A tuple, not a frozen dataclass: a picture may list hundreds of thousands of these, and
    a frozen dataclass takes ten times as long to build (bench/RESULTS.md)."""

    claim: str
    type: str
    date: str
    label: str
    certainty: str  # definite | possible
    subject: str
    summary: str
    sources: tuple[str, ...]
    actor: str | None
    target: str | None
    place: str | None
    aliases: tuple[str, ...] = ()  # the name it was written under, when aliased to `subject`
    grade: str = ""  # the source's reliability and the claim's credibility: "B3"


@dataclass(frozen=True)
class Picture:
    as_of: date
    position: int
    slots: tuple[SlotView, ...]
    occurrences: tuple[OccurrenceView, ...]
    deprecated_hidden: int = 0
    changed_later: tuple[str, ...] = field(default=())
    more: int = 0  # occurrences left out of `occurrences` by a limit
    more_slots: bool = False  # slots left out of `slots` by a limit (how many is not counted)


def seen_by(valid: ValidDate, day: date) -> bool:
    """Whether a dated claim can count at `day`: its start window has begun (earliest <= D).

    An open start (`../2025-02`) starts with the window of its end, so it is never counted
    before that window: absence of evidence is not evidence.
    """
    return valid.start.earliest <= day


def build_picture(
    knowledge: Knowledge,
    as_of: date,
    subject: str | None = None,
    show_all: bool = False,
    changed_later: Iterable[str] = (),
    occurrences: Sequence[OccurrenceView] | None = None,
) -> Picture:
    """The picture at valid date `as_of` from `knowledge` (already cut at the known-at position).

    Retracted claims are gone; deprecated ones are hidden and counted, or with `show_all`
    listed (occurrences, and slot candidates that do not decide the slot's status).
    `changed_later` names claims that log entries after the cut corrected, retracted or ranked.
    `occurrences`, when given, is the occurrence list already built by the store, in
    `_occurrences`' order and by its rules; `()` builds the slots alone, which is what a
    comparison of slots needs.
    """
    wanted = knowledge.identity.canonical(subject_key(subject)) if subject else None
    live = [
        s
        for s in knowledge.claims.values()
        if s.active
        and (wanted is None or knowledge.subject_of(s.claim) == wanted)
        and seen_by(s.claim.valid, as_of)
    ]
    hidden = [s for s in live if s.rank == "deprecated"]
    built = slots(
        knowledge,
        [s for s in live if s.claim.is_observation and s.rank != "deprecated"],
        as_of,
        [s for s in hidden if s.claim.is_observation],
        show_all,
    )
    if occurrences is None:
        shown = live if show_all else [s for s in live if s.rank != "deprecated"]
        events = [s for s in shown if not s.claim.is_observation]
        occurrences = _occurrences(knowledge, events, as_of)
    later = set(changed_later)
    touched = sorted({s.claim.id for s in live} & later)
    return Picture(
        as_of,
        knowledge.position,
        tuple(built),
        tuple(occurrences),
        0 if show_all else len(hidden),
        tuple(touched),
    )


def _occurrences(
    knowledge: Knowledge, states: list[ClaimState], as_of: date
) -> list[OccurrenceView]:
    """Newest first (by `order`); `definite` once the whole date window is over by `as_of`."""
    views = []
    for state in sorted(states, key=order, reverse=True):
        claim = state.claim
        subject, aliases = knowledge.identity.shown([subject_key(claim.subject)])
        views.append(
            OccurrenceView(
                claim=claim.id,
                type=claim.type,
                date=claim.date,
                label=date_label(claim.date),
                certainty=certainty(claim.valid.window.latest, as_of),
                subject=subject,
                summary=claim.summary,
                sources=(knowledge.source_of(claim).name,),
                actor=claim.actor,
                target=claim.target,
                place=claim.place,
                aliases=aliases,
                grade=knowledge.source_of(claim).reliability + claim.credibility,
            )
        )
    return views


def certainty(latest: date, as_of: date) -> str:
    """An occurrence listed at `as_of` whose date window ends on `latest`."""
    return "definite" if latest <= as_of else "possible"
