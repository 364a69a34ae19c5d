"""Reading: the picture, the two kinds of diff, the timeline and history."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import date

from tracker.adapters.reads import Listed, Listing
from tracker.domain.dates import parse_as_of, parse_date
from tracker.domain.diff import SlotChange, compare
from tracker.domain.errors import NotFound, ValidationError
from tracker.domain.events import ClaimCorrected, ClaimRanked, ClaimReinstated, ClaimRetracted
from tracker.domain.filters import ClaimFilter
from tracker.domain.fold import ClaimState, Knowledge
from tracker.domain.history import HistoryRow, history, timeline
from tracker.domain.picture import OccurrenceView, Picture, build_picture
from tracker.heap import fewer_collections
from tracker.services.base import Cut, Service, resolve_claim

CHANGING_KINDS = (ClaimCorrected.kind, ClaimRetracted.kind, ClaimReinstated.kind, ClaimRanked.kind)


@dataclass(frozen=True)
class WorldDiff:
    start: date
    end: date
    cut: Cut
    changes: list[SlotChange]
    occurrences: list[OccurrenceView]


@dataclass(frozen=True)
class KnownDiff:
    first: Cut
    second: Cut
    as_of: date
    events: list[HistoryRow]
    changes: list[SlotChange]


class Reading(Service):
    def _pictured(
        self, cut: Cut, pictured_at: Sequence[date], subject: str | None, listing: Listing
    ) -> tuple[Knowledge, Listed | None]:
        """As `knowledge`, and the occurrences `listing` asks for when the projection could
        list them (None: the picture lists them from the knowledge)."""
        read = self.store.pictured(cut.position, pictured_at, subject, listing)
        if read is not None:
            return read
        folded = self._replay(upto=cut.position)
        return (listing.where.keep(folded) if listing.where else folded), None

    def show(
        self,
        as_of: str | None,
        known_at: str | None,
        subject: str | None = None,
        show_all: bool = False,
        where: ClaimFilter | None = None,
        limit: int | None = None,
        slots: int | None = None,
    ) -> tuple[Picture, Cut]:
        """The picture at `as_of` as known at K; `limit`: its newest occurrences only (the
        rest counted in `Picture.more`); `slots`: its first slots only (whether more follow
        in `Picture.more_slots`), read through the slot index without working out the rest."""
        day = parse_as_of(as_of) if as_of else self.clock().date()
        where = self.resolved(where)
        cut = self.cut(known_at)
        with closing(self.store.entries(after=cut.position)) as later:
            changed = {
                e.payload.get("claim_id") or e.payload["claim"]["id"]
                for e in later
                if e.kind in CHANGING_KINDS
            }
        with fewer_collections():
            knowledge, listed = self._pictured(
                cut, [day], subject, Listing(day, show_all, where=where, limit=limit, slots=slots)
            )
            if listed is None:  # folded: every slot and occurrence listed, then cut
                picture = build_picture(knowledge, day, subject, show_all, changed)
                picture = limited(picture, limit, slots)
            else:
                picture = build_picture(knowledge, day, subject, show_all, changed, listed.views)
                picture = replace(picture, more=listed.more, more_slots=listed.more_slots)
        return picture, cut

    def diff(self, start: str, end: str, known_at: str | None = None) -> WorldDiff:
        """How the world changed between valid dates A and B, as known at K."""
        a, b = parse_as_of(start), parse_as_of(end)
        if b < a:
            raise ValidationError(f"--to {end} is before --from {start}")
        cut = self.cut(known_at)
        with fewer_collections():
            knowledge, listed = self._pictured(cut, [a, b], None, Listing(b, after=a))
            before = build_picture(knowledge, a, occurrences=())
            after = build_picture(knowledge, b, occurrences=listed.views if listed else None)
        occurrences = list(after.occurrences)
        if listed is None:
            occurrences = [
                o for o in occurrences if knowledge.claims[o.claim].claim.valid.start.earliest > a
            ]
        return WorldDiff(a, b, cut, compare(before, after), occurrences)

    def diff_known(self, known_from: str, known_to: str | None, as_of: str | None) -> KnownDiff:
        """How our knowledge changed between two recorded moments, and what it did at D."""
        day = parse_as_of(as_of) if as_of else self.clock().date()
        first, second = self.cut(known_from, "--known-from"), self.cut(known_to, "--known-to")
        if second.position < first.position:
            raise ValidationError("--known-to is before --known-from")
        knowledge = self._replay(upto=first.position)
        before = build_picture(knowledge, day, occurrences=())
        after = build_picture(
            self._replay(upto=second.position, after=first.position, into=knowledge),
            day,
            occurrences=(),
        )
        with closing(self.store.entries(upto=second.position)) as entries:
            rows = history(entries, None, after=first.position)
        return KnownDiff(first, second, day, rows, compare(before, after))

    def timeline(
        self,
        subject: str | None,
        start: str | None,
        end: str | None,
        type_code: str | None,
        known_at: str | None = None,
        where: ClaimFilter | None = None,
    ) -> tuple[list[ClaimState], Knowledge]:
        """Claims in valid-time order, as known at K."""
        if type_code:
            type_code = self.catalogue.check(type_code)
        cut, where = self.cut(known_at), self.resolved(where)
        # With a subject, only its claims are read (through the slot index) when they can be.
        known = self.store.projected(cut.position, where, subject) if subject else None
        knowledge = known if known is not None else self.knowledge(cut, where)
        first = parse_date(start).window.earliest if start else None
        last = parse_as_of(end) if end else None
        if first is not None and last is not None and last < first:
            raise ValidationError(f"--to {end} is before --from {start}")
        return timeline(knowledge, subject, first, last, type_code), knowledge

    def history(self, target: str) -> list[HistoryRow]:
        """Every log event that touched a claim, a SUBJECT/ATTRIBUTE slot, or a subject."""
        wanted = target.strip()
        read = self.store.touching(wanted)
        if read is not None:  # the events concerned, read by index
            rows = history(read.entries, wanted, identity=read.identity, articles=read.articles)
        else:
            with closing(self.store.entries()) as entries:
                rows = history(entries, wanted, identity=self.store.identity())
        claim_id = resolve_claim(self.store, target) if not rows else target
        if not rows and claim_id != wanted:  # a prefix of one claim's id
            rows = self.history(claim_id)
        if not rows:
            raise NotFound(f"nothing in the log touches {target!r}")
        return rows


def limited(picture: Picture, limit: int | None, slots: int | None = None) -> Picture:
    """The picture with its `limit` newest occurrences, counting the rest in `more`, and its
    first `slots` slots, saying in `more_slots` whether more follow."""
    if slots is not None and len(picture.slots) > slots:
        picture = replace(picture, slots=picture.slots[:slots], more_slots=True)
    if limit is None or len(picture.occurrences) <= limit:
        return picture
    shown = picture.occurrences[:limit]
    return replace(picture, occurrences=shown, more=len(picture.occurrences) - limit)
