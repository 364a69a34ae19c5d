"""Claims along valid time (timeline) and the log events that touched a claim or slot (history)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from tracker.domain.events import (
    ClaimAsserted,
    ClaimCorrected,
    ClaimRanked,
    ClaimReinstated,
    ClaimRetracted,
    LogEntry,
    SourceRegistered,
    SubjectAliased,
    SubjectDistinguished,
    SubjectUnaliased,
    claim_id_of,
)
from tracker.domain.fold import ClaimState, Knowledge
from tracker.domain.identity import Identity, fold_attribute
from tracker.domain.model import CLAIM_FIELDS, Claim, Source, subject_key


def timeline(
    knowledge: Knowledge,
    subject: str | None = None,
    start: date | None = None,
    end: date | None = None,
    type_code: str | None = None,
) -> list[ClaimState]:
    """Active claims in valid-time order (earliest first, ties by position).

    A claim is in [start, end] when its window touches it: it begins by `end` and ends on or
    after `start`.
    """
    wanted = knowledge.identity.canonical(subject_key(subject)) if subject else None
    chosen = []
    for state in knowledge.claims.values():
        claim, window = state.claim, state.claim.valid.window
        if state.retracted or (wanted and knowledge.subject_of(claim) != wanted):
            continue
        if type_code and claim.type != type_code:
            continue
        if (end and window.earliest > end) or (start and window.latest < start):
            continue
        chosen.append(state)
    return sorted(
        chosen,
        key=lambda s: (s.claim.valid.window.earliest, s.claim.valid.window.latest, s.position),
    )


@dataclass(frozen=True)
class HistoryRow:
    position: int
    recorded_at: datetime
    kind: str
    claim: str
    value: str | None
    date: str | None
    source: str | None
    reason: str | None
    detail: str | None  # the rank of a claim.ranked; the names a judgement is about
    subject: str = ""
    attribute: str | None = None
    type: str = ""
    summary: str = ""
    changes: tuple[Change, ...] = ()  # what a claim.corrected changed


@dataclass(frozen=True)
class Change:
    """One field a correction changed: `date: 2025 → 2025-02-17/2025-02-19`."""

    field: str
    before: str | None
    after: str | None

    def __str__(self) -> str:
        return f"{self.field}: {self.before or '—'} → {self.after or '—'}"


# The source's fields a correction can change, as the claim's own (`reliability: F → B`).
_SOURCE_FIELDS = ("name", "url", "title", "published", "retrieved", "reliability")


def changed(before: Claim, after: Claim, sources: dict[str, Source]) -> tuple[Change, ...]:
    """The fields that differ between two revisions of a claim, the source's included."""
    found = [
        Change(name, getattr(before, name), getattr(after, name))
        for name in CLAIM_FIELDS
        if name not in ("id", "source_id") and getattr(before, name) != getattr(after, name)
    ]
    old, new = sources.get(before.source_id), sources.get(after.source_id)
    if old is not None and new is not None and old != new:
        found += [
            Change("source" if name == "name" else name, getattr(old, name), getattr(new, name))
            for name in _SOURCE_FIELDS
            if getattr(old, name) != getattr(new, name)
        ]
    return tuple(found)


def history(
    entries: Iterable[LogEntry],
    target: str | None,
    after: int = 0,
    identity: Identity | None = None,
    articles: Mapping[str, Source] | None = None,
) -> list[HistoryRow]:
    """Every claim event touching `target`: a claim id, SUBJECT/ATTRIBUTE, or a subject
    (None: every claim), at positions after `after`. Subjects and attributes match folded,
    and a subject through the aliases of `identity`.

    A claim counts for a subject or slot if any of its revisions was about it. The entries
    must start at position 1: sources and earlier revisions name what later events touch.
    Or they may be every event of the claims that can touch `target` (and the judgements),
    with `articles` holding the articles those claims cite, as first recorded in the log.
    """
    sources: dict[str, Source] = dict(articles or {})
    revisions: dict[str, list[Claim]] = {}
    claim_entries: list[LogEntry] = []
    judged: list[LogEntry] = []
    for entry in entries:
        event = entry.event
        if isinstance(event, SourceRegistered):
            sources[event.source.id] = event.source
            continue
        if isinstance(event, SubjectAliased | SubjectUnaliased | SubjectDistinguished):
            judged.append(entry)
        if isinstance(event, ClaimAsserted | ClaimCorrected):
            revisions.setdefault(event.claim.id, []).append(event.claim)
            if event.article is not None:
                sources.setdefault(event.article.id, event.article)
        if isinstance(
            event, ClaimAsserted | ClaimCorrected | ClaimRetracted | ClaimReinstated | ClaimRanked
        ):
            claim_entries.append(entry)
    chosen = (
        set(revisions) if target is None else _select(revisions, target, identity or Identity())
    )
    rows = []
    latest: dict[str, Claim] = {}
    for entry in claim_entries:
        event = entry.event
        claim_id = claim_id_of(event) or ""
        differences: tuple[Change, ...] = ()
        if isinstance(event, ClaimCorrected) and event.supersedes in latest:
            differences = changed(latest[event.supersedes], event.claim, sources)
        if isinstance(event, ClaimAsserted | ClaimCorrected):
            latest[event.claim.id] = event.claim
        if claim_id not in chosen or entry.position <= after:
            continue
        claim = latest[claim_id]
        rows.append(
            HistoryRow(
                position=entry.position,
                recorded_at=entry.recorded_at,
                kind=entry.kind,
                claim=claim_id,
                value=claim.value,
                date=claim.date,
                source=sources[claim.source_id].name if claim.source_id in sources else None,
                reason=getattr(event, "reason", None),
                detail=event.rank if isinstance(event, ClaimRanked) else None,
                subject=claim.subject,
                attribute=claim.attribute,
                type=claim.type,
                summary=claim.summary,
                changes=differences,
            )
        )
    if target is None or (target not in revisions and "/" not in target):
        rows += _judgements(judged, target, identity or Identity(), after)
        rows.sort(key=lambda r: r.position)
    return rows


def _judgements(
    entries: list[LogEntry], subject: str | None, identity: Identity, after: int
) -> list[HistoryRow]:
    """The judgements about names (all, or those naming `subject`'s entity), as rows."""
    wanted = identity.canonical(subject_key(subject)) if subject is not None else None
    rows = []
    for entry in entries:
        event = entry.event
        if isinstance(event, SubjectAliased):
            named, detail = [event.name, event.canonical], f"{event.name} → {event.canonical}"
        elif isinstance(event, SubjectUnaliased):
            named, detail = [event.name], event.name
        elif isinstance(event, SubjectDistinguished):
            named, detail = [event.a, event.b], f"{event.a} ≠ {event.b}"
        else:
            continue
        keys = {subject_key(n) for n in named}
        if entry.position <= after or (
            wanted is not None and wanted not in keys | {identity.canonical(k) for k in keys}
        ):
            continue
        rows.append(
            HistoryRow(
                entry.position,
                entry.recorded_at,
                entry.kind,
                "",
                None,
                None,
                None,
                event.reason,
                detail,
            )
        )
    return rows


def _select(revisions: dict[str, list[Claim]], target: str, identity: Identity) -> set[str]:
    if target in revisions:
        return {target}
    subject, _, attribute = target.rpartition("/") if "/" in target else (target, "", "")
    key, attribute = identity.canonical(subject_key(subject)), fold_attribute(attribute)
    found = {
        claim_id
        for claim_id, claims in revisions.items()
        if any(
            identity.canonical(subject_key(c.subject)) == key
            and (not attribute or fold_attribute(c.attribute or "") == attribute)
            for c in claims
        )
    }
    # A subject may itself hold a slash ("US/UK talks"): then the whole target is the subject.
    return found or (_select(revisions, target + "/", identity) if attribute else found)
