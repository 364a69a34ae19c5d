"""Filters on the claims a view reads (SPEC §11): one definition, for SQL and for the fold.

A view filtered is the view built from the matching claims alone: a slot's status is computed
among the claims that match, as if the others were not in the log. The store turns a
`ClaimFilter` into SQL on the projection; a picture folded from the log (`--known-at` in the
past) keeps the claims `matches` accepts. Both read the same fields through the same keys, so
the two paths agree (a test compares them).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from tracker.domain.errors import ValidationError
from tracker.domain.fold import ClaimState, Knowledge
from tracker.domain.identity import Identity
from tracker.domain.model import Claim, Publisher, publisher_key, subject_key

RELIABILITIES = "ABCDEF"  # A is the most reliable; F cannot be judged
CREDIBILITIES = "123456"  # 1 is confirmed; 6 cannot be judged


@dataclass(frozen=True)
class ClaimFilter:
    """What a claim must match; an empty field does not filter. Names are folded keys
    (`subject_key`), so `--place tripoli` finds `Tripoli`. Repeated options widen their own
    field (any of them) and narrow together (all fields)."""

    types: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()  # folded publisher names
    mentions: frozenset[str] = frozenset()  # folded names: subject, actor or target
    min_reliability: str | None = None
    min_credibility: str | None = None

    def __post_init__(self) -> None:
        if self.min_reliability is not None and self.min_reliability not in RELIABILITIES:
            raise ValidationError("--min-reliability takes A-F", "min_reliability")
        if self.min_credibility is not None and self.min_credibility not in CREDIBILITIES:
            raise ValidationError("--min-credibility takes 1-6", "min_credibility")

    @classmethod
    def of(
        cls,
        types: Iterable[str] = (),
        places: Iterable[str] = (),
        sources: Iterable[str] = (),
        mentions: Iterable[str] = (),
        min_reliability: str | None = None,
        min_credibility: str | None = None,
    ) -> ClaimFilter:
        """From the options as typed: names folded, grades upper-cased."""
        return cls(
            frozenset(types),
            frozenset(map(subject_key, places)),
            frozenset(map(subject_key, sources)),
            frozenset(map(subject_key, mentions)),
            min_reliability.strip().upper() if min_reliability else None,
            min_credibility.strip() if min_credibility else None,
        )

    @property
    def empty(self) -> bool:
        return self == ClaimFilter()

    @property
    def by_source(self) -> bool:
        """Whether the publisher decides (its name or grade): then `publisher_keys` applies."""
        return bool(self.sources) or self.min_reliability is not None

    def publisher_ok(self, key: str, publisher: Publisher | None) -> bool:
        """The publisher's part: its folded name, and its grade as known at the cut (one
        never graded reads as F, cannot be judged)."""
        if self.sources and key not in self.sources:
            return False
        reliability = publisher.reliability if publisher is not None else "F"
        return self.min_reliability is None or reliability <= self.min_reliability

    def publisher_keys(self, publishers: Mapping[str, Publisher]) -> frozenset[str]:
        """The publishers whose claims may match (publishers are few: the store asks SQL for
        the articles of these rather than joining every claim's)."""
        return frozenset(key for key, p in publishers.items() if self.publisher_ok(key, p))

    def claim_ok(self, claim: Claim, identity: Identity | None = None) -> bool:
        """The claim's own part: type, place, who it mentions (a name aliased with a
        `--mentions` name counts, through `identity`), credibility."""
        if self.types and claim.type not in self.types:
            return False
        if self.places and (claim.place is None or subject_key(claim.place) not in self.places):
            return False
        if self.mentions:
            same = identity.canonical if identity is not None else (lambda key: key)
            wanted = {same(m) for m in self.mentions}
            if not any(
                name is not None and same(subject_key(name)) in wanted
                for name in (claim.subject, claim.actor, claim.target)
            ):
                return False
        return self.min_credibility is None or claim.credibility <= self.min_credibility

    def matches(self, state: ClaimState, knowledge: Knowledge) -> bool:
        """Whether the claim matches, its publisher (the article's, by folded name) judged
        with the grade `knowledge` holds: the grade as known at its position."""
        if not self.claim_ok(state.claim, knowledge.identity):
            return False
        if not self.by_source:
            return True
        article = knowledge.sources.get(state.claim.source_id)
        if article is None:
            return False
        key = publisher_key(article.name)
        return self.publisher_ok(key, knowledge.publishers.get(key))

    def keep(self, knowledge: Knowledge) -> Knowledge:
        """The knowledge with only the matching claims (itself when nothing filters)."""
        if self.empty:
            return knowledge
        claims = {
            key: state for key, state in knowledge.claims.items() if self.matches(state, knowledge)
        }
        return replace(knowledge, claims=claims)
