"""Units of a slot: a write bringing a slot a unit its other claims do not use is flagged."""

from __future__ import annotations

from tracker.domain.identity import Identity, fold_attribute
from tracker.domain.model import Claim, subject_key

SlotKey = tuple[str, str]
# For each unit of a slot's active claims (None: no unit), how many claims use it and the
# least of their ids: enough to leave a corrected claim's own old unit out.
UnitTally = dict[str | None, tuple[int, str]]


def slot_key(claim: Claim, identity: Identity) -> SlotKey:
    """The slot an observation fills as views group it (SPEC §9): its subject's canonical key
    through the aliases of `identity`, and its folded attribute."""
    return identity.canonical(subject_key(claim.subject)), fold_attribute(claim.attribute or "")


def moves(recorded: Claim, corrected: Claim, identity: Identity) -> bool:
    """Whether a correction may bring a slot a unit: it changes the claim's unit or slot."""
    return corrected.unit != recorded.unit or (
        slot_key(corrected, identity) != slot_key(recorded, identity)
    )


def unit_warning(claim: Claim, tally: UnitTally) -> str | None:
    """Why this claim's unit stands out in its slot (SPEC §10), None when it does not: the
    slot's other claims use other units only. A slot with no other claim takes any unit."""
    others = {unit for unit, (count, least) in tally.items() if count > 1 or least != claim.id}
    if not others or claim.unit in others:
        return None
    used = ", ".join(sorted(unit or "no unit" for unit in others))
    return (
        f"{claim.subject} / {claim.attribute} is in {used}; this claim brings "
        f"{claim.unit or 'no unit'} (no delta is given across units)"
    )


def tally(counts: UnitTally, claim: Claim) -> None:
    """Count a claim written to its slot in."""
    count, least = counts.get(claim.unit, (0, claim.id))
    counts[claim.unit] = (count + 1, min(least, claim.id))
