"""Which observations a picture at a day can use, told from their day windows alone.

A store that keeps each claim's windows as day ordinals reads these few numbers per
observation, keeps what `usable` returns and builds claims only for those.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter

# One active, not deprecated observation: subject key, attribute, then its windows as day
# ordinals (`date.toordinal`): the start window's first and last day, a closed span's end
# window's last day (None otherwise); then its position and id. A plain tuple, as the
# database driver returns it: a store may read hundreds of thousands of these.
Bounds = tuple[str, str, int, int, int | None, int, str]


def usable(observations: Iterable[Bounds], day: int) -> Iterator[str]:
    """Ids of the observations a picture at `day` may use; `observations` come slot by slot.

    A picture uses, per slot, the claims no later claim follows (`slots._current`), among
    those begun by `day` and, for a possible value, among those certainly begun and not ended
    by then; it shows the subject of the slot's first claim. Let `top` be the latest first day
    in a slot and `top_last` the latest last day among the claims starting on `top`: a claim
    starting before `top` and ending its start window by `top_last` is followed by that claim
    (`slots.is_later` is a strict partial order), so only claims starting on `top` or ending
    after `top_last` can be current. The same bound is taken over the definite claims.
    """
    for _, group in groupby(observations, key=itemgetter(0, 1)):
        begun = [o for o in group if o[2] <= day]
        if not begun:
            continue
        definite = [o for o in begun if o[3] <= day and (o[4] is None or o[4] >= day)]
        first = min(o[5] for o in begun)
        top, top_last = _top(begun)
        top_definite, top_last_definite = _top(definite) if definite else (top, top_last)
        definite_ids = {o[6] for o in definite}
        for _, _, first_day, last_day, _, position, claim_id in begun:
            if (
                position == first
                or first_day == top
                or last_day > top_last
                or (
                    claim_id in definite_ids
                    and (first_day == top_definite or last_day > top_last_definite)
                )
            ):
                yield claim_id


def _top(observations: list[Bounds]) -> tuple[int, int]:
    """The latest first day, and the latest last day among the claims starting on it."""
    top = max(o[2] for o in observations)
    return top, max(o[3] for o in observations if o[2] == top)
