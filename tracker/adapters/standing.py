"""The small projections beside `claims`: the slots claims were corrected away from
(`earlier_slots`, for `history`) and the count of active claims (`tallies`, for `info`).

Kept in step by `projection.apply` in the same transaction as each append, rebuilt with it, and
checked against the log by `verify` (`mismatch`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import cast

from sqlalchemy import Connection, delete, func, insert, select, union, update

from tracker.adapters.logrows import decode_entry
from tracker.adapters.tables import claims, earlier_slots, log, tallies
from tracker.domain.events import ClaimAsserted, ClaimCorrected
from tracker.domain.identity import fold_attribute
from tracker.domain.model import Claim, subject_key

ACTIVE = "active_claims"
_KEY_BATCH = 500

Slot = tuple[str, str, str]  # (folded subject, folded attribute or '', claim id)


def slot_of(claim: Claim, claim_id: str) -> Slot:
    """A revision's row of `earlier_slots`, its attribute folded as `history` matches it."""
    return subject_key(claim.subject), fold_attribute(claim.attribute or ""), claim_id


def add_earlier(conn: Connection, slot: Slot) -> None:
    """Record a slot a claim was corrected away from (once)."""
    key = dict(zip(("subject_key", "attribute_key", "claim_id"), slot, strict=True))
    known = select(earlier_slots.c.claim_id).filter_by(**key)
    if conn.execute(known).first() is None:
        conn.execute(insert(earlier_slots).values(**key))


def count_active(conn: Connection, delta: int) -> None:
    """Add `delta` to the count of active claims."""
    if not delta:
        return
    done = conn.execute(
        update(tallies).where(tallies.c.name == ACTIVE).values(value=tallies.c.value + delta)
    )
    if done.rowcount == 0:
        conn.execute(insert(tallies).values(name=ACTIVE, value=delta))


def clear(conn: Connection) -> None:
    conn.execute(delete(earlier_slots))
    conn.execute(delete(tallies))


def active_claims(conn: Connection) -> int:
    """The claims not retracted, as the tally keeps them."""
    value = conn.execute(select(tallies.c.value).where(tallies.c.name == ACTIVE)).scalar()
    return int(value or 0)


def claims_about(conn: Connection, keys: Iterable[str], attribute: str | None) -> set[str]:
    """The ids of the claims any revision of which was about one of these subject keys (and,
    given an attribute key, about that attribute): through the slot index of `claims` and the
    key of `earlier_slots`."""
    keys = sorted(set(keys))
    found: set[str] = set()
    for start in range(0, len(keys), _KEY_BATCH):
        batch = keys[start : start + _KEY_BATCH]
        latest = select(claims.c.id).where(claims.c.subject_key.in_(batch))
        earlier = select(earlier_slots.c.claim_id).where(earlier_slots.c.subject_key.in_(batch))
        if attribute is not None:
            latest = latest.where(claims.c.attribute_key == attribute)
            earlier = earlier.where(earlier_slots.c.attribute_key == attribute)
        found.update(conn.execute(union(latest, earlier)).scalars())
    return found


def mismatch(conn: Connection) -> str | None:
    """How these projections differ from the log (with `claims` already found equal to it);
    None when they agree. The earlier slots are recomputed from the corrections alone, each
    with the revision it replaced, read through the indexes: memory follows the corrections."""
    counted = conn.execute(
        select(func.count()).select_from(claims).where(claims.c.retracted.is_(False))
    ).scalar()
    if active_claims(conn) != int(counted or 0):
        return "the count of active claims differs from the log"
    stored = {tuple(row) for row in conn.execute(select(earlier_slots))}
    if stored != set(_earlier_from_log(conn)):
        return "the slots claims were corrected away from differ from the log"
    return None


def _earlier_from_log(conn: Connection) -> Iterator[Slot]:
    """For every correction that moved a claim (to another slot or id), the slot of the
    revision it replaced: the claim's last revision before it, found by the claim id index."""
    corrections = select(log).where(log.c.kind == ClaimCorrected.kind).order_by(log.c.position)
    result = conn.execute(corrections.execution_options(yield_per=1000))
    try:
        for row in result:
            event = cast(ClaimCorrected, decode_entry(row).event)
            replaced = (
                select(log)
                .where(
                    log.c.claim_id == event.supersedes,
                    log.c.position < row.position,
                    log.c.kind.in_((ClaimAsserted.kind, ClaimCorrected.kind)),
                )
                .order_by(log.c.position.desc())
                .limit(1)
            )
            before = conn.execute(replaced).first()
            if before is None:  # a correction of nothing: the fold of `verify` says so
                continue
            claim = cast(ClaimAsserted | ClaimCorrected, decode_entry(before).event).claim
            old = slot_of(claim, event.supersedes)
            if old != slot_of(event.claim, event.claim.id):
                yield old
    finally:
        result.close()
