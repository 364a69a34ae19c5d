"""Narrow questions read what they return (issue 17): `history`, `timeline --subject` and
`info` read through the indexes and the small projections, and say what the whole log says;
`earlier_slots` and `tallies` equal a replay, are rebuilt by `db rebuild` and checked by
`verify`. On SQLite and PostgreSQL."""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from sqlalchemy import select, text

from tracker.adapters import names, projection
from tracker.adapters.store import Store
from tracker.adapters.tables import earlier_slots
from tracker.db import make_engine, open_store, upgrade
from tracker.domain.errors import NotFound, TrackerError
from tracker.domain.events import ClaimAsserted, ClaimCorrected, LogEntry, claim_id_of
from tracker.domain.fold import Knowledge, fold
from tracker.domain.history import HistoryRow, history, timeline
from tracker.domain.identity import fold_attribute
from tracker.domain.model import subject_key
from tracker.services import Tracker, utc_now

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "v0003"
SUBJECTS = ("Russia", "russia ", "Wagner", "Khalifa Haftar", "US/UK talks")
ATTRIBUTES = ("troops_in_libya", "Troops In Libya", "bases")


def fields(rng: random.Random, n: int) -> dict[str, str | None]:
    observation = rng.random() < 0.6
    return {
        "id": f"t:{n:03d}",
        "type": "military.force_level" if observation else "diplomacy.visit",
        "date": rng.choice(("2024", "2024-02", "2024-05~", "2023/..", "../2024-04")),
        "subject": rng.choice(SUBJECTS),
        "attribute": rng.choice(ATTRIBUTES) if observation else None,
        "value": str(rng.choice((800, 1800))) if observation else None,
        "summary": f"claim {n}",
        "source": rng.choice(("New York Parrot", "Example Monitor", "new york parrot")),
        "source_url": f"https://example.org/{n}" if rng.random() < 0.5 else None,
    }


def moving_history(tracker: Tracker, rng: random.Random, steps: int) -> None:
    """Adds, corrections that move claims to other subjects and attributes (and back),
    retractions, reinstatements, rankings and an alias, through the service."""
    ids: list[str] = []
    for n in range(steps):
        if n == steps // 2:
            tracker.alias("Wagner", "Russia", "one entity")
        action = rng.random()
        if not ids or action < 0.4:
            ids.append(tracker.add(fields(rng, n)).claim_id)
            continue
        target = rng.choice(ids)
        state = fold(tracker.store.entries()).claims[target]
        if state.retracted:
            tracker.reinstate(target, "confirmed after all")
        elif action < 0.75:
            changed: dict[str, str | None] = {"subject": rng.choice(SUBJECTS)}
            if state.claim.attribute is not None:
                changed["attribute"] = rng.choice(ATTRIBUTES)
            changed["summary"] = f"corrected {n}"
            tracker.correct(target, "moved", changed)
        elif action < 0.85:
            rank = "deprecated" if state.rank != "deprecated" else "preferred"
            tracker.rank(target, rank, "judged")
        else:
            tracker.retract(target, "withdrawn")


def correct_under_another_id(store: Store, old_id: str, new_id: str, subject: str) -> None:
    """A claim.corrected that gives the claim another id (the fold allows it; logs from
    elsewhere may hold one)."""
    state = fold(store.entries()).claims[old_id]
    claim = state.claim.__class__(**{**vars(state.claim), "id": new_id, "subject": subject})
    with store.writing() as writer:
        writer.append([ClaimCorrected(claim, old_id, "renumbered")])


def targets(store: Store, knowledge: Knowledge) -> list[str]:
    """Every claim id (those replaced under another id too), every subject as written and
    re-spelled, every slot, and some misses."""
    found = {claim_id_of(e.event) or "" for e in store.entries()} - {""}
    for state in knowledge.claims.values():
        claim = state.claim
        found |= {claim.subject, claim.subject.upper(), f" {claim.subject}  "}
        if claim.attribute is not None:
            found |= {f"{claim.subject}/{claim.attribute}", f"{claim.subject}/bases"}
    return sorted(found | {"Nobody", "US", "US/UK", "Russia/", "Russia/nothing", "t:0"})


def expected_history(store: Store, target: str) -> list[HistoryRow] | None:
    """History as the whole log gives it: every entry decoded, the identity folded."""
    identity = fold(store.entries()).identity
    rows = history(store.entries(), target.strip(), identity=identity)
    return rows or None


def told(tracker: Tracker, target: str) -> list[HistoryRow] | None:
    try:
        return tracker.history(target)
    except NotFound:
        return None


def assert_history_as_the_whole_log_says(tracker: Tracker) -> None:
    store = tracker.store
    knowledge = fold(store.entries())
    assert store.touching("anything") is not None  # the narrow read is the one tested
    for target in targets(store, knowledge):
        expected = expected_history(store, target)
        if expected is None:  # an unknown target, or a prefix `history` resolves
            continue
        assert told(tracker, target) == expected, target


def replayed_earlier_slots(entries: Iterator[LogEntry]) -> set[tuple[str, str, str]]:
    """What `earlier_slots` should hold, by a replay written apart from the store's."""
    latest: dict[str, tuple[str, str, str]] = {}
    found = set()
    for entry in entries:
        event = entry.event
        if isinstance(event, ClaimAsserted | ClaimCorrected):
            claim = event.claim
            slot = (subject_key(claim.subject), fold_attribute(claim.attribute or ""), claim.id)
            if isinstance(event, ClaimCorrected):
                old = latest.pop(event.supersedes)
                if old != slot:
                    found.add(old)
            latest[claim.id] = slot
    return found


def stored_earlier_slots(store: Store) -> set[tuple[str, str, str]]:
    with store.engine.connect() as conn:
        return {tuple(row) for row in conn.execute(select(earlier_slots))}  # type: ignore[misc]


def active_count(store: Store) -> int:
    return sum(1 for s in fold(store.entries()).claims.values() if s.active)


@pytest.fixture
def moved(tracker: Tracker) -> Tracker:
    moving_history(tracker, random.Random(17), 70)
    correct_under_another_id(tracker.store, "t:000", "t:000-renumbered", "Khalifa Haftar")
    return tracker


def test_earlier_slots_and_the_count_equal_a_replay_of_the_log(moved: Tracker) -> None:
    store = moved.store
    slots = replayed_earlier_slots(store.entries())
    assert len(slots) > 10  # the history moved claims, so the table is tested with rows
    assert any(s[2] == "t:000" for s in slots)  # a renumbered claim leaves its old id's slot
    assert stored_earlier_slots(store) == slots
    assert moved.info().claims == active_count(store)
    assert moved.info().claims < len(fold(store.entries()).claims)  # some are retracted


def test_db_rebuild_gives_the_tables_the_appends_built(moved: Tracker) -> None:
    store = moved.store
    before, info = stored_earlier_slots(store), moved.info()
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM earlier_slots"))
        conn.execute(text("UPDATE tallies SET value = 0"))
    assert moved.info().claims == 0  # the tally is what `info` reads
    moved.rebuild()
    assert stored_earlier_slots(store) == before
    assert moved.info() == info
    assert moved.verify() == store.head().position


@pytest.mark.parametrize(
    "damage, what",
    [
        ("UPDATE tallies SET value = value + 1", "count of active claims"),
        ("DELETE FROM tallies", "count of active claims"),
        ("DELETE FROM earlier_slots WHERE claim_id = 't:000'", "corrected away from"),
        (
            "INSERT INTO earlier_slots (subject_key, attribute_key, claim_id) "
            "VALUES ('nobody', '', 't:001')",
            "corrected away from",
        ),
    ],
)
def test_verify_finds_damaged_narrow_tables(moved: Tracker, damage: str, what: str) -> None:
    with moved.store.engine.begin() as conn:
        conn.execute(text(damage))
    with pytest.raises(TrackerError, match=what):
        moved.verify()
    moved.rebuild()
    assert moved.verify() == moved.store.head().position


def test_history_read_by_index_says_what_the_whole_log_says(moved: Tracker) -> None:
    assert_history_as_the_whole_log_says(moved)
    # A claim corrected away from a subject still shows under it, through `earlier_slots`.
    for subject, _, claim_id in stored_earlier_slots(moved.store):
        assert claim_id in {r.claim for r in moved.history(subject)}


def test_history_of_a_claim_prefix_and_of_nothing(moved: Tracker) -> None:
    assert moved.history("t:000-ren") == moved.history("t:000-renumbered")
    with pytest.raises(NotFound):
        moved.history("Nobody at all")


def test_timeline_of_a_subject_reads_its_claims_as_the_whole_knowledge_gives_them(
    moved: Tracker,
) -> None:
    knowledge = fold(moved.store.entries())
    for subject in ("Russia", "WAGNER", "Khalifa Haftar", "US/UK talks", "Nobody"):
        states, known = moved.timeline(subject, None, None, None)
        assert states == timeline(knowledge, subject), subject
        assert len(known.claims) < len(knowledge.claims)  # only the subject's were read
        for state in states:
            assert known.source_of(state.claim) == knowledge.source_of(state.claim)
            key = subject_key(state.claim.subject)
            assert known.identity.shown([key]) == knowledge.identity.shown([key])


@contextmanager
def whole_reads_refused(store: Store) -> Iterator[None]:
    """Fail any read of the whole log, of every claim state or of every subject name."""
    entries, states, read_identity = store.entries, projection.states, names.read_identity

    def no_whole_log(upto: int | None = None, after: int = 0) -> Any:
        assert after == store.head().position, "the whole log was read"
        return entries(upto, after)

    def no_every_state(conn: Any, where: Any = None, known: Any = None, keys: Any = None) -> Any:
        assert keys is not None, "every claim state was read"
        return states(conn, where, known, keys)

    def no_every_name(conn: Any, keys: Any = None) -> Any:
        assert keys is not None, "every subject name was read"
        return read_identity(conn, keys)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store, "entries", no_whole_log)
        patch.setattr(projection, "states", no_every_state)
        patch.setattr(names, "read_identity", no_every_name)
        yield


def test_narrow_questions_never_read_the_whole_log_nor_every_name(moved: Tracker) -> None:
    with whole_reads_refused(moved.store):
        moved.history("t:003")
        moved.history("Russia")
        moved.history("Russia/troops_in_libya")
        moved.timeline("Russia", None, None, None)
        moved.show("2025-01", None, "Russia")
        assert moved.unmatched_subject("russia") is None
        moved.info()
        moved.add(
            {
                "type": "diplomacy.visit",
                "date": "2025-01",
                "subject": "Russia",
                "summary": "A visit.",
                "source": "Example Monitor",
            }
        )
        moved.correct("t:003", "fixed", {"summary": "corrected once more"})


def test_a_new_subject_is_still_compared_with_every_known_name(moved: Tracker) -> None:
    added = moved.add(
        {
            "type": "diplomacy.visit",
            "date": "2025-01",
            "subject": "Khalifa Hafter",
            "summary": "A visit.",
            "source": "Example Monitor",
        }
    )
    assert any("resembles 'Khalifa Haftar'" in w for w in added.warnings)


def test_history_of_the_seed_reads_by_index_as_the_whole_log_says(
    tracker: Tracker, seed_file: Path
) -> None:
    tracker.import_paths([str(seed_file)])
    assert_history_as_the_whole_log_says(tracker)


def test_history_of_the_0003_log_reads_by_index_as_the_whole_log_says(
    tracker: Tracker, frozen: FrozenDateTimeFactory
) -> None:
    frozen.move_to("2026-12-01T00:00:00Z")  # the fixture was recorded on 2026-11-29
    assert tracker.restore(FIXTURE / "tracker.log.jsonl") == 43
    assert_history_as_the_whole_log_says(tracker)
    assert tracker.info().claims == active_count(tracker.store)


def test_history_of_the_upgraded_0003_database_reads_by_index_as_the_whole_log_says(
    tmp_path: Path, frozen: FrozenDateTimeFactory
) -> None:
    frozen.move_to("2026-12-01T00:00:00Z")
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    shutil.copyfile(FIXTURE / "tracker.db", tmp_path / "tracker.db")
    engine = make_engine(url)
    upgrade(engine)  # as `tracker db upgrade`: the projections rebuilt from the log
    engine.dispose()
    store = open_store(url, utc_now)
    upgraded = Tracker(store, utc_now)
    assert_history_as_the_whole_log_says(upgraded)
    assert upgraded.info().claims == active_count(store)
    assert stored_earlier_slots(store) == replayed_earlier_slots(store.entries())
