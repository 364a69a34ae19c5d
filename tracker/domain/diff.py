"""Change between two pictures: slots whose value or status changed, appeared or ended."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tracker.domain.identity import fold_attribute
from tracker.domain.model import numeric, subject_key
from tracker.domain.picture import Picture, SlotView


@dataclass(frozen=True)
class SlotChange:
    subject: str
    attribute: str
    change: str  # appeared | changed | ended | gone
    before: SlotView | None
    after: SlotView | None

    @property
    def delta(self) -> Decimal | None:
        """after - before, when both are numbers a difference means something for."""
        a = _comparable(self.before)
        b = _comparable(self.after)
        return b - a if a is not None and b is not None else None

    @property
    def percent(self) -> Decimal | None:
        a = _comparable(self.before)
        delta = self.delta
        if delta is None or not a:
            return None
        return delta * 100 / a


# Past this many digits (or this far from the decimal point) no difference is computed: both
# values are still shown. Decimal arithmetic on a stored value of thousands of digits
# overflowed or could not be rounded for display.
_DIGITS = 100


def _comparable(view: SlotView | None) -> Decimal | None:
    number = numeric(view.value) if view is not None else None
    if number is None or len(number.as_tuple().digits) > _DIGITS:
        return None
    return number if abs(number.adjusted()) <= _DIGITS else None


def _key(view: SlotView) -> tuple[str, str]:
    return subject_key(view.subject), fold_attribute(view.attribute)


def _shape(view: SlotView) -> tuple[object, ...]:
    """What a reader sees of a slot: its status, value and the values behind it."""
    return (
        view.status,
        view.value,
        tuple(sorted((c.claim, c.value) for c in view.candidates)),
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
