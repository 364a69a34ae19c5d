"""What every use case stands on: the store, the clock, the catalogue, and recorded-time cuts."""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time

from tracker.adapters.files import load_catalogue
from tracker.adapters.store import Clock, Store
from tracker.domain.errors import NotFound, ValidationError
from tracker.domain.filters import ClaimFilter
from tracker.domain.fold import ClaimState, Knowledge, fold
from tracker.domain.model import Catalogue


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
        self.catalogue = catalogue or load_catalogue()

    def cut(self, known_at: str | None) -> Cut:
        """Resolve --known-at: an ISO datetime, a date (end of that UTC day), `now` or `@N`."""
        now = self.clock()
        text = (known_at or "now").strip()
        if text == "now":
            return Cut(self.store.head().position, now)
        if text.startswith("@"):
            try:
                position = int(text[1:])
            except ValueError:
                raise ValidationError(f"--known-at {text!r}: @N needs a whole number") from None
            head = self.store.head().position
            if not 0 <= position <= head:
                raise ValidationError(f"--known-at {text!r}: the log has positions 1 to {head}")
            moment = self.store.recorded_at(position) if position else None
            return Cut(position, moment or now)
        moment = parse_instant(text)
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


def parse_instant(text: str) -> datetime:
    """An ISO datetime (naive means UTC) or a date, meaning the end of that UTC day."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time.max, UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(
            f"--known-at {text!r} is not an ISO datetime, a date, `now` or `@N`"
        ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        # Before year 1 or after 9999 in UTC: before or after anything the log can hold.
        edge = datetime.min if moment.year == 1 else datetime.max
        return edge.replace(tzinfo=UTC)
