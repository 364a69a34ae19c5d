"""Searching: claims by words, ranked, as known at a recorded time (SPEC §11)."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.domain.errors import ValidationError
from tracker.domain.filters import ClaimFilter
from tracker.domain.fold import ClaimState
from tracker.domain.model import Source
from tracker.domain.search import score, words
from tracker.services.base import Cut, Service


@dataclass(frozen=True)
class Found:
    state: ClaimState
    source: Source
    score: float  # higher is better; comparable within one search only


@dataclass(frozen=True)
class SearchResult:
    text: str
    cut: Cut
    found: list[Found]


class Searching(Service):
    def search(
        self,
        text: str,
        known_at: str | None = None,
        where: ClaimFilter | None = None,
        limit: int = 50,
    ) -> SearchResult:
        """The active claims having every word of `text`, best first.

        At the head of the log the database's full-text index answers; as known at an earlier
        moment the log is folded and `domain.search.score` decides (a claim retracted since is
        found there, as it was then).
        """
        wanted = words(text)
        if not wanted:
            raise ValidationError("search needs at least one word (letters or digits)")
        cut = self.cut(known_at)
        where = self.resolved(where)
        read = self.store.searched(cut.position, wanted, where, limit)
        if read is not None:
            knowledge, hits = read
            found = [
                Found(knowledge.claims[i], knowledge.source_of(knowledge.claims[i].claim), s)
                for i, s in hits
            ]
            return SearchResult(text, cut, found)
        knowledge = self._replay(upto=cut.position)
        if where is not None:
            knowledge = where.keep(knowledge)
        scored = []
        for state in knowledge.claims.values():
            if not state.active:
                continue
            source = knowledge.source_of(state.claim)
            points = score(state.claim, source.name, wanted)
            if points is not None:
                scored.append(Found(state, source, points))
        scored.sort(key=lambda f: (-f.score, -f.state.position))
        return SearchResult(text, cut, scored[:limit])
