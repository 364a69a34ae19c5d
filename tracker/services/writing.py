"""Writing by hand: add, correct, retract, reinstate, rank."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tracker.domain.building import build_claim, build_source, check_rank, claim_fields
from tracker.domain.catalogue import type_def
from tracker.domain.errors import NotFound, ValidationError
from tracker.domain.events import (
    ClaimAsserted,
    ClaimCorrected,
    ClaimRanked,
    ClaimReinstated,
    ClaimRetracted,
    LogEntry,
    TypeDefined,
)
from tracker.domain.identity import Identity
from tracker.domain.model import Claim, subject_key
from tracker.domain.publishing import (
    as_recorded,
    grade_warning,
    near_duplicate_note,
    retracted_note,
)
from tracker.domain.units import moves, slot_key, unit_warning
from tracker.services.base import Service, active, reason_text, resolve_claim
from tracker.services.judging import Hints

if TYPE_CHECKING:
    from tracker.adapters.writer import Writer


@dataclass(frozen=True)
class Added:
    claim_id: str
    position: int
    appended: bool
    warnings: tuple[str, ...] = ()  # `warning:` lines


@dataclass(frozen=True)
class Corrected:
    entry: LogEntry
    warning: str | None = None  # the correction brings its slot a new unit (SPEC §10)


class Writing(Service):
    def add(self, fields: dict[str, str | None]) -> Added:
        """Append one claim, its article in its own event (SPEC §9).

        The content of a retracted claim appends nothing and says how to reinstate it; a
        grade other than the publisher's, or a near-duplicate, is written with a warning.
        """
        article = build_source(fields)
        claim = build_claim(fields, self.catalogue, article.id)
        with self.store.writing() as writer:
            knowledge = writer.knowledge_of({claim.id})
            known = knowledge.claims.get(claim.id)
            warning = grade_warning(knowledge.publishers, article)
            warnings = [warning] if warning else []
            if known is not None:
                recorded = knowledge.sources.get(known.claim.source_id)
                claim, _ = as_recorded(claim, article, recorded)  # the grade is the publisher's
                if known.claim.same_content(claim):
                    notes = [retracted_note(claim.id)] if known.retracted else []
                    return Added(claim.id, known.position, False, _lines(warnings + notes))
                raise ValidationError(
                    f"claim id {claim.id!r} is already used by another claim; "
                    "use `tracker correct` to change it",
                    "id",
                )
            self.catalogue.check_shape(claim)
            twins = writer.near_duplicates([(claim, article)])
            if twins:
                warnings.append(near_duplicate_note(claim.id, twins[claim.id]))
            named = writer.names([subject_key(claim.subject)])  # the one name, not every name
            if (unit := _unit_warning(writer, claim, named)) is not None:
                warnings.append(unit)
            hints = Hints(named, writer.attributes, writer.names).of([claim])
            appended = writer.append([ClaimAsserted(claim, article)])
        return Added(claim.id, appended[-1].position, True, _lines(warnings) + tuple(hints))

    def correct(self, claim_id: str, reason: str, fields: dict[str, str | None]) -> Corrected:
        """Append a claim.corrected: the claim with the given fields changed, same id."""
        claim_id = resolve_claim(self.store, claim_id)
        with self.store.writing() as writer:
            knowledge = writer.knowledge_of({claim_id})
            state = active(knowledge, claim_id)
            if fields.get("reliability") is not None:
                name = knowledge.source_of(state.claim).name
                raise ValidationError(
                    f'reliability is the publisher\'s grade: tracker grade "{name}" '
                    f"{fields['reliability']} --reason TEXT",
                    "reliability",
                )
            # The article as recorded, so its id stays unless the article itself changes.
            merged = claim_fields(state.claim, knowledge.sources[state.claim.source_id])
            merged.update({k: v for k, v in fields.items() if v is not None and k != "id"})
            article = build_source(merged)
            # A value left as it is stays as stored, even one recorded before the value grammar.
            kept = fields.get("value") is None
            claim = build_claim(merged, self.catalogue, article.id, legacy=kept)
            if claim.same_content(state.claim):
                raise ValidationError(f"the correction changes nothing in claim {claim_id!r}")
            self.catalogue.check_shape(claim, state.claim)
            event = ClaimCorrected(claim, claim_id, reason_text(reason), article)
            named = writer.names([subject_key(claim.subject)])  # with the aliases in force
            moved = moves(state.claim, claim, named)
            warning = _unit_warning(writer, claim, named) if moved else None
            return Corrected(writer.append([event])[-1], warning)

    def retract(self, claim_id: str, reason: str) -> LogEntry:
        """Append a claim.retracted: the claim leaves the picture, not the log."""
        claim_id = resolve_claim(self.store, claim_id)
        with self.store.writing() as writer:
            active(writer.knowledge_of({claim_id}), claim_id)
            return writer.append([ClaimRetracted(claim_id, reason_text(reason))])[-1]

    def reinstate(self, claim_id: str, reason: str) -> LogEntry:
        """Append a claim.reinstated: a retracted claim returns to the picture."""
        claim_id = resolve_claim(self.store, claim_id)
        with self.store.writing() as writer:
            state = writer.knowledge_of({claim_id}).claims.get(claim_id)
            if state is None:
                raise NotFound(f"no claim {claim_id!r} in the log")
            if not state.retracted:
                raise ValidationError(f"claim {claim_id!r} is not retracted; nothing to reinstate")
            return writer.append([ClaimReinstated(claim_id, reason_text(reason))])[-1]

    def rank(self, claim_id: str, rank: str, reason: str) -> LogEntry:
        """Append a claim.ranked: preferred resolves a conflict, deprecated hides the claim."""
        claim_id = resolve_claim(self.store, claim_id)
        rank = check_rank(rank)
        with self.store.writing() as writer:
            state = active(writer.knowledge_of({claim_id}), claim_id)
            if state.rank == rank:
                raise ValidationError(f"claim {claim_id!r} is already ranked {rank}")
            return writer.append([ClaimRanked(claim_id, rank, reason_text(reason))])[-1]

    def define_type(self, code: str, shape: str, description: str) -> LogEntry | None:
        """Append a type.defined; None when the catalogue already holds it as it is."""
        definition = type_def(code, shape, description)
        with self.store.writing() as writer:
            # Read under the write lock: two definitions of one code cannot both land.
            self._catalogue = self.catalogue_with(writer.defined_types())
            if not self._catalogue.define(definition):
                return None
            return writer.append([TypeDefined(*vars(definition).values())])[-1]


def _lines(messages: list[str]) -> tuple[str, ...]:
    return tuple(f"warning: {message}" for message in messages)


def _unit_warning(writer: Writer, claim: Claim, identity: Identity) -> str | None:
    """The unit warning of a claim written by hand, its slot read through the aliases of
    `identity` as views read it."""
    if not claim.is_observation:
        return None
    slot = slot_key(claim, identity)
    return unit_warning(claim, writer.slot_units({slot}, identity)[slot])
