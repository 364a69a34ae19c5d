"""Writers racing on one database: threads and processes, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tracker.adapters.tables import SCHEMA_REVISION
from tracker.db import current_revision, open_store
from tracker.domain.events import ClaimAsserted, SourceRegistered
from tracker.services import Tracker

WORKERS = 4
APPENDS = 15
T1 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return T1


def claim_fields(worker: str, n: int) -> dict[str, str | None]:
    return {
        "type": "diplomacy.visit",
        "date": "2024-05-14",
        "subject": f"Envoy {worker}",
        "summary": f"Visit number {n} by envoy {worker}",
        "source": "New York Parrot",
        "reliability": "C",
    }


# A child process: say it is ready, wait for the go line on stdin, open the store and append
# through Tracker.add, print what was acknowledged as JSON; an error exits non-zero.
CHILD = """
import json, sys
from datetime import UTC, datetime
from tracker.db import open_store
from tracker.domain.dates import parse_date
from tracker.services import Tracker

url, worker, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
clock = lambda: datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
parse_date("2024-05-14")  # loads the date parser now, so that the appends start together
print("ready", flush=True)
sys.stdin.readline()
store = open_store(url, clock)
tracker = Tracker(store, clock)
acked = []
for n in range(count):
    added = tracker.add({"type": "diplomacy.visit", "date": "2024-05-14",
                         "subject": f"Envoy {worker}",
                         "summary": f"Visit number {n} by envoy {worker}",
                         "source": "New York Parrot", "reliability": "C"})
    acked.append([added.claim_id, added.position, added.appended])
store.engine.dispose()
print(json.dumps(acked))
"""


def run_all(target: Callable[[int], None], count: int) -> None:
    """Run target(0..count-1) in threads at once and wait for all of them."""
    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)


def run_threads(url: str, worker_names: list[str]) -> tuple[list[tuple[str, int]], list[str]]:
    """Append from one thread per worker name, started together; (acknowledged, errors)."""
    store = open_store(url, fixed_clock)
    tracker = Tracker(store, fixed_clock)
    start = threading.Barrier(len(worker_names))
    acked: list[tuple[str, int]] = []
    errors: list[str] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        worker = worker_names[index]
        start.wait()
        for n in range(APPENDS):
            try:
                added = tracker.add(claim_fields(worker, n))
            except Exception as error:  # any failure is what this test reports
                with lock:
                    errors.append(f"{type(error).__name__}: {error}")
                continue
            with lock:
                if added.appended:
                    acked.append((added.claim_id, added.position))
                else:
                    errors.append(f"{added.claim_id} acknowledged but not appended")

    try:
        run_all(work, len(worker_names))
    finally:
        store.engine.dispose()
    return acked, errors


def start_processes(url: str, worker_names: list[str]) -> list[subprocess.Popen[str]]:
    """One child per worker name, each waiting at the start line until `release`."""
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, url, name, str(APPENDS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in worker_names
    ]
    for child in children:
        assert child.stdout is not None
        assert child.stdout.readline() == "ready\n"
    return children


def release(children: list[subprocess.Popen[str]]) -> None:
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()


def collect(children: list[subprocess.Popen[str]]) -> tuple[list[tuple[str, int]], list[str]]:
    acked: list[tuple[str, int]] = []
    errors: list[str] = []
    for child in children:
        out, err = child.communicate(timeout=60)
        if child.returncode != 0:
            lines = err.strip().splitlines() or [f"exit {child.returncode}"]
            errors.append(lines[-1])
            continue
        if err.strip():
            errors.append(err.strip())
        for claim_id, position, appended in json.loads(out):
            if appended:
                acked.append((claim_id, position))
            else:
                errors.append(f"{claim_id} acknowledged but not appended")
    return acked, errors


def assert_one_consistent_log(url: str, acked: list[tuple[str, int]], expected: int) -> None:
    """Gapless positions; every acknowledged claim once, at the position it was given."""
    store = open_store(url, fixed_clock)
    try:
        entries = list(store.entries())
        total = Tracker(store, fixed_clock).verify()
    finally:
        store.engine.dispose()
    assert len(acked) == expected
    assert total == len(entries) == expected  # the claims, each citing its article
    assert [entry.position for entry in entries] == list(range(1, total + 1))
    assert [type(entry.event) for entry in entries].count(SourceRegistered) == 0
    logged = {
        entry.event.claim.id: entry.position
        for entry in entries
        if isinstance(entry.event, ClaimAsserted)
    }
    assert logged == dict(acked)
    assert len(set(logged.values())) == expected


@pytest.fixture
def created(db_url: str) -> str:
    """The database, created before the writers start (creation races are tested apart)."""
    open_store(db_url, fixed_clock).engine.dispose()
    return db_url


def test_threads_appending_at_once_give_one_gapless_verified_log(created: str) -> None:
    acked, errors = run_threads(created, [f"t{n}" for n in range(WORKERS)])
    assert errors == []
    assert_one_consistent_log(created, acked, WORKERS * APPENDS)


def test_processes_appending_at_once_give_one_gapless_verified_log(created: str) -> None:
    children = start_processes(created, [f"p{n}" for n in range(WORKERS)])
    release(children)
    acked, errors = collect(children)
    assert errors == []
    assert_one_consistent_log(created, acked, WORKERS * APPENDS)


def test_threads_and_processes_appending_together_lose_nothing(created: str) -> None:
    children = start_processes(created, ["p0", "p1"])
    release(children)
    thread_acked, thread_errors = run_threads(created, ["t0", "t1"])
    child_acked, child_errors = collect(children)
    assert thread_errors == child_errors == []
    assert not any("locked" in error for error in thread_errors + child_errors)
    assert_one_consistent_log(created, thread_acked + child_acked, WORKERS * APPENDS)


def test_processes_opening_a_blank_database_at_once_all_get_the_same_schema(db_url: str) -> None:
    children = start_processes(db_url, [f"p{n}" for n in range(WORKERS)])
    release(children)
    acked, errors = collect(children)
    assert errors == []
    assert_one_consistent_log(db_url, acked, WORKERS * APPENDS)


def test_an_identical_add_racing_with_itself_is_appended_once(created: str) -> None:
    store = open_store(created, fixed_clock)
    tracker = Tracker(store, fixed_clock)
    start = threading.Barrier(WORKERS)
    results: list[tuple[str, int, bool]] = []

    def same_add(_: int) -> None:
        start.wait()
        added = tracker.add(claim_fields("same", 0))
        results.append((added.claim_id, added.position, added.appended))

    run_all(same_add, WORKERS)
    store.engine.dispose()
    assert sorted(appended for _, _, appended in results) == [False, False, False, True]
    assert {(claim_id, position) for claim_id, position, _ in results} == {(results[0][0], 1)}
    assert_one_consistent_log(created, [(results[0][0], 1)], 1)


def test_a_blank_sqlite_file_being_written_by_another_process_is_waited_for(tmp_path: Path) -> None:
    """First use while another writer holds the file: wait for it, do not fail as locked.

    The other writer here is a plain sqlite3 connection that holds the write lock for a
    moment and then gives up; a tracker creating the schema must queue behind it.
    """
    path = tmp_path / "blank.db"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("CREATE TABLE scratch (x)")
    give_up = threading.Timer(0.3, other.execute, args=("ROLLBACK",))
    give_up.start()
    try:
        store = open_store(f"sqlite:///{path}", fixed_clock)
    finally:
        give_up.join()
        other.close()
    try:
        assert current_revision(store.engine) == SCHEMA_REVISION
        assert store.head().position == 0
    finally:
        store.engine.dispose()
