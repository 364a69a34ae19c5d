"""What the log knows of some claims, read through the `claim_id` index, for a writer to
decide from: every event of each claim, folded, with their articles and every publisher."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from operator import itemgetter

from sqlalchemy import Connection

from tracker.adapters import publishers
from tracker.adapters.bulk import rows_by_keys
from tracker.adapters.logrows import read_claim_entries
from tracker.adapters.tables import RENUMBERING, log
from tracker.domain.canonical import canonical_json
from tracker.domain.events import ClaimAsserted, ClaimCorrected, Event, to_payload
from tracker.domain.fold import Knowledge, apply

_ID_BATCH = 500  # claim ids per query


# Claim ids the log's corrections moved to another id: each with the ids it moved to.
Renumbered = Mapping[str, Collection[str]]


def knowledge_of(
    conn: Connection,
    claim_ids: set[str],
    asserted: Mapping[str, ClaimAsserted],
    renumbered: Callable[[], Renumbered],
) -> Knowledge:
    """What the log knows of these claims, their articles and every publisher.

    Every event of each claim is included, so the fold of this subset gives each of them
    exactly the state a fold of the whole log would; a claim a correction gave another id
    (logs from elsewhere hold such) is read whole, under all its ids: its old ids through
    the corrections read, its later ones through `renumbered` (asked only when a claim the
    log knows is read). The articles and publishers come from their projections, kept in
    step by the writer's appends under the same lock (only the grades decide anything, and
    only warnings and a publisher's first grade depend on them).

    `asserted`: events a caller would append for some of the ids. A claim whose one event in
    the log is such a `claim.asserted`, the same canonical JSON byte for byte, is folded as
    that event without decoding its payload (what a re-import finds for every row).
    """
    events: list[tuple[int, Event]] = []
    wanted, read = set(claim_ids), set[str]()
    while wanted:
        read |= wanted
        found = _log_rows(conn, wanted)
        undecided: list[str] = []
        for claim_id, rows in found.items():
            same = asserted.get(claim_id)
            if same is not None and len(rows) == 1:
                position, kind, payload = rows[0]
                if kind == same.kind and payload == canonical_json(to_payload(same)):
                    events.append((position, same))
                    continue
            undecided.append(claim_id)
        decoded = [(e.position, e.event) for e in read_claim_entries(conn, undecided)]
        events += decoded
        wanted = {
            e.supersedes for _, e in decoded if isinstance(e, ClaimCorrected)
        } - read  # old ids of claims read under a newer one
        if found:
            moved = renumbered()
            wanted |= {new for old in found for new in moved.get(old, ())} - read
    events.sort(key=itemgetter(0))
    knowledge = Knowledge()
    for position, event in events:
        apply(event, knowledge, position)
        knowledge.position = position
    cited = {s.claim.source_id for s in knowledge.claims.values()} - knowledge.sources.keys()
    knowledge.sources.update(publishers.read_articles(conn, cited))
    knowledge.publishers = publishers.read_publishers(conn)
    return knowledge


def renumberings(conn: Connection) -> dict[str, set[str]]:
    """The ids the log's corrections moved claims from, each with the ids moved to: read
    through the partial index `ix_log_renumbering`, which holds just those corrections (and
    any naming its own id escaped: decoded, they are told apart here)."""
    moved: dict[str, set[str]] = {}
    for claim_id, payload in conn.exec_driver_sql(renumbering_query(conn.dialect.name)):
        old = json.loads(payload)["supersedes"]
        if old != claim_id:
            moved.setdefault(old, set()).add(claim_id)
    return moved


def renumbering_query(dialect: str) -> str:
    """SQLite would rather read every correction through `ix_log_kind`: told which index."""
    indexed = " INDEXED BY ix_log_renumbering" if dialect == "sqlite" else ""
    return f"SELECT claim_id, payload FROM log{indexed} WHERE {RENUMBERING[dialect]}"


def _log_rows(
    conn: Connection, claim_ids: Collection[str]
) -> dict[str, list[tuple[int, str, str]]]:
    """(position, kind, payload) of every log row of these claims, by claim id."""
    found: dict[str, list[tuple[int, str, str]]] = {}
    ids = sorted(claim_ids)
    columns = ("position", "claim_id", "kind", "payload")
    for start in range(0, len(ids), _ID_BATCH):
        chunk = ids[start : start + _ID_BATCH]
        for position, claim_id, kind, payload in rows_by_keys(
            conn, log, columns, "claim_id", chunk
        ):
            found.setdefault(claim_id, []).append((int(position), kind, payload))
    return found
