"""What every use case stands on: the store, the clock, the catalogue, and recorded-time cuts."""

from __future__ import annotations

from contextlib import closing, suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from tracker.adapters.files import load_catalogue
from tracker.adapters.store import Clock, Store
from tracker.domain.catalogue import Catalogue, type_def
from tracker.domain.errors import NotFound, ValidationError
from tracker.domain.events import TypeDefined
from tracker.domain.filters import ClaimFilter
from tracker.domain.fold import ClaimState, Knowledge, fold
from tracker.domain.instants import parse_instant as parse_instant


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Cut:
    """A recorded-time cut: the log up to `position`, as known at `moment`."""

    position: int
    moment: datetime

    def label(self) -> str:
        """The moment to the second, as analysts read it."""
        return self.moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Service:
    """The store, the clock and the catalogue, shared by every family of use cases."""

    def __init__(
        self, store: Store, clock: Clock = utc_now, catalogue: Catalogue | None = None
    ) -> None:
        self.store = store
        self.clock = clock
        self._shipped = catalogue
        self._catalogue: Catalogue | None = None

    @property
    def catalogue(self) -> Catalogue:
        """The shipped catalogue and the types the log defines, read once per command."""
        if self._catalogue is None:
            self._catalogue = self.catalogue_with(self.store.defined_types())
        return self._catalogue

    def catalogue_with(self, defined: list[TypeDefined]) -> Catalogue:
        catalogue = (self._shipped or load_catalogue()).copy()
        for event in defined:
            # A code the package has since shipped itself keeps the shipped meaning.
            with suppress(ValidationError):
                catalogue.define(type_def(event.code, event.shape, event.description))
        return catalogue

    def cut(self, known_at: str | None, option: str = "--known-at") -> Cut:
        """Resolve --known-at (or the `option` given): an ISO datetime, a date (end of that
        UTC day), `now` or `@N`."""
        now = self.clock()
        text = (known_at or "now").strip()
        if text == "now":
            return Cut(self.store.head().position, now)
        if text.startswith("@"):
            try:
                position = int(text[1:])
            except ValueError:
                raise ValidationError(f"{option} {text!r}: @N needs a whole number") from None
            head = self.store.head().position
            if not 0 <= position <= head:
                raise ValidationError(f"{option} {text!r}: the log has positions 1 to {head}")
            moment = self.store.recorded_at(position) if position else None
            return Cut(position, moment or now)
        moment = parse_instant(text, option)
        return Cut(self.store.position_at(moment), moment)

    def knowledge(self, cut: Cut, where: ClaimFilter | None = None) -> Knowledge:
        """What was known at the cut (of the claims `where` matches): from the projection
        when it is at the cut, else a fold."""
        known = self.store.projected(cut.position, where)
        if known is not None:
            return known
        folded = self._replay(upto=cut.position)
        return where.keep(folded) if where is not None else folded

    def resolved(self, where: ClaimFilter | None) -> ClaimFilter | None:
        """A filter as typed, its type codes checked against the catalogue. (`--mentions`
        aliases are applied where claims are read: SQL and fold alike.)"""
        if where is None or where.empty:
            return None
        return replace(where, types=frozenset(self.catalogue.check(c) for c in where.types))

    def _replay(
        self, upto: int | None = None, after: int = 0, into: Knowledge | None = None
    ) -> Knowledge:
        """Fold the log's entries (after, upto] into `into`. The read is closed even when the
        fold fails half-way, so no connection is left holding a lock until garbage collection."""
        with closing(self.store.entries(upto=upto, after=after)) as entries:
            return fold(entries, into)


# Matches listed when a claim prefix is ambiguous.
_LISTED = 5


def resolve_claim(store: Store, text: str) -> str:
    """The claim id that `text` names: itself, or the one id it is a unique prefix of (SPEC
    §11). An ambiguous prefix is an error listing the matches; no match is left to the
    caller, which says the claim is unknown."""
    claim_id = text.strip()
    if not claim_id:
        return claim_id
    found = store.claim_ids_starting(claim_id, _LISTED + 1)
    if claim_id in found or not found:
        return claim_id
    if len(found) == 1:
        return found[0]
    listed = ", ".join(found[:_LISTED]) + (", …" if len(found) > _LISTED else "")
    raise ValidationError(f"claim prefix {claim_id!r} is ambiguous: it matches {listed}")


def active(knowledge: Knowledge, claim_id: str) -> ClaimState:
    state = knowledge.claims.get(claim_id)
    if state is None:
        raise NotFound(f"no claim {claim_id!r} in the log")
    if state.retracted:
        raise ValidationError(f"claim {claim_id!r} is retracted; it can no longer change")
    return state


def reason_text(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise ValidationError("a reason is required", "reason")
    return text
