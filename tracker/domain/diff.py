"""Change between two pictures: slots whose value or status changed, appeared or ended."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tracker.domain.identity import fold_attribute
from tracker.domain.model import subject_key
from tracker.domain.picture import Picture, SlotView
from tracker.domain.values import Delta, delta


@dataclass(frozen=True)
class SlotChange:
    subject: str
    attribute: str
    change: str  # appeared | changed | ended | gone
    before: SlotView | None
    after: SlotView | None

    @property
    def difference(self) -> Delta | None:
        """after - before (SPEC §10): between figures with no open end, in one unit; a range
        when either is a range. None with an open bound, text, or across units."""
        if self.before is None or self.after is None or self.before.unit != self.after.unit:
            return None
        return delta(self.before.figure, self.after.figure)

    @property
    def delta(self) -> Decimal | None:
        """after - before, when both are single figures in one unit."""
        difference = self.difference
        return difference.single if difference is not None else None

    @property
    def percent(self) -> Decimal | None:
        difference = self.difference
        return difference.percent if difference is not None else None


def _key(view: SlotView) -> tuple[str, str]:
    return subject_key(view.subject), fold_attribute(view.attribute)


def _shape(view: SlotView) -> tuple[object, ...]:
    """What a reader sees of a slot: its status, value and the values behind it."""
    return (
        view.status,
        view.value,
        tuple(sorted((c.claim, c.value, c.unit or "") for c in view.candidates)),
        view.resolved_by,
        view.deprecated_hidden,
    )


def compare(before: Picture, after: Picture) -> list[SlotChange]:
    """The slots that differ between two pictures, in subject/attribute order."""
    old = {_key(s): s for s in before.slots}
    new = {_key(s): s for s in after.slots}
    changes = []
    for key in sorted(old.keys() | new.keys()):
        a, b = old.get(key), new.get(key)
        if a is not None and b is not None and _shape(a) == _shape(b):
            continue
        shown = b or a
        assert shown is not None
        if a is None:
            kind = "appeared"
        elif b is None:
            kind = "gone"
        elif b.status == "ended" and a.status != "ended":
            kind = "ended"
        else:
            kind = "changed"
        changes.append(SlotChange(shown.subject, shown.attribute, kind, a, b))
    return changes
