"""Tampering that an intact chain cannot show, and that nothing may launder.

Deleting the newest events leaves a shorter chain that is intact: the claims projection (still
at the old head) and anchors kept outside the database are the witnesses. No writer and no
`db rebuild` may erase that evidence (issue 12, item 6). Columns the hash does not cover but
readers trust (`log.claim_id`, every column of `claims`, the projection's position) are
checked by `verify` (item 7), and `db rebuild` repairs a damaged projection, even one whose
position row was deleted (item 19). Each attack runs on both backends.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from freezegun.api import FrozenDateTimeFactory
from reliability_support import report
from sqlalchemy import Connection, Engine, delete, func, select, text, update
from test_tampering import build, head, unguard

from tracker.adapters.tables import claims, log, projection
from tracker.cli import cli
from tracker.services import Tracker

FINDINGS: dict[str, list[dict[str, Any]]] = {}


def run(engine: Engine, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", engine.url.render_as_string(False), *args])


def one_error(result: Result, exit_code: int = 1) -> str:
    """The one `Error:` line of a failed command (no traceback)."""
    assert result.exit_code == exit_code, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), lines
    return lines[0]


def note(engine: Engine, case: str, result: Result) -> None:
    backend = engine.dialect.name
    FINDINGS.setdefault(backend, []).append(
        {"case": case, "exit": result.exit_code, "stderr": result.stderr.strip()[:200]}
    )
    report(f"laundering_{backend}", {"cases": FINDINGS[backend]}, show=False)


@pytest.fixture
def unguarded(tracker: Tracker, frozen: FrozenDateTimeFactory, seed_file: Path) -> Iterator[Engine]:
    engine = unguard(build(tracker, frozen, seed_file).store.engine)
    yield engine
    engine.dispose()


def anchor(engine: Engine) -> str:
    data = json.loads(run(engine, "info", "--format", "json").stdout)
    assert set(data) == {
        "database",
        "revision",
        "events",
        "claims",
        "sources",
        "position",
        "head_hash",
        "last_recorded_at",
    }
    return f"{data['position']}:{data['head_hash']}"


def log_rows(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(log).order_by(log.c.position))]


def projection_rows(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(select(claims).order_by(claims.c.id))]
        return rows + [tuple(r) for r in conn.execute(select(projection))]


def cut_log(conn: Connection, keep: int) -> None:
    conn.execute(delete(log).where(log.c.position > keep))


ADD = [
    "add",
    "--type",
    "diplomacy.visit",
    "--date",
    "2024-06",
    "--subject",
    "Haftar",
    "--summary",
    "Visit.",
    "--source",
    "Laundry",
    "--id",
    "laundry:1",
]
WRITES: dict[str, list[str]] = {
    "add": ADD,
    "correct": ["correct", "tamper:0", "--reason", "r", "--value", "999"],
    "retract": ["retract", "tamper:0", "--reason", "r"],
    "rank": ["rank", "tamper:0", "preferred", "--reason", "r"],
    "db rebuild": ["db", "rebuild"],
}


@pytest.mark.parametrize("deleted", [1, 2, 7])
def test_deleting_the_newest_events_is_refused_by_every_writer_and_by_rebuild(
    unguarded: Engine, deleted: int, tmp_path: Path, seed_file: Path
) -> None:
    last = head(unguarded)
    with unguarded.begin() as conn:
        cut_log(conn, last - deleted)
    log_before, projection_before = log_rows(unguarded), projection_rows(unguarded)
    feed = tmp_path / "feed.csv"
    feed.write_text(seed_file.read_text().replace("2025-02", "2025-03"))
    for name, args in [*WRITES.items(), ("import", ["import", str(feed)])]:
        result = run(unguarded, *args)
        note(unguarded, f"{deleted} newest deleted, then {name}", result)
        assert one_error(result) == (
            f"Error: the log ends at position {last - deleted} but its claims projection "
            f"reflects position {last}: events were deleted from the log; "
            + (
                "rebuilding the projection would hide that: run `tracker verify`; to go on "
                "with the shorter log, `tracker export log` and `tracker restore` it into a "
                "new database"
                if name == "db rebuild"
                else "nothing was written: run `tracker verify`"
            )
        ), name
        assert log_rows(unguarded) == log_before, name
        assert projection_rows(unguarded) == projection_before, name
    result = run(unguarded, "verify")
    assert one_error(result) == (
        f"Error: the log is broken: the log ends at position {last - deleted} but its claims "
        f"projection reflects position {last}: events were deleted from the log"
    )
    # Reading still answers, from the log itself.
    assert run(unguarded, "show", "--as-of", "2025-03-01").exit_code == 0


Laundering = Callable[[Engine, int], None]


def cut_and_reset_projection(engine: Engine, keep: int) -> None:
    """The newest events deleted, the projection's position set back to the new head and the
    projection rebuilt by `db rebuild`: nothing in the database shows the deletion."""
    with engine.begin() as conn:
        cut_log(conn, keep)
        conn.execute(update(projection).values(position=0))
    assert run(engine, "db", "rebuild").exit_code == 0


def cut_and_delete_projection_row(engine: Engine, keep: int) -> None:
    with engine.begin() as conn:
        cut_log(conn, keep)
        conn.execute(delete(projection))
    assert run(engine, "db", "rebuild").exit_code == 0


def cut_and_write_again(engine: Engine, keep: int) -> None:
    """The deletion laundered, then a new event appended at a deleted position."""
    cut_and_reset_projection(engine, keep)
    for n in range(3):  # past the old head, however many events one `add` appends
        assert run(engine, *ADD[:-1], f"laundry:{n}").exit_code == 0


LAUNDERINGS: dict[str, Laundering] = {
    "projection position set back, rebuilt": cut_and_reset_projection,
    "projection row deleted, rebuilt": cut_and_delete_projection_row,
    "laundered, then a new event at a deleted position": cut_and_write_again,
}


@pytest.mark.parametrize("case", list(LAUNDERINGS))
def test_an_anchor_kept_outside_catches_a_deletion_the_database_no_longer_shows(
    unguarded: Engine, case: str
) -> None:
    early, late = "3:" + log_rows(unguarded)[2][-1], anchor(unguarded)
    last = head(unguarded)
    assert run(unguarded, "verify", "--anchor", early, "--anchor", late).exit_code == 0
    LAUNDERINGS[case](unguarded, last - 2)
    assert run(unguarded, "verify").exit_code == 0  # the database alone cannot tell
    assert run(unguarded, "verify", "--anchor", early).exit_code == 0
    result = run(unguarded, "verify", "--anchor", early, "--anchor", late)
    note(unguarded, f"anchor after: {case}", result)
    line = one_error(result)
    assert line.startswith(f"Error: the log is broken at position {last}: "), line
    if "new event" in case:
        assert "not the anchored" in line and "the log was rewritten" in line
    else:
        assert "past the end of the log" in line and "events were deleted" in line


@pytest.mark.parametrize(
    "value",
    ["3", "3:", ":" + "a" * 64, "0:" + "a" * 64, "x:" + "a" * 64, "3:" + "a" * 63, "3:" + "g" * 64],
)
def test_a_malformed_anchor_is_a_usage_error(unguarded: Engine, value: str) -> None:
    result = run(unguarded, "verify", "--anchor", value)
    assert result.exit_code == 2
    assert "--anchor" in result.stderr and "POSITION:HASH" in result.stderr


# Columns readers trust that the chain does not cover: each edit must fail `verify`.
def first_of(conn: Connection, kind: str) -> int:
    return int(conn.execute(select(func.min(log.c.position)).where(log.c.kind == kind)).scalar())


LOG_EDITS: dict[str, dict[str, Any]] = {
    "claim_id nulled": {"claim_id": None},
    "claim_id pointing at another claim": {"claim_id": "tamper:0"},
}


@pytest.mark.parametrize("kind", ["claim.asserted", "claim.corrected", "claim.retracted"])
@pytest.mark.parametrize("edit", list(LOG_EDITS))
def test_verify_checks_the_log_columns_the_hash_does_not_cover(
    unguarded: Engine, kind: str, edit: str
) -> None:
    if kind == "claim.retracted":
        assert run(unguarded, "retract", "tamper:2", "--reason", "wrong").exit_code == 0
    with unguarded.begin() as conn:
        position = first_of(conn, kind)
        conn.execute(update(log).where(log.c.position == position).values(LOG_EDITS[edit]))
    result = run(unguarded, "verify")
    note(unguarded, f"log {edit} on {kind}", result)
    assert one_error(result) == (
        f"Error: the log is broken at position {position}: its claim_id column does not "
        "match its payload"
    )


def claims_column_edits() -> dict[str, Callable[[Connection], None]]:
    """One edit per column of `claims`, on one row: each changes what some reader sees."""
    target = claims.c.id == "tamper:0"
    values: dict[str, Any] = {
        "position": 999,
        "retracted": True,
        "rank": "preferred",
        "subject_key": "nobody",
        "first_day": 1,
        "last_day": 1,
        "end_day": 800000,
        "type": "diplomacy.visit",
        "date": "2020",
        "subject": "Nobody",
        "summary": "Changed.",
        "source_id": "src:0000000000000000",
        "attribute": "other",
        "attribute_key": "other",
        "value": "1",
        "unit": "men",
        "actor": "a",
        "target": "t",
        "place": "p",
        "quote": "q",
        "originator": "o",
        "credibility": "1",
    }
    edits = {
        f"claims.{name} changed": (
            lambda conn, name=name, value=value: conn.execute(
                update(claims).where(target).values({name: value})
            )
        )
        for name, value in values.items()
    }
    edits["claims.id changed"] = lambda conn: conn.execute(
        update(claims).where(target).values(id="tamper:9")
    )
    edits["claims row deleted"] = lambda conn: conn.execute(delete(claims).where(target))
    names = ", ".join(c.name for c in claims.columns)
    copied = ", ".join("'extra:1'" if c.name == "id" else c.name for c in claims.columns)
    edits["claims row added"] = lambda conn: conn.execute(
        text(f"INSERT INTO claims ({names}) SELECT {copied} FROM claims WHERE id = 'tamper:0'")
    )
    edits["projection row deleted"] = lambda conn: conn.execute(delete(projection))
    edits["projection position set back"] = lambda conn: conn.execute(
        update(projection).values(position=3)
    )
    return edits


CLAIMS_EDITS = claims_column_edits()


@pytest.mark.parametrize("edit", list(CLAIMS_EDITS))
def test_verify_checks_every_projection_column_and_rebuild_repairs_it(
    unguarded: Engine, edit: str
) -> None:
    before = projection_rows(unguarded)
    with unguarded.begin() as conn:
        CLAIMS_EDITS[edit](conn)
    result = run(unguarded, "verify")
    note(unguarded, edit, result)
    assert one_error(result).startswith(
        "Error: the log is intact but the claims projection does not match it ("
    )
    assert result.stderr.endswith("): run `tracker db rebuild`\n")
    rebuilt = run(unguarded, "db", "rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert run(unguarded, "verify").exit_code == 0
    assert projection_rows(unguarded) == before
