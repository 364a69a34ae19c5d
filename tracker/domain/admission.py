"""Whether a log's events could have been written by a tracker: what `restore` asks of a
backup before loading it (issue 12, item 8).

The chain proves only that nobody changed the file since its hashes were computed; a crafted
file can carry a valid chain around impossible content (a claim without a subject, an unknown
kind, a bad date, a retraction of a claim that never was). Every event goes through the rules
a writer applies before appending it, in log order, against what the log knew by then.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import fields

from tracker.domain.building import build_claim, build_source, claim_fields
from tracker.domain.catalogue import type_def
from tracker.domain.errors import ValidationError
from tracker.domain.events import (
    ClaimAsserted,
    ClaimCorrected,
    ClaimRanked,
    ClaimReinstated,
    ClaimRetracted,
    Event,
    ImportRecorded,
    LogEntry,
    SourceGraded,
    SourceRegistered,
    SubjectAliased,
    SubjectDistinguished,
    SubjectUnaliased,
    TypeDefined,
)
from tracker.domain.fold import Knowledge, apply
from tracker.domain.identity import fold_name
from tracker.domain.model import RANKS, RELIABILITY_GRADES, Catalogue, Claim, Source, publisher_key

_SHA256 = re.compile(r"^[0-9a-f]{64}$", re.ASCII)
_REQUIRED_CLAIM = {"id", "type", "date", "subject", "summary", "source_id", "credibility"}
_REQUIRED_SOURCE = {"id", "name", "reliability"}


def check_log(entries: Iterable[LogEntry], catalogue: Catalogue) -> None:
    """Raise ValidationError naming the first entry a writer could not have appended.

    `catalogue` is not changed: the types the log defines go into a copy, in log order."""
    check_entries(entries, Knowledge(), catalogue.copy())


def check_entries(entries: Iterable[LogEntry], known: Knowledge, catalogue: Catalogue) -> None:
    """`check_log` of a log's next entries, given what the log knew before them: `known`
    holds at least the claims and articles they touch (`fold.touched`), every publisher and
    the aliases in force. Both are brought up to the entries as they are checked; the types
    the entries define go into `catalogue` itself."""
    for entry in entries:
        try:
            _check(entry.event, known, catalogue)
        except ValidationError as error:
            raise ValidationError(f"position {entry.position}: {error.message}") from None
        apply(entry.event, known, entry.position)
        known.position = entry.position


def _check(event: Event, known: Knowledge, catalogue: Catalogue) -> None:
    if isinstance(event, SourceRegistered):
        _source(event.source)
        if event.source.id in known.sources:
            raise ValidationError(f"source {event.source.id!r} is registered twice")
    elif isinstance(event, ClaimAsserted):
        _claim(event.claim, event.article, known, catalogue)
        if event.claim.id in known.claims:
            raise ValidationError(f"claim id {event.claim.id!r} is asserted twice")
    elif isinstance(event, ClaimCorrected):
        _active(event.supersedes, known)
        _claim(event.claim, event.article, known, catalogue)
        if event.claim.id != event.supersedes and event.claim.id in known.claims:
            raise ValidationError(f"the correction reuses claim id {event.claim.id!r}")
        _reason(event.reason)
    elif isinstance(event, ClaimRetracted):
        _active(event.claim_id, known)
        _reason(event.reason)
    elif isinstance(event, ClaimRanked):
        _active(event.claim_id, known)
        if event.rank not in RANKS:
            raise ValidationError(f"rank {event.rank!r} is not one of {', '.join(RANKS)}")
        _reason(event.reason)
    elif isinstance(event, ClaimReinstated):
        _retracted(event.claim_id, known)
        _reason(event.reason)
    elif isinstance(event, SourceGraded):
        _grade(event, known)
    elif isinstance(event, ImportRecorded):
        _import(event)
    elif isinstance(event, TypeDefined):
        # Defined into the catalogue the later claims are checked against (a copy: see
        # `check_log`); a redefinition with another meaning is refused as a writer would.
        catalogue.define(type_def(event.code, event.shape, event.description))
    elif isinstance(event, SubjectAliased | SubjectUnaliased | SubjectDistinguished):
        _judgement(event, known)
    else:  # pragma: no cover - from_payload builds only the kinds above
        raise ValidationError(f"unknown event {type(event).__name__}")


def _texts(record: Claim | Source, required: set[str], what: str) -> None:
    """Every field text (or empty where allowed): JSON can carry anything in its place."""
    for field in fields(record):
        value = getattr(record, field.name)
        if value is None and field.name not in required:
            continue
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(f"{what} {field.name} is {value!r}, not text")


def _source(source: Source) -> None:
    _texts(source, _REQUIRED_SOURCE, "source")
    build_source(
        {
            "source": source.name,
            "source_url": source.url,
            "source_title": source.title,
            "published": source.published,
            "retrieved": source.retrieved,
            "reliability": source.reliability,
        }
    )


def _claim(claim: Claim, article: Source | None, known: Knowledge, catalogue: Catalogue) -> None:
    """A claim as a writer builds it; its article is carried with it (since publishers) or
    was registered before it (`source.registered`)."""
    _texts(claim, _REQUIRED_CLAIM, "claim")
    if article is not None:
        _source(article)
        if article.id != claim.source_id:
            raise ValidationError(
                f"claim {claim.id!r} names source {claim.source_id!r} but carries {article.id!r}"
            )
    source = article or known.sources.get(claim.source_id)
    if source is None:
        raise ValidationError(
            f"claim {claim.id!r} names source {claim.source_id!r}, not registered"
        )
    try:
        build_claim(claim_fields(claim, source), catalogue, claim.source_id)
    except ValidationError as error:
        raise ValidationError(f"claim {claim.id!r}: {error.message}") from None


def _active(claim_id: object, known: Knowledge) -> None:
    if not isinstance(claim_id, str):
        raise ValidationError(f"claim id {claim_id!r} is not text")
    state = known.claims.get(claim_id)
    if state is None:
        raise ValidationError(f"no claim {claim_id!r} before this event")
    if state.retracted:
        raise ValidationError(f"claim {claim_id!r} is retracted before this event")


def _retracted(claim_id: object, known: Knowledge) -> None:
    if not isinstance(claim_id, str):
        raise ValidationError(f"claim id {claim_id!r} is not text")
    state = known.claims.get(claim_id)
    if state is None or not state.retracted:
        raise ValidationError(f"claim {claim_id!r} is not retracted before this event")


def _grade(event: SourceGraded, known: Knowledge) -> None:
    """What `tracker grade` refuses: a blank publisher, a grade that is not A-F."""
    if not isinstance(event.source, str) or not event.source.strip():
        raise ValidationError(f"source.graded names {event.source!r}, not a publisher")
    if publisher_key(event.source) not in known.publishers:
        raise ValidationError(f"source.graded names {event.source!r}, not a known publisher")
    if not isinstance(event.reliability, str) or event.reliability not in RELIABILITY_GRADES:
        raise ValidationError(f"grade {event.reliability!r} is not one of A-F")
    _reason(event.reason)


def _judgement(
    event: SubjectAliased | SubjectUnaliased | SubjectDistinguished, known: Knowledge
) -> None:
    """What `tracker alias`, `unalias` and `distinct` refuse, a log may not carry either."""
    names = [
        getattr(event, name) for name in ("name", "canonical", "a", "b") if hasattr(event, name)
    ]
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(f"{event.kind} names {name!r}, not a name")
    _reason(event.reason)
    identity = known.identity
    if isinstance(event, SubjectAliased):
        identity.check_alias(event.name, event.canonical)
    elif isinstance(event, SubjectUnaliased):
        if fold_name(event.name) not in identity.links:
            raise ValidationError(f"{event.name!r} is not an alias before this event")
    elif fold_name(event.a) == fold_name(event.b):
        raise ValidationError(f"{event.a!r} and {event.b!r} are the same name")


def _reason(reason: object) -> None:
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError(f"reason {reason!r} is not text")


def _import(event: ImportRecorded) -> None:
    if not isinstance(event.name, str) or not isinstance(event.sha256, str):
        raise ValidationError("an import record needs a file name and its sha256 as text")
    if not _SHA256.match(event.sha256):
        raise ValidationError(f"sha256 {event.sha256!r} is not 64 hex digits")
    counts = event.counts
    if not all(isinstance(k, str) and type(v) is int and v >= 0 for k, v in counts.items()):
        raise ValidationError("an import record's counts must be whole numbers")
