"""Benchmark the tracker against plain sqlite3 / psycopg / csv references on the same data.

    .venv/bin/python bench/run.py [--n 200000] [--runs 5] [--postgres] [--work DIR]

Every measurement runs in a fresh subprocess (bench/worker.py, or the `tracker` command for
whole-process times); peak RSS is that process's own (/usr/bin/time -f %M).
Figures are medians of --runs.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate, write
from imports import import_lines, startup_lines
from timing import (
    Line,
    code_version,
    fresh_db,
    median,
    sqlite_url,
    table,
    work,
)


def read_lines(
    n: int, tdb: Path, rdb: Path, runs: int, tmp: Path, log: Callable[[str], None]
) -> list[Line]:
    """show, diff and export on the imported databases; then show after a one-claim append."""
    middle, end = "2020-06-30", "2025-12-31"
    reads = [
        Line(f"show --as-of {middle} (middle)", n, "≤1.5x SQL ref"),
        Line(f"show --as-of {end} (end)", n, "≤1.5x SQL ref"),
        Line(f"diff --from {middle} --to {end}", n, "≤1.5x SQL ref"),
        Line("export claims", n, "≤1.5x csv ref"),
    ]
    for run in range(runs):
        log(f"run {run + 1}/{runs}: show, diff, export at {n}")
        for line, (top, ref, extra) in zip(
            reads,
            [
                ("tracker-show", "ref-show", [middle]),
                ("tracker-show", "ref-show", [end]),
                ("tracker-diff", "ref-diff", [middle, end]),
                ("tracker-export", "ref-export", [str(tmp / "export.csv")]),
            ],
            strict=True,
        ):
            line.tracker.append(work(top, sqlite_url(tdb), *extra))
            line.reference.append(work(ref, str(rdb), *extra))
    latest = Line("show (today) after a 1-claim append, in process", n, "≤0.1 s")
    one = Line("show --subject (today) after a 1-claim append", n, "(no target)")
    copy = tmp / "append.db"
    for run in range(runs):
        log(f"run {run + 1}/{runs}: show after an append at {n}")
        shutil.copyfile(tdb, copy)
        latest.tracker.append(work("tracker-append-show", sqlite_url(copy)))
        one.tracker.append(work("tracker-append-show", sqlite_url(copy), "Unit 000001"))
    copy.unlink()
    return [*reads, latest, one]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--small", type=int, help="smaller N for the memory ratio (default N/10)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/tracker-bench"))
    parser.add_argument("--large", type=int, help="also import this many claims and time the reads")
    parser.add_argument("--few-sources", action="store_true", help="the older data: few articles")
    args = parser.parse_args()
    n, runs, tmp = args.n, args.runs, args.work
    small_n = args.small or max(100, n // 10)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)

    def log(text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

    version = code_version()
    log(f"code under test: {version}")
    articles = not args.few_sources
    claims, changes = generate(n, seed=6, articles=articles)
    data = tmp / "claims.csv"
    write(data, claims)
    write(tmp / "changes.csv", changes)
    small, _ = generate(small_n, seed=6, articles=articles)
    small_data = tmp / "small.csv"
    write(small_data, small)
    log(f"data: {n} claims ({data.stat().st_size / 1e6:.1f} MB), {small_n} for the memory ratio")
    tdb, rdb = tmp / "tracker.db", tmp / "reference.db"
    imports = import_lines(n, data, runs, tmp, args.postgres, log)
    imp = imports[0]
    reads = read_lines(n, tdb, rdb, runs, tmp, log)
    log("whole-process commands")
    startup = startup_lines(runs, tmp)

    log(f"memory: import {small_n} vs {n}")
    memory = Line(f"peak RSS import {small_n:,} (small)", small_n, "-")
    fresh_db(str(tmp / "small.db"))
    memory.tracker.append(work("tracker-import", sqlite_url(tmp / "small.db"), str(small_data)))

    log("import the corrections and retractions file into a copy of the N database")
    fixes = Line(
        f"import {len(changes):,} corrections + retractions into N db, SQLite", n, "(no target)"
    )
    for _ in range(runs):
        shutil.copyfile(tdb, tmp / "changes.db")
        fixes.tracker.append(
            work("tracker-import", sqlite_url(tmp / "changes.db"), str(tmp / "changes.csv"))
        )

    large: list[Line] = []
    if args.large:
        log(f"large: {args.large} claims into SQLite, then the reads")
        big_claims, _ = generate(args.large, seed=6, articles=articles)
        big_data = tmp / "large.csv"
        write(big_data, big_claims)
        del big_claims
        big_tdb, big_rdb = tmp / "large-tracker.db", tmp / "large-reference.db"
        fresh_db(str(big_tdb))
        large_import = Line("import N new claims, SQLite", args.large, "(peak RSS ≤ 250 MB)")
        large_import.tracker.append(work("tracker-import", sqlite_url(big_tdb), str(big_data)))
        fresh_db(str(big_rdb))
        large_import.reference.append(work("ref-sqlite-import", str(big_rdb), str(big_data)))
        large = [large_import, *read_lines(args.large, big_tdb, big_rdb, runs, tmp, log)]

    lines = [
        *imports,
        *reads,
        *startup,
        fixes,
        memory,
        *large,
    ]
    print(table(lines))
    big, little = median(imp.tracker, "rss_mb"), memory.tracker[0].rss_mb
    print(
        f"\npeak RSS importing {n:,}: {big:.0f} MB; {small_n:,}: {little:.0f} MB; "
        f"ratio {big / little:.2f} (target: 1,000,000 ≤ 1.3x 100,000 and ≤ 250 MB)"
    )
    print(f"runs: {runs} (medians); data: {tmp}")
    after = code_version()
    print(
        f"code: {version} at start, {after} at the end" + ("" if after == version else " (CHANGED)")
    )


if __name__ == "__main__":
    main()
