"""Writing by hand: add, correct, retract, rank."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.domain.errors import ValidationError
from tracker.domain.events import (
    ClaimAsserted,
    ClaimCorrected,
    ClaimRanked,
    ClaimRetracted,
    Event,
    LogEntry,
    SourceRegistered,
)
from tracker.domain.model import build_claim, build_source, check_rank, claim_fields
from tracker.services.base import Service, active, reason_text
from tracker.services.judging import Hints


@dataclass(frozen=True)
class Added:
    claim_id: str
    position: int
    appended: bool
    warnings: tuple[str, ...] = ()


class Writing(Service):
    def add(self, fields: dict[str, str | None]) -> Added:
        """Append one claim, and its source the first time that source is seen."""
        source = build_source(fields)
        claim = build_claim(fields, self.catalogue, source.id)
        with self.store.writing() as writer:
            knowledge = writer.knowledge_of({claim.id})
            known = knowledge.claims.get(claim.id)
            if known is not None:
                if known.claim.same_content(claim):
                    return Added(claim.id, known.position, appended=False)
                raise ValidationError(
                    f"claim id {claim.id!r} is already used by another claim; "
                    "use `tracker correct` to change it",
                    "id",
                )
            events: list[Event] = []
            if source.id not in knowledge.sources:
                events.append(SourceRegistered(source))
            events.append(ClaimAsserted(claim))
            hints = Hints(writer.names(), writer.attributes).of([claim])
            appended = writer.append(events)
        return Added(claim.id, appended[-1].position, appended=True, warnings=tuple(hints))

    def correct(self, claim_id: str, reason: str, fields: dict[str, str | None]) -> LogEntry:
        """Append a claim.corrected: the claim with the given fields changed, same id."""
        with self.store.writing() as writer:
            knowledge = writer.knowledge_of({claim_id})
            state = active(knowledge, claim_id)
            merged = claim_fields(state.claim, knowledge.source_of(state.claim))
            merged.update({k: v for k, v in fields.items() if v is not None and k != "id"})
            source = build_source(merged)
            claim = build_claim(merged, self.catalogue, source.id)
            if claim.same_content(state.claim):
                raise ValidationError(f"the correction changes nothing in claim {claim_id!r}")
            events: list[Event] = []
            if source.id not in knowledge.sources:
                events.append(SourceRegistered(source))
            events.append(ClaimCorrected(claim, claim_id, reason_text(reason)))
            return writer.append(events)[-1]

    def retract(self, claim_id: str, reason: str) -> LogEntry:
        """Append a claim.retracted: the claim leaves the picture, not the log."""
        with self.store.writing() as writer:
            active(writer.knowledge_of({claim_id}), claim_id)
            return writer.append([ClaimRetracted(claim_id, reason_text(reason))])[-1]

    def rank(self, claim_id: str, rank: str, reason: str) -> LogEntry:
        """Append a claim.ranked: preferred resolves a conflict, deprecated hides the claim."""
        rank = check_rank(rank)
        with self.store.writing() as writer:
            state = active(writer.knowledge_of({claim_id}), claim_id)
            if state.rank == rank:
                raise ValidationError(f"claim {claim_id!r} is already ranked {rank}")
            return writer.append([ClaimRanked(claim_id, rank, reason_text(reason))])[-1]
