"""SPEC §6 rule 7: imports running at once give the same log as one after the other."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

from tracker.db import open_store
from tracker.domain.fold import fold
from tracker.services import Tracker, utc_now

WORKERS = 4
ROWS = 300
STEP = 100  # file i holds rows i*STEP .. i*STEP+ROWS: neighbours overlap


def write_feeds(folder: Path) -> list[Path]:
    paths = []
    for index in range(WORKERS):
        lines = ["id,type,date,subject,attribute,value,summary,source"]
        for row in range(index * STEP, index * STEP + ROWS):
            lines.append(
                f"c{row},military.force_level,2024-{row % 12 + 1:02d},"
                f"Subject {row % 7},level,{row},Row {row}.,Source {row % 3}"
            )
        path = folder / f"feed{index}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def run_at_once(url: str, paths: list[Path]) -> list[subprocess.CompletedProcess[str]]:
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tracker", "--db", url, "import", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in paths
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def test_overlapping_imports_at_once_equal_one_after_the_other(
    db_url: str, sqlite_url: str, tmp_path: Path
) -> None:
    paths = write_feeds(tmp_path)
    concurrent_url = db_url if db_url != sqlite_url else f"sqlite:///{tmp_path / 'at_once.db'}"
    open_store(concurrent_url, utc_now)  # created up front, as a first `tracker` call would
    results = run_at_once(concurrent_url, paths)
    assert [(r.returncode, "locked" in r.stderr, "Traceback" in r.stderr) for r in results] == [
        (0, False, False)
    ] * WORKERS
    together = Tracker(open_store(concurrent_url, utc_now), utc_now)
    sequential = Tracker(open_store(f"sqlite:///{tmp_path / 'sequential.db'}", utc_now), utc_now)
    sequential.import_paths([str(p) for p in paths])

    total = STEP * (WORKERS - 1) + ROWS
    entries = list(together.store.entries())
    kinds = Counter(e.kind for e in entries)
    assert kinds["claim.asserted"] == total
    news = [int(r.stderr.split(": ")[1].split(" new")[0]) for r in results]
    assert kinds["import.recorded"] == sum(1 for n in news if n)  # a no-op import appends nothing
    assert [e.position for e in entries] == list(range(1, len(entries) + 1))
    assert together.verify() == len(entries)
    claims_at_once = {k: s.claim for k, s in fold(entries).claims.items()}
    claims_in_turn = {k: s.claim for k, s in fold(sequential.store.entries()).claims.items()}
    assert claims_at_once == claims_in_turn
    assert sum(news) == total
