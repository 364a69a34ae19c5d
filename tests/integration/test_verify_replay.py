"""`verify` replays the log a batch at a time, its claim states and articles kept in temporary
tables (`adapters.replay`), instead of folding the whole log in memory: it must find every
difference the full fold found and name the same first one. Checked against that full fold
(kept here as the oracle) on SQLite and PostgreSQL, with batches of three entries, so claims,
corrections and their articles span batches."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, func, insert, select, text, update

from tracker.adapters import auditing, names, projection, publishers, replay, search
from tracker.adapters.logrows import read_entries
from tracker.adapters.store import Store
from tracker.adapters.tables import articles, claims
from tracker.adapters.tables import publishers as publisher_table
from tracker.domain.events import ClaimCorrected
from tracker.domain.fold import Knowledge, fold
from tracker.domain.model import publisher_key
from tracker.services import Tracker


def full_fold_mismatch(store: Store) -> str | None:
    """The check as `verify` made it before it streamed: the whole log folded in memory and
    compared with whole tables (articles with their derived publisher key too)."""
    with store.engine.connect() as conn:
        knowledge = fold(read_entries(conn, None, 0))
        folded = {i: projection.expected(s) for i, s in knowledge.claims.items()}
        columns = [claims.c[name] for name in projection.ROW]
        rows = {row[0]: tuple(row) for row in conn.execute(select(*columns))}
        if knowledge.publishers != publishers.read_publishers(conn):
            return "the publishers differ from the log"
        if _articles(knowledge) != _stored_articles(conn):
            return "the articles differ from the log"
        if folded != rows:
            claim = min(i for i in folded.keys() | rows.keys() if folded.get(i) != rows.get(i))
            return f"claim {claim!r} differs from the log"
        if search.count(conn) != len(rows):
            return f"the search index holds {search.count(conn)} claims of {len(rows)}"
        stored = names.read_identity(conn)
    for what in ("spellings", "attributes", "links", "distinct"):
        if getattr(knowledge.identity, what) != getattr(stored, what):
            return f"the subject names ({what}) differ from the log"
    return None


def _articles(knowledge: Knowledge) -> dict[str, tuple[Any, ...]]:
    return {i: (*vars(s).values(), publisher_key(s.name)) for i, s in knowledge.sources.items()}


def _stored_articles(conn: Connection) -> dict[str, tuple[Any, ...]]:
    names_ = ("id", "name", "url", "title", "published", "retrieved", "reliability")
    query = select(*(articles.c[n] for n in (*names_, "publisher_key")))
    return {row[0]: tuple(row) for row in conn.execute(query)}


def history(tracker: Tracker, seed_file: Path, rng: random.Random) -> None:
    """The seed, then claims on a few subjects, corrections (one to another id, as a restored
    log may hold), retractions, a reinstatement, ranks, a grade, an alias and a distinction."""
    tracker.import_paths([str(seed_file)])
    ids = []
    for n in range(24):
        observation = n % 2 == 0
        fields: dict[str, str | None] = {
            "id": f"r:{n:02d}",
            "type": "military.force_level" if observation else "diplomacy.visit",
            "date": rng.choice(("2024-02", "2024-05", "2024-03/2024-09", "2025")),
            "subject": rng.choice(("Wagner", "Haftar", "wagner ", "GNU")),
            "attribute": "troops_in_libya" if observation else None,
            "value": str(rng.choice((800, 1800))) if observation else None,
            "summary": f"claim {n}",
            "source": rng.choice(("New York Parrot", "Wire", "Desk")),
            "source_url": f"https://example.org/{n}",
        }
        ids.append(tracker.add(fields).claim_id)
    tracker.correct(ids[2], "typo", {"value": "900"})
    tracker.correct(ids[3], "typo", {"summary": "claim 3, corrected"})
    tracker.retract(ids[4], "withdrawn")
    tracker.retract(ids[5], "withdrawn")
    tracker.reinstate(ids[5], "confirmed")
    tracker.rank(ids[6], "deprecated", "judged")
    tracker.rank(ids[8], "preferred", "judged")
    tracker.grade("Wire", "B", "judged")
    tracker.alias("Wagner Group", "Wagner", "same outfit")
    tracker.distinct("Wagner", "Haftar", "different")
    state = fold(tracker.store.entries()).claims[ids[10]]
    moved = type(state.claim)(**{**vars(state.claim), "id": "r:moved"})
    with tracker.store.writing() as writer:
        writer.append([ClaimCorrected(moved, ids[10], "renumbered")])
    tracker.rank(ids[12], "deprecated", "judged")


def first_id(conn: Connection, table: Any, column: str = "id") -> Any:
    return conn.execute(select(func.min(table.c[column]))).scalar()


def copy_claim(conn: Connection) -> None:
    row = conn.execute(select(claims).where(claims.c.id == first_id(conn, claims))).one()
    conn.execute(insert(claims).values({**row._asdict(), "id": "zz:extra", "position": 10**6}))


def flip_grade(conn: Connection) -> None:
    key = first_id(conn, publisher_table, "key")
    grade = conn.execute(select(publisher_table.c.grade).where(publisher_table.c.key == key))
    new = "A" if grade.scalar() != "A" else "B"
    conn.execute(update(publisher_table).where(publisher_table.c.key == key).values(grade=new))


def unindex_one(conn: Connection) -> None:
    search.unindex(conn, int(conn.execute(select(func.max(claims.c.position))).scalar() or 0))


def sql(statement: str) -> Callable[[Connection], None]:
    return lambda conn: conn.execute(text(statement)) and None


DAMAGES: dict[str, Callable[[Connection], None]] = {
    "a claim's text": sql("UPDATE claims SET summary = 'x' WHERE id = 'r:00'"),
    "a derived day": sql("UPDATE claims SET first_day = first_day + 1 WHERE id = 'r:13'"),
    "a derived key": sql("UPDATE claims SET subject_key = 'nobody' WHERE id = 'r:07'"),
    "a retraction": sql("UPDATE claims SET retracted = NOT retracted WHERE id = 'r:05'"),
    "a rank": sql("UPDATE claims SET rank = 'normal' WHERE id = 'r:06'"),
    "the renumbered claim": sql("UPDATE claims SET summary = 'x' WHERE id = 'r:moved'"),
    "a missing claim": sql("DELETE FROM claims WHERE id = (SELECT MAX(id) FROM claims)"),
    "an extra claim": copy_claim,
    "an article's title": sql(
        "UPDATE articles SET title = 'x' WHERE id = (SELECT MIN(id) FROM articles)"
    ),
    "an article's publisher key": sql(
        "UPDATE articles SET publisher_key = 'x' WHERE id = (SELECT MAX(id) FROM articles)"
    ),
    "a missing article": sql("DELETE FROM articles WHERE id = (SELECT MAX(id) FROM articles)"),
    "a publisher's grade": flip_grade,
    "a subject's spelling": sql(
        "UPDATE subjects SET spelling = spelling || 'x' WHERE key = (SELECT MIN(key) FROM subjects)"
    ),
    "an alias": sql("DELETE FROM aliases"),
    "a distinction": sql("DELETE FROM distinctions"),
    "the search index": unindex_one,
}


@pytest.fixture
def replayed(tracker: Tracker, seed_file: Path, monkeypatch: pytest.MonkeyPatch) -> Tracker:
    monkeypatch.setattr(auditing, "_BATCH", 3)
    history(tracker, seed_file, random.Random(17))
    return tracker


def test_an_intact_projection_matches_the_replay(replayed: Tracker) -> None:
    assert full_fold_mismatch(replayed.store) is None
    assert replayed.store.audit().mismatch is None
    assert replayed.verify() == replayed.store.head().position


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_the_replay_names_the_difference_the_full_fold_names(
    replayed: Tracker, damage: str
) -> None:
    with replayed.store.engine.begin() as conn:
        DAMAGES[damage](conn)
    expected = full_fold_mismatch(replayed.store)
    assert expected is not None
    assert replayed.store.audit().mismatch == expected
    replayed.rebuild()
    assert replayed.store.audit().mismatch is None


def test_the_replay_holds_a_batch_of_claims_at_a_time(
    replayed: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    held: list[int] = []
    folding = replay.fold

    def watched(entries: Any, knowledge: Knowledge) -> Knowledge:
        held.append(len(knowledge.claims))
        return folding(entries, knowledge)

    monkeypatch.setattr(replay, "fold", watched)
    assert replayed.store.audit().mismatch is None
    # Three entries touch at most six claims (a correction touches two ids).
    assert len(held) > 10 and max(held) <= 6


def test_a_second_audit_on_the_pooled_connection_starts_from_empty_tables(
    replayed: Tracker,
) -> None:
    first = replayed.store.audit()
    with replayed.store.engine.begin() as conn:
        DAMAGES["a missing claim"](conn)
    second = replayed.store.audit()
    assert first.mismatch is None and second.mismatch == full_fold_mismatch(replayed.store)
