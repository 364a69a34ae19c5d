"""The log's events: frozen dataclasses with stable kind names, one codec, one hash chain."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from tracker.domain.canonical import canonical_json as canonical_json
from tracker.domain.canonical import quoted
from tracker.domain.model import Claim, Source
from tracker.domain.records import quick_init

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class SourceRegistered:
    source: Source
    kind = "source.registered"


@quick_init
@dataclass(frozen=True)
class ClaimAsserted:
    """`article`: the article the claim was read in (its id is `claim.source_id`). Claims
    asserted before publishers existed have none: their article is a `source.registered`."""

    claim: Claim
    article: Source | None = None
    kind = "claim.asserted"


@dataclass(frozen=True)
class ClaimCorrected:
    claim: Claim
    supersedes: str
    reason: str
    article: Source | None = None
    kind = "claim.corrected"


@dataclass(frozen=True)
class ClaimRetracted:
    claim_id: str
    reason: str
    kind = "claim.retracted"


@dataclass(frozen=True)
class ClaimRanked:
    claim_id: str
    rank: str
    reason: str
    kind = "claim.ranked"


@dataclass(frozen=True)
class ClaimReinstated:
    claim_id: str
    reason: str
    kind = "claim.reinstated"


@dataclass(frozen=True)
class SourceGraded:
    """A publisher's reliability, judged: `source` is its name as the analyst wrote it."""

    source: str
    reliability: str
    reason: str
    kind = "source.graded"


@dataclass(frozen=True)
class ImportRecorded:
    name: str
    sha256: str
    counts: dict[str, int]
    kind = "import.recorded"


@dataclass(frozen=True)
class SubjectAliased:
    """From now on claims about `name` are read as claims about `canonical` (as written)."""

    name: str
    canonical: str
    reason: str
    kind = "subject.aliased"


@dataclass(frozen=True)
class SubjectUnaliased:
    name: str
    reason: str
    kind = "subject.unaliased"


@dataclass(frozen=True)
class SubjectDistinguished:
    """`a` and `b` are different entities: no longer suggested as similar."""

    a: str
    b: str
    reason: str
    kind = "subject.distinguished"


@dataclass(frozen=True)
class TypeDefined:
    """A type code added to the catalogue (SPEC §11): it travels with the log."""

    code: str
    shape: str
    description: str
    kind = "type.defined"


Event = (
    SourceRegistered
    | ClaimAsserted
    | ClaimCorrected
    | ClaimRetracted
    | ClaimRanked
    | ClaimReinstated
    | SourceGraded
    | ImportRecorded
    | SubjectAliased
    | SubjectUnaliased
    | SubjectDistinguished
    | TypeDefined
)

# The judgements about names, as `Identity` folds them.
JUDGEMENT_KINDS = (SubjectAliased.kind, SubjectUnaliased.kind, SubjectDistinguished.kind)


def to_payload(event: Event) -> dict[str, Any]:
    """The event's fields as JSON-ready data (claims and sources are flat records). An
    absent article is left out, so events written before articles existed keep their bytes."""
    if type(event) is ClaimAsserted and event.article is not None:  # most events, built fast
        return {"claim": dict(vars(event.claim)), "article": dict(vars(event.article))}
    return {
        name: dict(vars(value)) if isinstance(value, Claim | Source) else value
        for name, value in vars(event).items()
        if not (name == "article" and value is None)
    }


def from_payload(kind: str, payload: dict[str, Any]) -> Event:
    """Decode one stored event. Version 1 is the only payload version so far."""
    match kind:
        case SourceRegistered.kind:
            return SourceRegistered(Source(**payload["source"]))
        case ClaimAsserted.kind:
            return ClaimAsserted(Claim(**payload["claim"]), _article(payload))
        case ClaimCorrected.kind:
            return ClaimCorrected(
                Claim(**payload["claim"]),
                payload["supersedes"],
                payload["reason"],
                _article(payload),
            )
        case ClaimReinstated.kind:
            return ClaimReinstated(payload["claim_id"], payload["reason"])
        case SourceGraded.kind:
            return SourceGraded(payload["source"], payload["reliability"], payload["reason"])
        case ClaimRetracted.kind:
            return ClaimRetracted(payload["claim_id"], payload["reason"])
        case ClaimRanked.kind:
            return ClaimRanked(payload["claim_id"], payload["rank"], payload["reason"])
        case ImportRecorded.kind:
            return ImportRecorded(payload["name"], payload["sha256"], dict(payload["counts"]))
        case SubjectAliased.kind:
            return SubjectAliased(payload["name"], payload["canonical"], payload["reason"])
        case SubjectUnaliased.kind:
            return SubjectUnaliased(payload["name"], payload["reason"])
        case SubjectDistinguished.kind:
            return SubjectDistinguished(payload["a"], payload["b"], payload["reason"])
        case TypeDefined.kind:
            return TypeDefined(payload["code"], payload["shape"], payload["description"])
    raise ValueError(f"unknown event kind {kind!r}")


def _article(payload: dict[str, Any]) -> Source | None:
    article = payload.get("article")
    return None if article is None else Source(**article)


def claim_id_of(event: Event) -> str | None:
    """The claim an event touches, if any (indexed for `history`)."""
    if isinstance(event, ClaimAsserted | ClaimCorrected):
        return event.claim.id
    if isinstance(event, ClaimRetracted | ClaimRanked | ClaimReinstated):
        return event.claim_id
    return None


def format_instant(moment: datetime) -> str:
    """UTC instants as text: microseconds always, `Z` suffix."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@quick_init
@dataclass(frozen=True)
class LogEntry:
    """One event as the log holds it."""

    position: int
    event_id: str
    recorded_at: datetime
    kind: str
    payload: dict[str, Any]
    hash: str

    @cached_property
    def event(self) -> Event:
        return from_payload(self.kind, self.payload)


def chain_hash(
    previous: str,
    position: int,
    event_id: str,
    recorded_at: datetime,
    kind: str,
    payload: dict[str, Any],
) -> str:
    """sha256 over the previous hash and the event's canonical JSON."""
    instant = format_instant(recorded_at)
    return chain_hash_text(previous, position, event_id, instant, kind, canonical_json(payload))


def chain_hash_text(
    previous: str, position: int, event_id: str, instant: str, kind: str, payload_json: str
) -> str:
    """`chain_hash` given the payload's canonical JSON and `format_instant(recorded_at)`
    (an append formats its one time once): the envelope is spliced around the payload, keys
    in sorted order, so the bytes are exactly those of `canonical_json(envelope)`."""
    body = (
        f'{{"event_id":{quoted(event_id)},"kind":{quoted(kind)},'
        f'"payload":{payload_json},"position":{position},'
        f'"recorded_at":"{instant}"}}'
    )
    return hashlib.sha256((previous + body).encode()).hexdigest()


def first_break(entries: Iterable[LogEntry]) -> tuple[int, str] | None:
    """The first position where positions or the hash chain fail, with why; None if intact."""
    chain = Chain()
    for entry in entries:
        broken = chain.check(entry)
        if broken is not None:
            return broken
    return None


class Chain:
    """The hash chain checked one entry at a time, in position order: a log streamed through
    it is checked in constant memory (`first_break` of a whole log)."""

    def __init__(self) -> None:
        self.previous, self.expected = GENESIS_HASH, 1
        self.last_time: datetime | None = None

    def check(self, entry: LogEntry) -> tuple[int, str] | None:
        """Where and why `entry`, the next one, breaks the chain; None when it extends it."""
        expected = self.expected
        if entry.position != expected:
            return expected, f"expected position {expected}, found {entry.position}"
        if self.last_time is not None and entry.recorded_at < self.last_time:
            return entry.position, "recorded_at goes back in time"
        digest = chain_hash(
            self.previous,
            entry.position,
            entry.event_id,
            entry.recorded_at,
            entry.kind,
            entry.payload,
        )
        if digest != entry.hash:
            return entry.position, "hash does not match its content and the previous hash"
        self.previous, self.expected, self.last_time = entry.hash, expected + 1, entry.recorded_at
        return None
