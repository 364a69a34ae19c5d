"""Crash mid-write: `tracker import` killed with SIGKILL at random moments leaves no partial file.

Each trial starts a child `python -m tracker --db URL import big.csv` on a fresh database (the
child creates it, so kills also land in the schema migration), kills it at a moment drawn from
a seeded `random.Random` within the measured length of one clean import, then checks that the
database opens, `tracker verify` passes, the log holds none or all of the file, and that
re-running the import gives exactly the log of a clean import. Figures go to a JSON file.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from reliability_support import Databases, report
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from tracker.adapters.tables import log
from tracker.cli import cli
from tracker.db import open_store
from tracker.domain.fold import fold
from tracker.domain.model import Claim
from tracker.services import utc_now

ROWS = 5_000
TRIALS = 20
SEED = 20_261_123
SOURCES = 5
OUTCOMES = (
    "kills that landed",
    "imports done before the kill",
    "found none of the file",
    "found all of the file",
    "found part of the file",
)


def write_big_file(path: Path, rows: int) -> Path:
    lines = ["id,type,date,subject,attribute,value,unit,summary,source,reliability"]
    for row in range(rows):
        lines.append(
            f"big:{row},military.force_level,2024-{row % 12 + 1:02d},Subject {row % 97},"
            f"troops,{row * 7},troops,Row {row} of the big feed.,Source {row % SOURCES},C"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def invoke(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", url, *args])


def claims_and_kinds(url: str) -> tuple[dict[str, Claim], Counter[str], list[int]]:
    store = open_store(url, utc_now)
    try:
        entries = list(store.entries())
    finally:
        store.engine.dispose()
    claims = {key: state.claim for key, state in fold(entries).claims.items()}
    return claims, Counter(e.kind for e in entries), [e.position for e in entries]


def asserted_count(url: str) -> int:
    store = open_store(url, utc_now)
    try:
        with store.engine.connect() as conn:
            query = select(func.count()).select_from(log).where(log.c.kind == "claim.asserted")
            return int(conn.execute(query).scalar() or 0)
    finally:
        store.engine.dispose()


def sqlite_path(url: str) -> Path:
    return Path(make_url(url).database or "")


def run_child(url: str, feed: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", "--db", url, "import", str(feed)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_an_import_killed_at_random_moments_leaves_none_or_all_of_its_file(
    db_url: str, tmp_path: Path
) -> None:
    databases = Databases(db_url, tmp_path, "crash")
    feed = write_big_file(tmp_path / "big.csv", ROWS)
    figures: dict[str, Any] = {"backend": databases.backend, "rows": ROWS, "seed": SEED}
    problems: list[str] = []
    try:
        durations: dict[bool, float] = {}
        for created in (False, True):
            reference = databases.fresh(f"reference_{created}")
            if created:
                open_store(reference, utc_now).engine.dispose()
            started = time.monotonic()
            clean = run_child(reference, feed)
            _, clean_err = clean.communicate(timeout=300)
            durations[created] = time.monotonic() - started
            assert clean.returncode == 0, clean_err.decode()
        expected_claims, expected_kinds, _ = claims_and_kinds(reference)
        assert expected_kinds["claim.asserted"] == ROWS
        figures["clean_import_seconds"] = {
            "into a blank database (creates the schema)": round(durations[False], 2),
            "into an existing empty database": round(durations[True], 2),
        }

        rnd = random.Random(SEED)
        outcomes: Counter[str] = Counter(dict.fromkeys(OUTCOMES, 0))
        for trial in range(TRIALS):
            # Odd trials run on a database created beforehand, so every kill lands in the
            # import itself; even ones on a blank database, so kills also hit the migration.
            created = trial % 2 == 1
            url = databases.fresh(f"trial{trial}")
            if created:
                open_store(url, utc_now).engine.dispose()
            kill_at = rnd.uniform(0, durations[created])
            child = run_child(url, feed)
            time.sleep(kill_at)
            landed = child.poll() is None
            if landed:
                os.kill(child.pid, signal.SIGKILL)
            _, err = child.communicate(timeout=300)
            outcomes["kills that landed" if landed else "imports done before the kill"] += 1
            if not landed and child.returncode != 0:
                problems.append(f"trial {trial}: the child failed on its own: {err.decode()}")
            if databases.settle(url):
                outcomes["server session still busy after the kill"] += 1
            if databases.backend == "sqlite":
                path = sqlite_path(url)
                if Path(f"{path}-journal").exists():
                    outcomes["hot journal left (killed while writing pages)"] += 1
            problems.extend(check_trial(trial, url, feed, outcomes))
            final_claims, final_kinds, positions = claims_and_kinds(url)
            if (final_claims, final_kinds) != (expected_claims, expected_kinds):
                problems.append(f"trial {trial}: the re-run import differs from a clean import")
            if positions != list(range(1, len(positions) + 1)):
                problems.append(f"trial {trial}: positions are not gapless")
        figures["trials"] = TRIALS
        figures["outcomes"] = dict(outcomes)
        figures["problems"] = problems
    finally:
        report(f"crash_{databases.backend}", figures)
        if databases.backend == "postgresql":
            databases.drop_all()
    assert problems == []
    # Kills are drawn over a clean import's whole time, so some land after the commit; on a
    # loaded machine a trial may also outrun the clean import (a CI run saw 11 of 20 finish
    # first). A quarter landing still makes the trials a test of killing.
    assert outcomes["kills that landed"] >= TRIALS // 4


def check_trial(trial: int, url: str, feed: Path, outcomes: Counter[str]) -> list[str]:
    """The database after one kill: opens, verifies, holds none or all; the re-run completes."""
    problems = []
    # The tracker opens it first: rolling back a hot journal is its job, not this probe's.
    verified = invoke(url, "verify")
    if verified.stderr.startswith("Error: no database at "):
        # Killed before the schema was committed: a read says so and creates nothing (SPEC
        # §11); the re-run import below creates it.
        outcomes["no database yet (killed before the schema was made)"] += 1
    elif verified.exit_code != 0 or verified.exception is not None:
        problems.append(f"trial {trial}: verify after the kill: {verified.output!r}")
    if url.startswith("sqlite") and sqlite_path(url).exists():
        conn = sqlite3.connect(sqlite_path(url))
        try:
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
        if integrity != "ok":
            problems.append(f"trial {trial}: integrity_check says {integrity}")
    found = asserted_count(url)
    if found == 0:
        outcomes["found none of the file"] += 1
    elif found == ROWS:
        outcomes["found all of the file"] += 1
    else:
        outcomes["found part of the file"] += 1
        problems.append(f"trial {trial}: {found} of {ROWS} claims visible after the kill")
    again = invoke(url, "import", str(feed))
    expected_new = ROWS - found
    summary = f"{feed}: {expected_new} new, 0 corrected, {found} unchanged, 0 retracted, 0 rejected"
    if again.exit_code != 0 or again.stderr.strip() != summary:
        problems.append(f"trial {trial}: re-run import said {again.stderr!r} ({again.exit_code})")
    if invoke(url, "verify").exit_code != 0:
        problems.append(f"trial {trial}: verify fails after the re-run import")
    return problems
