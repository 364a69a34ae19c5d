"""Concurrent writers: processes mixing `add`, `import`, `correct` (and `verify`) through the CLI.

Four workers, each a thread here that runs its own seeded list of `python -m tracker ...`
commands one after the other, all against one database, started together. Afterwards: the
positions are gapless, the chain verifies, every acknowledged write (exit 0, with the claim id
and position it printed) is in the log exactly once, and stderr never holds a traceback, a
"database is locked", or anything but one `Error: …` line on failure. Figures go to JSON.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from reliability_support import report
from sqlalchemy.engine import make_url

from tracker.cli import cli
from tracker.db import open_store
from tracker.domain.events import LogEntry
from tracker.services import utc_now

WORKERS = 4
OPS = 6
BASE = 6
POOL = 60
ROWS_PER_FILE = 15
SEED = 5
KINDS = ("add", "add", "import", "import", "correct", "correct", "verify")
HEADER = "id,type,date,subject,attribute,value,unit,summary,source,reliability"
SUMMARY = re.compile(
    r"^(?P<path>.+): (?P<new>\d+) new, (?P<corrected>\d+) corrected, (?P<unchanged>\d+) "
    r"unchanged, (?P<retracted>\d+) retracted, (?P<rejected>\d+) rejected$"
)


def pool_row(k: int) -> str:
    """Row k of the shared feed: the same content in every file that carries it."""
    return (
        f"feed:{k},military.force_level,2024-{k % 12 + 1:02d},Feed subject {k % 9},troops,"
        f"{k * 10},troops,Feed row {k}.,Shared Feed,B"
    )


@dataclass
class Command:
    worker: int
    number: int
    kind: str
    args: list[str]
    claim_id: str | None = None
    value: str | None = None
    rows: list[str] = field(default_factory=list)
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""


def plan(worker: int, folder: Path, rnd: random.Random) -> list[Command]:
    commands = []
    for number in range(OPS):
        kind = rnd.choice(KINDS)
        if kind == "add":
            claim_id = f"add:w{worker}:{number}"
            args = [
                "add",
                "--id",
                claim_id,
                "--type",
                "diplomacy.meeting",
                "--date",
                f"2025-{number % 12 + 1:02d}",
                "--subject",
                f"Worker {worker}",
                "--summary",
                f"Meeting {number} of worker {worker}.",
                "--source",
                f"Worker {worker} Wire",
            ]
            commands.append(Command(worker, number, kind, args, claim_id=claim_id))
        elif kind == "import":
            picked = sorted(rnd.sample(range(POOL), ROWS_PER_FILE))
            path = folder / f"w{worker}_op{number}.csv"
            path.write_text("\n".join([HEADER, *map(pool_row, picked)]) + "\n", encoding="utf-8")
            rows = [f"feed:{k}" for k in picked]
            commands.append(Command(worker, number, kind, ["import", str(path)], rows=rows))
        elif kind == "correct":
            claim_id = f"base:{rnd.randrange(BASE)}"
            value = str(1000 * (worker + 1) + number)
            args = ["correct", claim_id, "--reason", f"worker {worker} op {number}"]
            args += ["--value", value]
            commands.append(Command(worker, number, kind, args, claim_id=claim_id, value=value))
        else:
            commands.append(Command(worker, number, kind, ["verify"]))
    return commands


def base_file(folder: Path) -> Path:
    path = folder / "base.csv"
    rows = [
        f"base:{k},military.force_level,2024-05,Base {k},troops,100,troops,Base {k}.,Base Feed,A"
        for k in range(BASE)
    ]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def run_workers(url: str, work: list[list[Command]]) -> None:
    start = threading.Barrier(len(work))
    failures: list[BaseException] = []

    def run(commands: list[Command]) -> None:
        try:
            start.wait()
            for command in commands:
                done = subprocess.run(
                    [sys.executable, "-m", "tracker", "--db", url, *command.args],
                    capture_output=True,
                    text=True,
                    timeout=300,
                )
                command.exit_code = done.returncode
                command.stdout, command.stderr = done.stdout, done.stderr
        except BaseException as error:  # reported by the test, not lost in the thread
            failures.append(error)

    threads = [threading.Thread(target=run, args=(commands,)) for commands in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def stderr_problem(command: Command) -> str | None:
    """What is wrong with a command's stderr, if anything."""
    err = command.stderr
    lines = err.splitlines()
    if "Traceback" in err or "locked" in err.lower():
        return f"{command.args[0]} w{command.worker} op{command.number}: stderr {err!r}"
    if command.exit_code != 0:
        if len(lines) != 1 or not lines[0].startswith("Error: "):
            return f"{command.args[0]} w{command.worker} op{command.number}: stderr {err!r}"
        return None
    if command.kind == "import":
        if len(lines) != 1 or not SUMMARY.match(lines[0]):
            return f"import w{command.worker} op{command.number}: stderr {err!r}"
        return None
    if err:
        return f"{command.kind} w{command.worker} op{command.number}: stderr {err!r}"
    return None


def check(entries: list[LogEntry], commands: list[Command]) -> dict[str, Any]:
    """Compare the log with what was acknowledged; the figures, with every problem found."""
    problems: list[str] = []
    by_position = {e.position: e for e in entries}
    asserted = Counter(e.payload["claim"]["id"] for e in entries if e.kind == "claim.asserted")
    corrected = Counter(
        (e.payload["claim"]["id"], e.payload["claim"]["value"])
        for e in entries
        if e.kind == "claim.corrected"
    )
    recorded = Counter(e.payload["name"] for e in entries if e.kind == "import.recorded")
    acknowledged = found = 0
    import_rows: set[str] = set()
    new_total = 0
    for command in commands:
        problem = stderr_problem(command)
        if problem:
            problems.append(problem)
        if command.exit_code != 0:
            continue
        if command.kind == "add":
            acknowledged += 1
            match = re.fullmatch(r"(\S+) recorded at log position (\d+)\n", command.stdout)
            entry = by_position.get(int(match.group(2))) if match else None
            if (
                match
                and match.group(1) == command.claim_id
                and entry is not None
                and entry.kind == "claim.asserted"
                and entry.payload["claim"]["id"] == command.claim_id
                and asserted[command.claim_id] == 1
            ):
                found += 1
            else:
                problems.append(f"add {command.claim_id}: said {command.stdout!r}, log disagrees")
        elif command.kind == "correct":
            acknowledged += 1
            match = re.fullmatch(r"(\S+) corrected at log position (\d+)\n", command.stdout)
            entry = by_position.get(int(match.group(2))) if match else None
            if (
                match
                and entry is not None
                and entry.kind == "claim.corrected"
                and entry.payload["claim"]["id"] == command.claim_id
                and entry.payload["claim"]["value"] == command.value
                and corrected[(command.claim_id, command.value)] == 1
            ):
                found += 1
            else:
                problems.append(
                    f"correct {command.claim_id}={command.value}: said {command.stdout!r}, "
                    "log disagrees"
                )
        elif command.kind == "import":
            summary = SUMMARY.match(command.stderr.strip())
            new = int(summary.group("new")) if summary else -1
            new_total += max(new, 0)
            import_rows.update(command.rows)
            name = Path(command.args[1]).name
            if recorded[name] != (1 if new > 0 else 0):
                problems.append(f"import {name}: {new} new, {recorded[name]} import.recorded")
    acknowledged += len(import_rows)
    found += sum(1 for claim_id in import_rows if asserted[claim_id] == 1)
    missing_rows = sorted(claim_id for claim_id in import_rows if asserted[claim_id] == 0)
    if missing_rows:
        problems.append(f"imported rows missing from the log: {missing_rows}")
    if new_total != len(import_rows):
        problems.append(f"imports said {new_total} new in all, for {len(import_rows)} rows")
    duplicates = sum(n - 1 for n in asserted.values() if n > 1)
    duplicates += sum(n - 1 for n in corrected.values() if n > 1)
    if duplicates:
        problems.append(f"{duplicates} duplicated claims or corrections")
    positions = [e.position for e in entries]
    if positions != list(range(1, len(positions) + 1)):
        problems.append("positions are not gapless")
    return {
        "writes acknowledged": acknowledged,
        "writes found": found,
        "duplicates": duplicates,
        "import rows acknowledged": len(import_rows),
        "events in the log": len(entries),
        "problems": problems,
    }


def test_writers_mixing_add_import_and_correct_lose_and_duplicate_nothing(
    db_url: str, tmp_path: Path
) -> None:
    backend = make_url(db_url).get_backend_name()
    setup = CliRunner().invoke(cli, ["--db", db_url, "import", str(base_file(tmp_path))])
    assert setup.exit_code == 0, setup.output
    rnd = random.Random(SEED)
    work = [plan(worker, tmp_path, rnd) for worker in range(WORKERS)]
    commands = [command for commands in work for command in commands]
    figures: dict[str, Any] = {"backend": backend, "workers": WORKERS, "seed": SEED}
    try:
        run_workers(db_url, work)
        verified = CliRunner().invoke(cli, ["--db", db_url, "verify"])
        store = open_store(db_url, utc_now)
        try:
            entries = list(store.entries())
        finally:
            store.engine.dispose()
        figures.update(check(entries, commands))
        outputs = [c.stdout + c.stderr for c in commands]
        figures["commands run"] = dict(Counter(c.kind for c in commands))
        figures["commands acknowledged (exit 0)"] = sum(1 for c in commands if c.exit_code == 0)
        figures["commands failed"] = [
            f"{c.kind}: {c.exit_code}: {c.stderr.strip()}" for c in commands if c.exit_code
        ]
        figures["tracebacks seen"] = sum(1 for out in outputs if "Traceback" in out)
        figures["'database is locked' seen"] = sum(1 for out in outputs if "locked" in out)
        figures["chain breaks"] = 0 if verified.exit_code == 0 else verified.stderr.strip()
    finally:
        report(f"writers_{backend}", figures)
    assert verified.exit_code == 0, verified.stderr
    assert figures["problems"] == []
    assert figures["writes found"] == figures["writes acknowledged"] > 0
    assert figures["commands failed"] == []
