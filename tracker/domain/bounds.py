"""Which observations a picture at a day can use, told from their day windows alone.

A store that keeps each claim's windows as day ordinals reads these few numbers per
observation, keeps what `usable` returns and builds claims only for those.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from itertools import groupby
from typing import NamedTuple


class Bounds(NamedTuple):
    """One active, not deprecated observation, its windows as day ordinals (`date.toordinal`)."""

    slot: Hashable
    first_day: int  # the start window's first day
    last_day: int  # the start window's last day
    end_day: int | None  # a closed span's end window's last day
    position: int
    claim_id: str


def usable(observations: Iterable[Bounds], day: int) -> Iterator[str]:
    """Ids of the observations a picture at `day` may use; `observations` come slot by slot.

    A picture uses, per slot, the claims no later claim follows (`picture._current`), among
    those begun by `day` and, for a possible value, among those certainly begun and not ended
    by then; it shows the subject of the slot's first claim. Let `top` be the latest first day
    in a slot and `top_last` the latest last day among the claims starting on `top`: a claim
    starting before `top` and ending its start window by `top_last` is followed by that claim
    (`picture.is_later` is a strict partial order), so only claims starting on `top` or ending
    after `top_last` can be current. The same bound is taken over the definite claims.
    """
    for _, group in groupby(observations, key=lambda o: o.slot):
        begun = [o for o in group if o.first_day <= day]
        if not begun:
            continue
        definite = [
            o for o in begun if o.last_day <= day and (o.end_day is None or o.end_day >= day)
        ]
        first = min(o.position for o in begun)
        top, top_last = _top(begun)
        top_definite, top_last_definite = _top(definite) if definite else (top, top_last)
        definite_ids = {o.claim_id for o in definite}
        for o in begun:
            if (
                o.position == first
                or o.first_day == top
                or o.last_day > top_last
                or (
                    o.claim_id in definite_ids
                    and (o.first_day == top_definite or o.last_day > top_last_definite)
                )
            ):
                yield o.claim_id


def _top(observations: list[Bounds]) -> tuple[int, int]:
    """The latest first day, and the latest last day among the claims starting on it."""
    top = max(o.first_day for o in observations)
    return top, max(o.last_day for o in observations if o.first_day == top)
