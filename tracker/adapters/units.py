"""The units of slots, read from the claims projection (for the warning of SPEC §10)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, func, select

from tracker.adapters.tables import claims
from tracker.domain.identity import Identity
from tracker.domain.units import SlotKey, UnitTally

_KEY_BATCH = 500  # subject keys per IN (...) query


def slot_units(
    conn: Connection, slots: Collection[SlotKey], identity: Identity
) -> dict[SlotKey, UnitTally]:
    """For each slot (canonical subject key, folded attribute), the units of its active
    claims, those written under any name `identity` reads as that subject included."""
    c = claims.c
    found: dict[SlotKey, UnitTally] = {slot: {} for slot in slots}
    aliased: dict[str, set[str]] = {}
    for name in identity.links:
        aliased.setdefault(identity.canonical(name), set()).add(name)
    keys = sorted({key for root, _ in slots for key in (root, *aliased.get(root, ()))})
    for start in range(0, len(keys), _KEY_BATCH):
        query = (
            select(c.subject_key, c.attribute_key, c.unit, func.count(), func.min(c.id))
            .where(
                c.subject_key.in_(keys[start : start + _KEY_BATCH]),
                c.attribute_key.is_not(None),
                c.retracted.is_(False),
            )
            .group_by(c.subject_key, c.attribute_key, c.unit)
        )
        for key, attribute, unit, count, least in conn.execute(query):
            tallied = found.get((identity.canonical(key), attribute))
            if tallied is not None:
                count, least = int(count), str(least)
                if unit in tallied:  # the same unit under another name of the subject
                    count, least = count + tallied[unit][0], min(least, tallied[unit][1])
                tallied[unit] = (count, least)
    return found
