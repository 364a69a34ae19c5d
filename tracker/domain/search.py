"""Full-text search as the fold reads it: the words of a query, and whether a claim has them.

The database's own index (adapters/search.py) answers searches at the head of the log; a
search as known at an earlier moment folds the log and asks `score` here. Both split text the
same way (letters and digits, any script; case folded, accents kept) and both need every word
of the query, so they find the same claims; their ranks may differ in detail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.domain.model import Claim

_WORD = re.compile(r"[^\W_]+")

# How much a word found in each field counts: what a claim is about and says first.
WEIGHTS = {
    "subject": 4.0,
    "summary": 3.0,
    "actor": 2.0,
    "target": 2.0,
    "place": 2.0,
    "quote": 1.0,
    "source": 1.0,
}


def words(text: str) -> list[str]:
    """The distinct words of `text`, case folded, in order."""
    return list(dict.fromkeys(w.casefold() for w in _WORD.findall(text)))


@dataclass(frozen=True)
class Hit:
    claim_id: str
    score: float  # higher is better


def fields(claim: Claim, source: str) -> dict[str, str | None]:
    """The searched text of a claim, by field."""
    return {
        "subject": claim.subject,
        "summary": claim.summary,
        "actor": claim.actor,
        "target": claim.target,
        "place": claim.place,
        "quote": claim.quote,
        "source": source,
    }


def score(claim: Claim, source: str, wanted: list[str]) -> float | None:
    """The weighted count of the query's words in the claim; None unless it has them all."""
    found: dict[str, float] = {}
    for name, text in fields(claim, source).items():
        if not text:
            continue
        for word in _WORD.findall(text):
            folded = word.casefold()
            if folded in wanted:
                found[folded] = found.get(folded, 0.0) + WEIGHTS[name]
    if len(found) < len(wanted):
        return None
    return sum(found.values())
