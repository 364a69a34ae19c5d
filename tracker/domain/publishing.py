"""Publishers' grades and what a write says about them, retracted claims and near-duplicates."""

from __future__ import annotations

from collections.abc import Mapping

from tracker.domain.model import Claim, Publisher, Source, given_grade, publisher_key, subject_key


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


def fingerprint(claim: Claim, publisher: str) -> tuple[str | None, ...]:
    """What makes two claims near-duplicates: type, folded subject, attribute, value, date
    and publisher (key), laid out as `publishers.twins` reads them."""
    return (
        subject_key(claim.subject),
        claim.type,
        claim.attribute,
        claim.value,
        claim.date,
        publisher,
    )
