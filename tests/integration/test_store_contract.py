"""The store contract: the SQLite and PostgreSQL stores pass the same tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tracker.adapters.store import Store, new_event_id
from tracker.adapters.writer import Writer
from tracker.db import open_store
from tracker.domain.errors import StoreError
from tracker.domain.events import (
    GENESIS_HASH,
    ClaimAsserted,
    ClaimCorrected,
    ClaimRanked,
    ClaimRetracted,
    Event,
    ImportRecorded,
    LogEntry,
    SourceRegistered,
    chain_hash,
    first_break,
)
from tracker.domain.model import Claim, Source

T0 = datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)

SOURCE = Source(
    id="src:parrot",
    name="New York Parrot",
    url="https://parrot.example/a",
    title="US warns Haftar",
    published="2025-02",
    retrieved="2025-02-20T08:00:00Z",
    reliability="C",
)


class FakeClock:
    """A clock the test sets by hand; it may be moved backwards."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now


def claim(n: int, **changes: Any) -> Claim:
    base = Claim(
        id=f"test:{n}",
        type="military.force_level",
        date="2024-05",
        subject="Russia",
        summary=f"Claim {n}: «Wagner» troops in Libya",
        source_id=SOURCE.id,
        attribute="troops_in_libya",
        value=str(800 + n),
        unit="troops",
        originator="intelligence assessments",
        credibility="3",
    )
    return replace(base, **changes)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[Store]:
    opened = open_store(db_url, clock)
    yield opened
    opened.engine.dispose()


def append(store: Store, events: Sequence[Event]) -> list[LogEntry]:
    with store.writing() as writer:
        return writer.append(events)


def positions(entries: Sequence[LogEntry] | Iterator[LogEntry]) -> list[int]:
    return [entry.position for entry in entries]


def test_a_new_store_is_empty_with_the_genesis_head(store: Store) -> None:
    head = store.head()
    assert (head.position, head.hash, head.recorded_at) == (0, GENESIS_HASH, None)
    assert list(store.entries()) == []
    assert store.count() == 0


def test_positions_start_at_one_and_stay_gapless_across_transactions(
    store: Store, clock: FakeClock
) -> None:
    first = append(store, [SourceRegistered(SOURCE), ClaimAsserted(claim(1))])
    clock.advance(seconds=1)
    second = append(store, [ClaimAsserted(claim(2))])
    clock.advance(seconds=1)
    third = append(
        store, [ClaimAsserted(claim(3)), ClaimAsserted(claim(4)), ClaimRetracted("test:1", "wrong")]
    )
    assert positions(first) == [1, 2]
    assert positions(second) == [3]
    assert positions(third) == [4, 5, 6]
    assert positions(store.entries()) == [1, 2, 3, 4, 5, 6]
    assert store.count() == 6
    assert store.head().position == 6


def test_appends_within_one_transaction_continue_from_each_other(store: Store) -> None:
    with store.writing() as writer:
        assert isinstance(writer, Writer)
        assert writer.position == 0
        writer.append([SourceRegistered(SOURCE)])
        writer.append([ClaimAsserted(claim(1))])
        assert writer.position == 2
        assert positions(writer.entries()) == [1, 2]
    assert positions(store.entries()) == [1, 2]
    assert first_break(store.entries()) is None


def test_an_empty_append_writes_nothing(store: Store) -> None:
    assert append(store, []) == []
    assert store.count() == 0


PARIS_SUMMER = timezone(timedelta(hours=2))


def test_recorded_at_is_utc_aware_and_comes_from_the_injected_clock(
    store: Store, clock: FakeClock
) -> None:
    clock.now = datetime(2025, 3, 1, 14, 30, 5, 250001, tzinfo=PARIS_SUMMER)
    append(store, [SourceRegistered(SOURCE)])
    [stored] = store.entries()
    expected = datetime(2025, 3, 1, 12, 30, 5, 250001, tzinfo=UTC)
    assert stored.recorded_at == expected
    assert stored.recorded_at.utcoffset() == timedelta(0)
    assert stored.recorded_at.isoformat() == "2025-03-01T12:30:05.250001+00:00"
    at_one = store.recorded_at(1)
    assert at_one == expected
    assert at_one is not None and at_one.utcoffset() == timedelta(0)
    assert store.recorded_at(2) is None
    assert store.head().recorded_at == expected


def test_appended_entries_carry_recorded_at_in_utc_like_the_stored_ones(
    store: Store, clock: FakeClock
) -> None:
    clock.now = datetime(2025, 3, 1, 14, 30, 5, 250001, tzinfo=PARIS_SUMMER)
    [appended] = append(store, [SourceRegistered(SOURCE)])
    [stored] = store.entries()
    assert appended.recorded_at.utcoffset() == timedelta(0)
    assert appended == stored


def test_recorded_at_never_decreases_when_the_clock_goes_backwards(
    store: Store, clock: FakeClock
) -> None:
    """Within a minute of drift the last time is kept; further back the write is refused
    (issue 12 item 16: one future reading used to pin every later append to it)."""
    append(store, [SourceRegistered(SOURCE)])
    clock.now = T0 - timedelta(seconds=59)
    [late] = append(store, [ClaimAsserted(claim(1))])
    assert late.recorded_at == T0
    clock.now = T0 - timedelta(hours=1)
    with pytest.raises(StoreError, match="more than a minute before the log's last recorded"):
        append(store, [ClaimAsserted(claim(2))])
    clock.now = T0 + timedelta(minutes=5)
    [later] = append(store, [ClaimAsserted(claim(2))])
    assert later.recorded_at == T0 + timedelta(minutes=5)
    stored = [entry.recorded_at for entry in store.entries()]
    assert stored == [T0, T0, T0 + timedelta(minutes=5)]
    assert first_break(store.entries()) is None


def test_each_hash_chains_to_the_previous_one(store: Store, clock: FakeClock) -> None:
    append(store, [SourceRegistered(SOURCE), ClaimAsserted(claim(1))])
    clock.advance(seconds=3)
    append(store, [ClaimRanked("test:1", "preferred", "best sourced")])
    entries = list(store.entries())
    assert first_break(entries) is None
    previous = GENESIS_HASH
    for entry in entries:
        assert len(entry.hash) == 64
        assert entry.hash == chain_hash(
            previous, entry.position, entry.event_id, entry.recorded_at, entry.kind, entry.payload
        )
        previous = entry.hash
    assert store.head().hash == entries[-1].hash
    assert len({entry.event_id for entry in entries}) == len(entries)


def test_a_changed_entry_breaks_the_chain_at_its_position(store: Store) -> None:
    append(store, [SourceRegistered(SOURCE), ClaimAsserted(claim(1)), ClaimAsserted(claim(2))])
    entries = list(store.entries())
    forged_payload = {
        **entries[1].payload,
        "claim": {**entries[1].payload["claim"], "value": "9999"},
    }
    forged = [entries[0], replace(entries[1], payload=forged_payload), entries[2]]
    assert first_break(forged) == (2, "hash does not match its content and the previous hash")
    assert first_break([entries[0], entries[2]]) == (2, "expected position 2, found 3")


def test_entries_cut_by_upto_and_after(store: Store) -> None:
    append(store, [SourceRegistered(SOURCE), *[ClaimAsserted(claim(n)) for n in range(1, 6)]])
    assert positions(store.entries(upto=3)) == [1, 2, 3]
    assert positions(store.entries(after=3)) == [4, 5, 6]
    assert positions(store.entries(upto=5, after=2)) == [3, 4, 5]
    assert positions(store.entries(upto=0)) == []
    assert positions(store.entries(after=6)) == []
    assert positions(store.entries(upto=99)) == [1, 2, 3, 4, 5, 6]


def test_position_at_is_the_last_position_recorded_by_that_moment(
    store: Store, clock: FakeClock
) -> None:
    append(store, [SourceRegistered(SOURCE), ClaimAsserted(claim(1))])
    t1 = clock.advance(hours=1)
    append(store, [ClaimAsserted(claim(2))])
    t2 = clock.advance(hours=1)
    append(store, [ClaimAsserted(claim(3))])
    assert store.position_at(T0 - timedelta(microseconds=1)) == 0
    assert store.position_at(T0) == 2
    assert store.position_at(t1 - timedelta(microseconds=1)) == 2
    assert store.position_at(t1) == 3
    assert store.position_at(t1 + timedelta(minutes=30)) == 3
    assert store.position_at(t2) == 4
    assert store.position_at(t2 + timedelta(days=365)) == 4
    in_paris = (t1 + timedelta(minutes=30)).astimezone(timezone(timedelta(hours=1)))
    assert store.position_at(in_paris) == 3


def test_a_write_transaction_that_raises_appends_nothing(store: Store) -> None:
    append(store, [SourceRegistered(SOURCE)])
    head = store.head()
    with pytest.raises(RuntimeError, match="halfway"), store.writing() as writer:
        writer.append([ClaimAsserted(claim(1)), ClaimAsserted(claim(2))])
        raise RuntimeError("failed halfway")
    assert store.head() == head
    assert positions(store.entries()) == [1]
    [next_entry] = append(store, [ClaimAsserted(claim(3))])
    assert next_entry.position == 2
    assert first_break(store.entries()) is None


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE log SET kind = 'claim.retracted'",
        "UPDATE log SET payload = '{}' WHERE position = 1",
        "DELETE FROM log",
        "DELETE FROM log WHERE position = 2",
    ],
)
def test_the_database_refuses_updates_and_deletes_on_the_log(store: Store, statement: str) -> None:
    append(store, [SourceRegistered(SOURCE), ClaimAsserted(claim(1))])
    before = list(store.entries())
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.execute(text(statement))
    assert list(store.entries()) == before


def test_postgresql_refuses_truncate_on_the_log(pg_url: str, clock: FakeClock) -> None:
    store = open_store(pg_url, clock)
    try:
        append(store, [SourceRegistered(SOURCE)])
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text("TRUNCATE log"))
        assert store.count() == 1
    finally:
        store.engine.dispose()


def test_payloads_round_trip_as_decoded_events(store: Store) -> None:
    corrected = claim(1, id="test:1b", value="1800", quote="«about 1,800»\nsaid one", unit=None)
    events: list[Event] = [
        SourceRegistered(SOURCE),
        SourceRegistered(Source(id="src:bare", name="Bare")),
        ClaimAsserted(claim(1)),
        ClaimAsserted(
            claim(
                2,
                attribute=None,
                value=None,
                unit=None,
                type="diplomacy.visit",
                date="../2025-02",
                actor="Khalifa Haftar",
                target="Moscow",
            )
        ),
        ClaimCorrected(corrected, "test:1", "the source updated its figure"),
        ClaimRanked("test:1b", "deprecated", "single anonymous source"),
        ClaimRetracted("test:2", "retracted by the outlet"),
        ImportRecorded(
            "feed.csv",
            "ab" * 32,
            {"new": 2, "corrected": 1, "unchanged": 0, "retracted": 1, "rejected": 0},
        ),
    ]
    appended = append(store, events)
    stored = list(store.entries())
    assert [entry.event for entry in stored] == events
    assert [entry.event for entry in appended] == events
    assert [entry.kind for entry in stored] == [event.kind for event in events]
    assert stored == appended


def test_claim_entries_are_the_events_touching_those_claims(store: Store) -> None:
    append(
        store,
        [
            SourceRegistered(SOURCE),
            ClaimAsserted(claim(1)),
            ClaimAsserted(claim(2)),
            ClaimRanked("test:1", "preferred", "better"),
            ClaimRetracted("test:2", "wrong"),
        ],
    )
    assert positions(store.claim_entries(["test:1"])) == [2, 4]
    assert positions(store.claim_entries(["test:2", "test:1"])) == [2, 3, 4, 5]
    assert store.claim_entries(["test:404"]) == []


def test_knowledge_of_sees_what_its_own_transaction_appended(store: Store) -> None:
    other = replace(SOURCE, id="src:other", name="Other Outlet")
    append(store, [SourceRegistered(SOURCE), ClaimAsserted(claim(1)), ClaimAsserted(claim(2))])
    with store.writing() as writer:
        before = writer.knowledge_of({"test:1", "test:3"})
        assert set(before.claims) == {"test:1"}
        assert set(before.sources) == {SOURCE.id}
        corrected = claim(1, value="1800", source_id=other.id)
        writer.append(
            [
                SourceRegistered(other),
                ClaimCorrected(corrected, "test:1", "new figure"),
                ClaimAsserted(claim(3)),
                ClaimRanked("test:3", "preferred", "better"),
                ClaimRetracted("test:2", "wrong"),
            ]
        )
        after = writer.knowledge_of({"test:1", "test:2", "test:3", "test:404"})
    assert after.sources == {SOURCE.id: SOURCE, other.id: other}
    assert after.claims["test:1"].claim == corrected
    assert after.claims["test:1"].position == 2
    assert after.claims["test:2"].retracted
    assert after.claims["test:3"].rank == "preferred"
    assert set(after.claims) == {"test:1", "test:2", "test:3"}
    assert before.sources == {SOURCE.id: SOURCE}  # handed out as a copy


def test_event_ids_are_random_version_4_uuids_written_as_uuid_writes_them() -> None:
    ids = [new_event_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for event_id in ids:
        parsed = uuid.UUID(event_id)
        assert (str(parsed), parsed.version, parsed.variant) == (event_id, 4, uuid.RFC_4122)
    assert {i[19] for i in ids} == set("89ab")  # the variant digit takes all its values
    assert {i[0] for i in ids} == set("0123456789abcdef")
