"""Tampering: with the append-only triggers off, any edit to the log makes `tracker verify` fail.

The log is built through the tracker (the seed article, then claims added and corrected at
later times). Each case drops (SQLite) or disables (PostgreSQL) the triggers, edits the table
directly, and expects `tracker verify` to exit 1 with one `Error:` line naming the first bad
position; putting the row back makes it pass again. With the triggers in place, UPDATE,
DELETE (and TRUNCATE on PostgreSQL) are refused. Figures go to a JSON file.
"""

from __future__ import annotations

import gc
import json
import re
import warnings
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from freezegun.api import FrozenDateTimeFactory
from reliability_support import report
from sqlalchemy import Connection, Engine, func, select, text, update
from sqlalchemy.exc import DBAPIError

from tracker.adapters.tables import log
from tracker.cli import cli
from tracker.db import open_store
from tracker.domain.errors import StoreError
from tracker.services import Tracker, utc_now

SEEN: dict[str, list[dict[str, Any]]] = {}


def record(backend: str, case: str, result: Result, expected: int, right: bool) -> None:
    """Keep what verify said for each case; the file is rewritten after every case."""
    SEEN.setdefault(backend, []).append(
        {
            "case": case,
            "expected first bad position": expected,
            "detected at that position": right,
            "exit": result.exit_code,
            "stderr": result.stderr.strip()[-300:],
            "traceback": result.exception is not None
            and not isinstance(result.exception, SystemExit),
        }
    )
    cases = SEEN[backend]
    report(
        f"tampering_{backend}",
        {
            "cases run": len(cases),
            "detected at the right position": sum(
                1 for c in cases if c["detected at that position"]
            ),
            "tracebacks seen": sum(1 for c in cases if c["traceback"]),
            "cases": cases,
        },
        show=False,
    )
    print(f"\n{backend}: {case}: exit {result.exit_code}: {result.stderr.strip()[:120]}")


def build(tracker: Tracker, frozen: FrozenDateTimeFactory, seed_file: Path) -> Tracker:
    """A log of about twenty events recorded at four different moments."""
    tracker.import_paths([str(seed_file)])
    for n in range(3):
        frozen.tick(timedelta(hours=1))
        tracker.add(
            {
                "type": "military.force_level",
                "date": f"2024-0{n + 4}",
                "subject": "Russia",
                "attribute": "troops_in_libya",
                "value": str(800 + 500 * n),
                "summary": f"Troop estimate {n}.",
                "source": "New York Parrot",
                "id": f"tamper:{n}",
            }
        )
    frozen.tick(timedelta(hours=1))
    tracker.correct("tamper:1", "typo", {"value": "1400"})
    return tracker


@pytest.fixture
def built(tracker: Tracker, frozen: FrozenDateTimeFactory, seed_file: Path) -> Tracker:
    return build(tracker, frozen, seed_file)


def unguard(engine: Engine) -> Engine:
    """The append-only triggers off: dropped on SQLite, disabled on PostgreSQL."""
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER log_no_update"))
            conn.execute(text("DROP TRIGGER log_no_delete"))
        else:
            conn.execute(text("ALTER TABLE log DISABLE TRIGGER USER"))
    return engine


@pytest.fixture
def unguarded(built: Tracker) -> Iterator[Engine]:
    """The engine of the built log, with its append-only triggers off."""
    yield unguard(built.store.engine)
    built.store.engine.dispose()


def verify(engine: Engine) -> Result:
    return CliRunner().invoke(cli, ["--db", engine.url.render_as_string(False), "verify"])


def head(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.max(log.c.position))).scalar() or 0)


def row(conn: Connection, position: int) -> dict[str, Any]:
    found = conn.execute(select(log).where(log.c.position == position)).mappings().one()
    return dict(found)


def set_payload(conn: Connection, position: int, payload: str) -> None:
    # Raw SQL: the payload column is text, and the point is to write any text at all.
    conn.execute(
        text("UPDATE log SET payload = :payload WHERE position = :position"),
        {"payload": payload, "position": position},
    )


def flip_value_byte(payload: str) -> str:
    """One byte of the first string value changed; the payload stays valid JSON."""
    index = payload.index(':"') + 2
    old = payload[index]
    new = "7" if old.isdigit() and old != "7" else "Q" if old != "Q" else "R"
    changed = payload[:index] + new + payload[index + 1 :]
    json.loads(changed)
    return changed


def break_json_byte(payload: str) -> str:
    """The closing brace changed: one byte, and the payload is no longer JSON."""
    return payload[:-1] + ")"


Tamper = Callable[[Connection, int, int], int]


def payload_byte(conn: Connection, position: int, _last: int) -> int:
    set_payload(conn, position, flip_value_byte(row(conn, position)["payload"]))
    return position


def payload_json_byte(conn: Connection, position: int, _last: int) -> int:
    set_payload(conn, position, break_json_byte(row(conn, position)["payload"]))
    return position


def recorded_later(conn: Connection, position: int, _last: int) -> int:
    moment = row(conn, position)["recorded_at"] + timedelta(seconds=1)
    conn.execute(update(log).where(log.c.position == position).values(recorded_at=moment))
    return position


def recorded_earlier(conn: Connection, position: int, _last: int) -> int:
    moment = row(conn, position)["recorded_at"] - timedelta(microseconds=1)
    conn.execute(update(log).where(log.c.position == position).values(recorded_at=moment))
    return position


def recorded_not_a_time(conn: Connection, position: int, _last: int) -> int:
    """SQLite only: PostgreSQL's timestamptz column cannot hold text that is not a time."""
    conn.execute(
        text("UPDATE log SET recorded_at = 'yesterday' WHERE position = :p"), {"p": position}
    )
    return position


def deleted(conn: Connection, position: int, _last: int) -> int:
    conn.execute(log.delete().where(log.c.position == position))
    return position


def swapped(conn: Connection, position: int, last: int) -> int:
    other = last if position != last else 1
    first, second = sorted((position, other))
    conn.execute(update(log).where(log.c.position == first).values(position=-1))
    conn.execute(update(log).where(log.c.position == second).values(position=first))
    conn.execute(update(log).where(log.c.position == -1).values(position=second))
    return first


def hash_byte(conn: Connection, position: int, _last: int) -> int:
    digest = row(conn, position)["hash"]
    new = ("0" if digest[0] != "0" else "1") + digest[1:]
    conn.execute(update(log).where(log.c.position == position).values(hash=new))
    return position


def event_id_byte(conn: Connection, position: int, _last: int) -> int:
    event_id = row(conn, position)["event_id"]
    new = ("0" if event_id[0] != "0" else "1") + event_id[1:]
    conn.execute(update(log).where(log.c.position == position).values(event_id=new))
    return position


def two_edits(conn: Connection, position: int, last: int) -> int:
    """An edit far down the log and one before it: verify names the earlier one."""
    payload_byte(conn, last, last)
    return recorded_later(conn, position, last)


TAMPERS: dict[str, Tamper] = {
    "payload byte (still JSON)": payload_byte,
    "payload byte (no longer JSON)": payload_json_byte,
    "recorded_at one second later": recorded_later,
    "recorded_at one microsecond earlier": recorded_earlier,
    "row deleted": deleted,
    "two positions swapped": swapped,
    "hash byte": hash_byte,
    "event_id byte": event_id_byte,
    "two edits": two_edits,
}
# Where in the log each edit goes: the first event, one in the middle, the newest. Deleting
# the newest event (or editing it after an earlier edit) is moved to the middle: removing the
# head leaves a shorter chain that is intact, which no self-contained chain can tell (see
# RELIABILITY.md).
WHERE = ("first", "middle", "last")


def place(case: str, where: str, last: int) -> int:
    if case in ("row deleted", "two edits") and where == "last":
        where = "middle"
    return {"first": 1, "middle": last // 2, "last": last}[where]


def verify_quietly(engine: Engine) -> Result:
    """`tracker verify` in-process, with ResourceWarning ignored as a real `tracker` run does.

    Its unclosed PostgreSQL cursor is a test of its own, below.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        result = verify(engine)
        gc.collect()
    return result


@pytest.mark.parametrize("case", list(TAMPERS))
def test_verify_names_the_first_tampered_position(unguarded: Engine, case: str) -> None:
    assert tamper_everywhere(unguarded, case, TAMPERS[case]) == []


def test_verify_names_a_recorded_at_that_is_not_a_time_on_sqlite(
    sqlite_url: str, frozen: FrozenDateTimeFactory, seed_file: Path
) -> None:
    tracker = build(Tracker(open_store(sqlite_url, utc_now), utc_now), frozen, seed_file)
    try:
        engine = unguard(tracker.store.engine)
        case = "recorded_at replaced by text that is not a time"
        assert tamper_everywhere(engine, case, recorded_not_a_time) == []
    finally:
        tracker.store.engine.dispose()


def tamper_everywhere(unguarded: Engine, case: str, tamper: Tamper) -> list[str]:
    """Apply one kind of edit at each place in turn; what verify got wrong, if anything."""
    last = head(unguarded)
    with unguarded.connect() as conn:
        original = [dict(r) for r in conn.execute(select(log)).mappings()]
    wrong = []
    for where in WHERE:
        with unguarded.begin() as conn:
            expected = tamper(conn, place(case, where, last), last)
        result = verify_quietly(unguarded)
        lines = result.stderr.splitlines()
        named = re.findall(r"position (\d+)", lines[0])[:1] if len(lines) == 1 else []
        right = (
            result.exit_code == 1
            and isinstance(result.exception, SystemExit)
            and lines[0].startswith("Error: ")
            and named == [str(expected)]
        )
        record(unguarded.dialect.name, f"{case} at the {where} position", result, expected, right)
        if not right:
            wrong.append(f"{where}: exit {result.exit_code}, {result.exception!r}, {lines}")
        with unguarded.begin() as conn:
            conn.execute(log.delete())
            conn.execute(log.insert(), original)
        assert verify_quietly(unguarded).exit_code == 0
    return wrong


def test_verify_of_a_tampered_log_closes_its_database_cursor(unguarded: Engine) -> None:
    with unguarded.begin() as conn:
        hash_byte(conn, 3, head(unguarded))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = verify(unguarded)
        gc.collect()
    assert result.exit_code == 1
    assert [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)] == []


def test_the_database_refuses_update_and_delete_on_the_log(built: Tracker) -> None:
    engine = built.store.engine
    before = built.store.count()
    statements = [
        "UPDATE log SET kind = 'claim.retracted' WHERE position = 3",
        "UPDATE log SET payload = '{}'",
        "DELETE FROM log WHERE position = 1",
        "DELETE FROM log",
    ]
    if engine.dialect.name == "postgresql":
        statements.append("TRUNCATE log")
    refused = []
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
        refused.append(statement)
    with pytest.raises(StoreError, match="append-only"), built.store.writing() as writer:
        writer.conn.execute(update(log).values(hash="0" * 64))
    report(
        f"tampering_triggers_{engine.dialect.name}",
        {"statements refused": [*refused, "UPDATE through the store's writer"]},
    )
    assert built.store.count() == before
    assert built.verify() == before


def test_deleting_the_newest_events_is_caught_by_the_projection(unguarded: Engine) -> None:
    """The chain of a log cut short is intact; the projection still reflects the old head."""
    last = head(unguarded)
    with unguarded.begin() as conn:
        conn.execute(log.delete().where(log.c.position > last - 2))
    result = verify_quietly(unguarded)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: the log is broken: the log ends at position {last - 2} but its claims "
        f"projection reflects position {last}: events were deleted from the log\n"
    )
