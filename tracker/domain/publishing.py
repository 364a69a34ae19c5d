"""Publishers' grades and what a write says about them, retracted claims and near-duplicates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from tracker.domain.building import check_reliability
from tracker.domain.errors import ValidationError
from tracker.domain.events import SourceGraded
from tracker.domain.identity import Identity, fold_attribute
from tracker.domain.model import (
    Claim,
    Publisher,
    Source,
    fold_text,
    given_grade,
    publisher_key,
    subject_key,
)


def grade_warning(publishers: Mapping[str, Publisher], article: Source) -> str | None:
    """Why a row's grade changes nothing: its publisher is already graded otherwise.

    A row's grade only sets a publisher's first grade (`fold.cite`); re-grading is a
    judgement of its own (`tracker grade`)."""
    given = given_grade(article.reliability)
    publisher = publishers.get(publisher_key(article.name))
    if given is None or publisher is None or publisher.grade in (None, given):
        return None
    return (
        f"{publisher.name} is graded {publisher.grade}; the grade {given} given here changes "
        f'nothing (to re-grade: tracker grade "{publisher.name}" {given} --reason TEXT)'
    )


def regraded(recorded: Source, article: Source) -> bool:
    """The same article (publisher, url, title, published) given another grade."""
    return (
        recorded.reliability != article.reliability
        and publisher_key(recorded.name) == publisher_key(article.name)
        and (recorded.url, recorded.title, recorded.published)
        == (article.url, article.title, article.published)
    )


def as_recorded(claim: Claim, article: Source, recorded: Source | None) -> tuple[Claim, Source]:
    """A known claim cited again with its article (`recorded`) under another grade cites the
    article as recorded: the grade belongs to the publisher (`grade_warning` says so), and
    the article's id, part of the claim's content, does not move."""
    if recorded is None or not regraded(recorded, article):
        return claim, article
    return replace(claim, source_id=recorded.id), recorded


def retracted_note(claim_id: str) -> str:
    return (
        f"claim {claim_id} is retracted; nothing appended "
        f"(to bring it back: tracker reinstate {claim_id} --reason TEXT)"
    )


def near_duplicate_note(claim_id: str, others: list[str]) -> str:
    return (
        f"claim {claim_id} repeats {', '.join(others)} (same type, subject, attribute, value, "
        "date and source under another id)"
    )


def fingerprint(claim: Claim, publisher: str, identity: Identity) -> tuple[str | None, ...]:
    """What makes two claims near-duplicates: type, folded subject after the aliases in
    `identity`, folded attribute, value, date and publisher (key), laid out as
    `twins.twins` reads them."""
    return (
        identity.canonical(subject_key(claim.subject)),
        claim.type,
        fold_attribute(claim.attribute) if claim.attribute is not None else None,
        claim.value,
        claim.date,
        publisher,
    )


class Repeats:
    """Which active claims each new claim of an import batch repeats (`fingerprint`): those of
    the log (`found`, looked up for the batch) and those asserted earlier in the batch."""

    def __init__(
        self, found: Mapping[str, list[str]], retracted: set[str], identity: Identity
    ) -> None:
        self.found = found
        self.retracted = retracted  # retracted earlier in this batch: no longer active
        self.identity = identity
        self.asserted: dict[tuple[str | None, ...], str] = {}

    def note(self, claim: Claim, article: Source) -> str | None:
        others = [i for i in self.found.get(claim.id, ()) if i not in self.retracted]
        key = fingerprint(claim, publisher_key(article.name), self.identity)
        first = self.asserted.setdefault(key, claim.id)
        if first != claim.id:
            others.append(first)
        return near_duplicate_note(claim.id, sorted(others)) if others else None


def grade_row(fields: Mapping[str, str | None]) -> Source:
    """An `op=grade` row's publisher and grade (A-F, F included: this is a judgement), as a
    source with no article."""
    name = fold_text(fields.get("source") or "")
    if not name:
        raise ValidationError("source is required to grade it", "source")
    raw = fold_text(fields.get("reliability") or "")
    if not raw:
        raise ValidationError("reliability is required to grade a source", "reliability")
    try:
        grade = check_reliability(raw)
    except ValidationError as error:
        raise ValidationError(error.message, "reliability") from None
    return Source("", name, reliability=grade)


def regrade(
    publishers: Mapping[str, Publisher], graded: Source, reason: str
) -> SourceGraded | None:
    """The judgement that gives a known publisher `graded.reliability`; None when that grade
    is already in force (judgements are idempotent)."""
    publisher = publishers.get(publisher_key(graded.name))
    if publisher is None:
        raise ValidationError(f"no source {graded.name!r} in the log", "source")
    if publisher.grade == graded.reliability:
        return None
    return SourceGraded(graded.name, graded.reliability, reason)
