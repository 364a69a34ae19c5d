"""What `history` reads for one target, through the indexes: the events of the claims that
can touch it (by the claim id index, `claims`' slot index and `earlier_slots`), the
judgements about names, the articles those claims cite and the aliases in force."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from tracker.adapters import names, publishers, standing
from tracker.adapters.logrows import read_claim_entries, read_judgements
from tracker.domain.events import ClaimAsserted, ClaimCorrected, LogEntry, claim_id_of
from tracker.domain.identity import Identity, fold_attribute
from tracker.domain.model import Source, subject_key


@dataclass(frozen=True)
class Touching:
    """What `history` reads for one target: entries in position order, the articles their
    claims cite (as first recorded), the aliases in force."""

    entries: list[LogEntry]
    articles: dict[str, Source]
    identity: Identity


def touching(conn: Connection, target: str) -> Touching:
    """The entries `domain.history.history` needs to answer for `target` as the whole log
    does, with the projection at the head of the log.

    A claim id's own events; else the events of every claim any revision of which was about
    the subject (or slot; or about the whole target as a subject, which may hold a slash), and
    the judgements about names. With the events of any claim a correction among them replaced
    under another id, whose last revision the correction's changes are told against.
    """
    entries = read_claim_entries(conn, [target])
    if not entries:
        ids = set[str]()
        for subject, attribute in _readings(target):
            keys = names.members(conn, subject_key(subject))
            ids |= standing.claims_about(conn, keys, attribute)
        entries = read_claim_entries(conn, sorted(ids)) + read_judgements(conn)
    entries = _with_replaced(conn, entries)
    cited = {
        e.event.claim.source_id
        for e in entries
        if isinstance(e.event, ClaimAsserted | ClaimCorrected)
    }
    return Touching(entries, publishers.read_articles(conn, cited), names.read_identity(conn, ()))


def _readings(target: str) -> list[tuple[str, str | None]]:
    """The (subject, attribute key or None) that `history` may read `target` as: SUBJECT,
    or SUBJECT/ATTRIBUTE and, as a subject may hold a slash, the whole target as a subject."""
    if "/" not in target:
        return [(target, None)]
    subject, _, attribute = target.rpartition("/")
    return [(subject, fold_attribute(attribute) or None), (target, None)]


def _with_replaced(conn: Connection, entries: list[LogEntry]) -> list[LogEntry]:
    """`entries` and the events of the claims their corrections replaced under other ids
    (and so on), in position order."""
    read = {claim_id_of(e.event) for e in entries}
    while True:
        replaced = {
            e.event.supersedes for e in entries if isinstance(e.event, ClaimCorrected)
        } - read
        if not replaced:
            return sorted(entries, key=lambda e: e.position)
        entries = entries + read_claim_entries(conn, sorted(replaced))
        read |= replaced
