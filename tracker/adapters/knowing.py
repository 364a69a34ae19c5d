"""What the log knows of some claims, read through the `claim_id` index, for a writer to
decide from: every event of each claim, folded, with their articles and every publisher."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from operator import itemgetter

from sqlalchemy import Connection, select

from tracker.adapters import publishers
from tracker.adapters.bulk import rows_by_keys
from tracker.adapters.logrows import decode_entry
from tracker.adapters.tables import log
from tracker.domain.canonical import canonical_json
from tracker.domain.events import ClaimAsserted, Event, to_payload
from tracker.domain.fold import Knowledge, apply

_ID_BATCH = 500  # claim ids per query


def knowledge_of(
    conn: Connection, claim_ids: set[str], asserted: Mapping[str, ClaimAsserted]
) -> Knowledge:
    """What the log knows of these claims, their articles and every publisher.

    Every event of each claim is included, so the fold of this subset gives each of them
    exactly the state a fold of the whole log would. The articles and publishers come from
    their projections, kept in step by the writer's appends under the same lock (only the
    grades decide anything, and only warnings and a publisher's first grade depend on them).

    `asserted`: events a caller would append for some of the ids. A claim whose one event in
    the log is such a `claim.asserted`, the same canonical JSON byte for byte, is folded as
    that event without decoding its payload (what a re-import finds for every row).
    """
    events: list[tuple[int, Event]] = []
    undecided: list[str] = []
    for claim_id, rows in _log_rows(conn, claim_ids).items():
        same = asserted.get(claim_id)
        if same is not None and len(rows) == 1:
            position, kind, payload = rows[0]
            if kind == same.kind and payload == canonical_json(to_payload(same)):
                events.append((position, same))
                continue
        undecided.append(claim_id)
    for start in range(0, len(undecided), _ID_BATCH):
        batch = select(log).where(log.c.claim_id.in_(undecided[start : start + _ID_BATCH]))
        events += [(e.position, e.event) for e in map(decode_entry, conn.execute(batch))]
    events.sort(key=itemgetter(0))
    knowledge = Knowledge()
    for position, event in events:
        apply(event, knowledge, position)
        knowledge.position = position
    cited = {s.claim.source_id for s in knowledge.claims.values()} - knowledge.sources.keys()
    knowledge.sources.update(publishers.read_articles(conn, cited))
    knowledge.publishers = publishers.read_publishers(conn)
    return knowledge


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
