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
from tracker.domain.model import Claim, Source, subject_key

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
        """Whether the publisher decides (its name or grade): then `source_ids` applies."""
        return bool(self.sources) or self.min_reliability is not None

    def source_ok(self, source: Source) -> bool:
        """The publisher's part: its name, and its reliability as known at the cut."""
        if self.sources and subject_key(source.name) not in self.sources:
            return False
        return self.min_reliability is None or source.reliability <= self.min_reliability

    def source_ids(self, sources: Mapping[str, Source]) -> frozenset[str]:
        """The sources whose claims may match (sources are few: the store asks SQL for
        `source_id IN` these rather than joining)."""
        return frozenset(key for key, source in sources.items() if self.source_ok(source))

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

    def matches(
        self, state: ClaimState, sources: Mapping[str, Source], identity: Identity | None = None
    ) -> bool:
        source = sources.get(state.claim.source_id)
        return self.claim_ok(state.claim, identity) and (
            not self.by_source or (source is not None and self.source_ok(source))
        )

    def keep(self, knowledge: Knowledge) -> Knowledge:
        """The knowledge with only the matching claims (itself when nothing filters)."""
        if self.empty:
            return knowledge
        claims = {
            key: state
            for key, state in knowledge.claims.items()
            if self.matches(state, knowledge.sources, knowledge.identity)
        }
        return replace(knowledge, claims=claims)
