"""Near-duplicates (`publishing.fingerprint`) looked up in the claims projection by exact keys.

A claim's twins share its folded subject (through the aliases), attribute and date, so they
share the first three columns of `ix_claims_slot`: (subject key, attribute key, first day of
the date). Each wanted key is searched in that index (a join with a `VALUES` list, which
SQLite and PostgreSQL both drive from the list), so the cost follows the claims looked up,
not the claims their subjects already have.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from tracker.adapters.bulk import fetch
from tracker.domain.identity import Identity, fold_attribute
from tracker.domain.model import Claim, subject_key
from tracker.domain.publishing import fingerprint

_KEYS = 2000  # keys per query: 6,000 parameters at most, well under either driver's limit

_SELECT = (
    "SELECT c.subject_key, c.type, c.attribute_key, c.value, c.date, a.publisher_key, c.id "
    "FROM w JOIN claims c ON c.subject_key = w.s AND {attribute} AND c.first_day = w.f "
    "JOIN articles a ON a.id = c.source_id WHERE NOT c.retracted"
)
_OBSERVATIONS = _SELECT.format(attribute="c.attribute_key = w.a")
_OCCURRENCES = _SELECT.format(attribute="c.attribute_key IS NULL")


def twins(
    conn: Connection, wanted: Sequence[tuple[Claim, str]], identity: Identity
) -> dict[str, list[str]]:
    """For each (claim, publisher key), the active claims under other ids with the same
    `fingerprint` (subjects after the aliases of `identity`), by claim id."""
    observed: set[tuple[str, str, int]] = set()
    occurred: set[tuple[str, int]] = set()
    for claim, _ in wanted:
        day = claim.valid.start.earliest.toordinal()
        members = identity.members(subject_key(claim.subject)) if identity.links else None
        for member in members or (subject_key(claim.subject),):
            if claim.attribute is None:
                occurred.add((member, day))
            else:
                observed.add((member, fold_attribute(claim.attribute), day))
    found: dict[tuple[str | None, ...], list[str]] = {}
    for statement, keys, width in (
        (_OBSERVATIONS, sorted(observed), "(s, a, f)"),
        (_OCCURRENCES, sorted(occurred), "(s, f)"),
    ):
        for start in range(0, len(keys), _KEYS):
            for subject, *rest, claim_id in _search(
                conn, statement, width, keys[start : start + _KEYS]
            ):
                found.setdefault((identity.canonical(subject), *rest), []).append(claim_id)
    result = {}
    for claim, key in wanted:
        others = sorted(
            i for i in found.get(fingerprint(claim, key, identity), ()) if i != claim.id
        )
        if others:
            result[claim.id] = others
    return result


def _search(
    conn: Connection, statement: str, columns: str, keys: Sequence[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    mark = "%s" if conn.dialect.name == "postgresql" else "?"
    row = "(" + ", ".join(mark for _ in keys[0]) + ")"
    values = ", ".join(row for _ in keys)
    params = [value for key in keys for value in key]
    return fetch(conn, f"WITH w{columns} AS (VALUES {values}) {statement}", params)
