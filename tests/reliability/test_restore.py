"""Restore: `export log` then `restore` reproduces the log and every answer; a killed restore
leaves an empty or a complete database, never a partial one.

The round trip builds a log on SQLite through the CLI on a moving frozen clock (the seed
article, observations that conflict, corrections, a retraction, ranks, a re-import), restores
its export into an empty database (SQLite and PostgreSQL), and compares the export byte for
byte and the JSON of `show` at every log position and several valid dates, `diff` in both
senses, `timeline` and `history`. The interrupted restore kills a child
`python -m tracker --db URL restore big.jsonl` at seeded random moments. Figures go to JSON.
"""

from __future__ import annotations

import itertools
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from freezegun.api import FrozenDateTimeFactory
from reliability_support import Databases, report
from sqlalchemy.engine import make_url

from tracker.cli import cli
from tracker.db import open_store
from tracker.services import Tracker, utc_now

AS_OF = ("2024-02", "2024-05-15", "2024-09", "2025-02-28", "2026")
BIG_ROWS = 3_000
TRIALS = 10
SEED = 7


def invoke(url: str, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--db", url, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def ok(url: str, *args: str) -> str:
    result = invoke(url, *args)
    assert result.exit_code == 0, (args, result.stderr)
    return result.stdout


def add(url: str, **fields: str) -> str:
    """`tracker add` with the given fields; the claim id it printed."""
    args = ["add"]
    for name, value in fields.items():
        args += [f"--{name.replace('_', '-')}", value]
    return ok(url, *args).split()[0]


def build_rich_log(url: str, frozen: FrozenDateTimeFactory, seed_file: Path, tmp: Path) -> None:
    ok(url, "import", str(seed_file))
    frozen.tick(timedelta(days=1))
    troops = {
        "type": "military.force_level",
        "subject": "Wagner",
        "attribute": "fighters_in_libya",
        "unit": "fighters",
    }
    a = add(url, **troops, date="2024-02", value="1,200", summary="Early count.", source="A")
    add(url, **troops, date="2024-05", value="2000", summary="A count.", source="B")
    c = add(url, **troops, date="2024-05", value="2500", summary="Another count.", source="C")
    add(
        url,
        type="military.facility_present",
        subject="Wagner",
        attribute="base_at_jufra",
        value="yes",
        date="2024-02/2024-08",
        summary="Held the base for a while.",
        source="D",
    )
    visit = add(
        url,
        type="diplomacy.visit",
        subject="Khalifa Haftar",
        date="../2025-02",
        summary='=HYPERLINK("x") visited, by February.',
        quote="@SUM(A1) said the envoy",
        source="Robert'); DROP TABLE log;--",
        reliability="B",
        credibility="2",
    )
    frozen.tick(timedelta(hours=5))
    ok(url, "correct", a, "--reason", "misread", "--value", "1,300")
    ok(url, "rank", c, "preferred", "--reason", "better source")
    frozen.tick(timedelta(days=2))
    ok(url, "retract", visit, "--reason", "withdrawn by the outlet")
    feed = tmp / "later.csv"
    feed.write_text(
        "id,type,date,subject,attribute,value,summary,source\n"
        "later:1,military.force_level,2024-09~,Wagner,fighters_in_libya,900,Later.,E\n"
        "later:2,statement.warning,2024-08,\u0397aftar,,,Confusable subject.,E\n",
        encoding="utf-8",
    )
    ok(url, "import", str(feed))
    frozen.tick(timedelta(minutes=3))
    feed.write_text(feed.read_text(encoding="utf-8").replace(",900,", ",950,"), encoding="utf-8")
    ok(url, "import", str(feed))


# The source log is built the same way (same frozen times) for each backend: its answers are
# computed once, keyed by its export.
SOURCE_ANSWERS: dict[str, dict[tuple[str, ...], str]] = {}


def answers(url: str, head: int) -> dict[tuple[str, ...], str]:
    """Every question asked of one database, with its JSON answer."""
    questions: list[tuple[str, ...]] = []
    for known in ["now", *(f"@{n}" for n in range(head + 1))]:
        for as_of in AS_OF:
            questions.append(("show", "--as-of", as_of, "--known-at", known, "--format", "json"))
        questions.append(("timeline", "--known-at", known, "--format", "json"))
    for first, second in itertools.pairwise(AS_OF):
        for known in ("now", f"@{head // 2}"):
            questions.append(
                ("diff", "--from", first, "--to", second, "--known-at", known, "--format", "json")
            )
    for k1, k2 in ((0, head), (head // 3, head // 2), (head // 2, head)):
        questions.append(
            ("diff", "--known-from", f"@{k1}", "--known-to", f"@{k2}", "--format", "json")
        )
    for target in (
        "Wagner",
        "Wagner/fighters_in_libya",
        "Khalifa Haftar",
        "\u0397aftar",
        "later:1",
    ):
        questions.append(("history", target, "--format", "json"))
    questions += [("show", "--all"), ("show", "--as-of", "2024-05-15"), ("timeline",)]
    return {q: ok(url, *q) for q in questions}


def test_export_then_restore_reproduces_positions_hashes_and_every_answer(
    db_url: str, tmp_path: Path, frozen: FrozenDateTimeFactory, seed_file: Path
) -> None:
    source = f"sqlite:///{tmp_path / 'source.db'}"
    build_rich_log(source, frozen, seed_file, tmp_path)
    dump = tmp_path / "log.jsonl"
    ok(source, "export", "log", "--out", str(dump))
    exported = dump.read_text(encoding="utf-8")
    head = exported.count("\n")

    restored = invoke(db_url, "restore", str(dump))
    assert (restored.exit_code, restored.stdout) == (
        0,
        f"restored {head} events; hash chain verified\n",
    )
    assert ok(db_url, "export", "log") == exported
    assert ok(db_url, "verify") == ok(source, "verify")
    if exported not in SOURCE_ANSWERS:
        SOURCE_ANSWERS[exported] = answers(source, head)
    original, copy = SOURCE_ANSWERS[exported], answers(db_url, head)
    differing = [q for q in original if original[q] != copy[q]]
    report(
        f"restore_round_trip_{make_url(db_url).get_backend_name()}",
        {
            "events": head,
            "answers compared": len(original),
            "answers differing": len(differing),
            "export identical": True,
        },
    )
    assert differing == []
    again = invoke(db_url, "restore", str(dump))
    assert again.exit_code == 1
    assert again.stderr == (f"Error: restore needs an empty database; this one has {head} events\n")


@pytest.mark.parametrize(
    "text_value",
    ["line\u2028separator", "paragraph\u2029separator", "next\x85line", "form\x0cfeed", "x\x1cy"],
)
def test_a_log_holding_any_text_survives_export_and_restore(
    db_url: str, tmp_path: Path, frozen: object, text_value: str
) -> None:
    """Free text is kept as given in `quote`: it must come back through export and restore."""
    source = f"sqlite:///{tmp_path / 'source.db'}"
    add(
        source,
        type="diplomacy.visit",
        date="2025-02",
        subject="Haftar",
        summary="A visit.",
        source="Wire",
        quote=f"He said: {text_value}",
    )
    dump = tmp_path / "log.jsonl"
    ok(source, "export", "log", "--out", str(dump))
    restored = invoke(db_url, "restore", str(dump))
    assert restored.exit_code == 0, restored.stderr
    assert ok(db_url, "export", "log") == dump.read_text(encoding="utf-8")


def big_log(folder: Path) -> tuple[Path, int, str]:
    """An `export log` file of a few thousand events: (path, events, head hash)."""
    feed = folder / "big.csv"
    lines = ["id,type,date,subject,attribute,value,summary,source"]
    lines += [
        f"big:{n},military.force_level,2024-{n % 12 + 1:02d},Subject {n % 31},troops,{n},"
        f"Row {n} of the big feed.,Source {n % 4}"
        for n in range(BIG_ROWS)
    ]
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    url = f"sqlite:///{folder / 'big-source.db'}"
    ok(url, "import", str(feed))
    dump = folder / "big.jsonl"
    ok(url, "export", "log", "--out", str(dump))
    store = open_store(url, utc_now)
    try:
        head = store.head()
    finally:
        store.engine.dispose()
    return dump, head.position, head.hash


def state(url: str) -> tuple[int, str, bool]:
    """(events, head hash, chain verifies) of a database."""
    store = open_store(url, utc_now)
    try:
        tracker = Tracker(store, utc_now)
        head = store.head()
        try:
            tracker.verify()
            verified = True
        except Exception:  # a broken chain is what this reports, whatever its form
            verified = False
        return head.position, head.hash, verified
    finally:
        store.engine.dispose()


def test_a_restore_killed_at_random_moments_leaves_an_empty_or_a_complete_database(
    db_url: str, tmp_path: Path
) -> None:
    databases = Databases(db_url, tmp_path, "restore")
    dump, events, head_hash = big_log(tmp_path)
    figures: dict[str, Any] = {"backend": databases.backend, "events": events, "seed": SEED}
    problems: list[str] = []
    outcomes: Counter[str] = Counter(
        dict.fromkeys(["kills that landed", "found empty", "found complete", "found partial"], 0)
    )
    command = [sys.executable, "-m", "tracker", "--db"]
    try:
        reference = databases.fresh("reference")
        started = time.monotonic()
        clean = subprocess.run(
            [*command, reference, "restore", str(dump)], capture_output=True, timeout=300
        )
        duration = time.monotonic() - started
        assert clean.returncode == 0, clean.stderr
        assert state(reference) == (events, head_hash, True)
        figures["clean restore seconds"] = round(duration, 2)
        rnd = random.Random(SEED)
        window = duration  # shrunk after a kill that came too late (a less loaded machine)
        for trial in range(TRIALS):
            url = databases.fresh(f"trial{trial}")
            child = subprocess.Popen(
                [*command, url, "restore", str(dump)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            # Half the kills anywhere in the restore, half in its second half, around the commit.
            low = 0.0 if trial % 2 == 0 else 0.5 * window
            time.sleep(rnd.uniform(low, window))
            if child.poll() is None:
                os.kill(child.pid, signal.SIGKILL)
                outcomes["kills that landed"] += 1
            else:
                window *= 0.6
            child.wait(timeout=300)
            databases.settle(url)
            count, found_hash, verified = state(url)
            if not verified:
                problems.append(f"trial {trial}: the chain does not verify after the kill")
            if count == 0:
                outcomes["found empty"] += 1
                again = invoke(url, "restore", str(dump))
                if again.exit_code != 0 or state(url) != (events, head_hash, True):
                    problems.append(f"trial {trial}: restoring again failed: {again.stderr}")
            elif (count, found_hash) == (events, head_hash):
                outcomes["found complete"] += 1
                again = invoke(url, "restore", str(dump))
                if again.exit_code != 1 or "needs an empty database" not in again.stderr:
                    problems.append(f"trial {trial}: a second restore was not refused")
            else:
                outcomes["found partial"] += 1
                problems.append(f"trial {trial}: {count} of {events} events after the kill")
        figures.update(trials=TRIALS, outcomes=dict(outcomes), problems=problems)
    finally:
        report(f"restore_killed_{databases.backend}", figures)
        if databases.backend == "postgresql":
            databases.drop_all()
    assert problems == []
    assert outcomes["kills that landed"] >= TRIALS // 2
