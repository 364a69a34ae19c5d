"""Import against its plain references (issue 17), whole processes, at several sizes; start-up.

    .venv/bin/python bench/imports.py --sizes 20000,100000,1000000 --runs 5 [--postgres]
        [--few-sources] [--large-runs 3] [--work DIR]

Each run, alternately: `tracker import` of N new claims into a new database, the same file
again (the re-import), then the references (`bench/reference.py`) into another new database
with the same schema; with `--postgres` the same into PostgreSQL against psycopg `COPY`.
Every figure is a whole process (`tracker …` against `python bench/worker.py ref-…`), wall
time and peak RSS from /usr/bin/time; medians of the runs. Sizes above 200,000 take
`--large-runs` runs. Then `tracker --help` and `show` on the seed database, against
`python -c pass`.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate, write
from timing import (
    PYTHON,
    ROOT,
    TRACKER,
    WORKER,
    Line,
    Sample,
    code_version,
    fresh_db,
    median,
    pg_drop,
    pg_recreate,
    spawn,
    table,
)

PG_TRACKER_DB = "bench_perf_import_tracker"
PG_REF_DB = "bench_perf_import_reference"


def timed(argv: list[str], rows: int) -> Sample:
    wall, rss, cpu, _out = spawn(argv)
    return Sample(wall, rows, rss, cpu)


def import_lines(
    n: int, data: Path, runs: int, tmp: Path, postgres: bool, log: Callable[[str], None]
) -> list[Line]:
    """Import, re-import (against both references) and, with `postgres`, import into
    PostgreSQL, `runs` times each, whole processes."""
    tdb, rdb = str(tmp / "tracker.db"), str(tmp / "reference.db")
    imp = Line("import N new claims, SQLite", n, "≤1.5x ref")
    again = Line("re-import same file (ref: re-import reference)", n, "≤1.5x ref")
    pg = Line("import N, PostgreSQL (ref: COPY)", n, "≤2x COPY")
    for run in range(runs):
        log(f"run {run + 1}/{runs}: SQLite import of {n:,}")
        fresh_db(tdb)
        imp.tracker.append(timed([TRACKER, "--db", tdb, "import", str(data)], n))
        again.tracker.append(timed([TRACKER, "--db", tdb, "import", str(data)], n))
        fresh_db(rdb)
        imp.reference.append(timed([PYTHON, WORKER, "ref-sqlite-import", rdb, str(data)], n))
        again.reference.append(timed([PYTHON, WORKER, "ref-sqlite-reimport", rdb, str(data)], n))
        if postgres:
            log(f"run {run + 1}/{runs}: PostgreSQL import of {n:,}")
            url = pg_recreate(PG_TRACKER_DB)
            pg.tracker.append(timed([TRACKER, "--db", url, "import", str(data)], n))
            url = pg_recreate(PG_REF_DB)
            pg.reference.append(timed([PYTHON, WORKER, "ref-pg-copy", url, str(data)], n))
    if postgres:
        pg_drop(PG_TRACKER_DB)
        pg_drop(PG_REF_DB)
    versus_import = Line("re-import same file (ref: import reference)", n, "≤1.5x ref")
    versus_import.tracker, versus_import.reference = again.tracker, imp.reference
    return [imp, again, versus_import, *([pg] if postgres else [])]


def startup_lines(runs: int, tmp: Path) -> list[Line]:
    """`tracker --help` and `show` on the seed database against `python -c pass`. The
    tracker's modules are compiled first, as an installed package's are: where
    PYTHONDONTWRITEBYTECODE is set (as in this workspace) an editable install would
    otherwise compile ~50 modules on every run (0.16 s)."""
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "tracker")], check=True)
    seed = tmp / "seed.db"
    seed.unlink(missing_ok=True)
    subprocess.run(
        [TRACKER, "--db", str(seed), "import", "events/"], check=True, capture_output=True, cwd=ROOT
    )
    helps = Line("`tracker --help` (ref: python -c pass)", 0, "≤0.1 s")
    shows = Line("`tracker show` on the seed db (ref: python -c pass)", 15, "≤0.3 s")
    for _ in range(max(runs, 5)):
        helps.tracker.append(timed([TRACKER, "--help"], 0))
        helps.reference.append(timed([PYTHON, "-c", "pass"], 0))
        shows.tracker.append(timed([TRACKER, "--db", str(seed), "show", "--as-of", "2025-02"], 0))
        shows.reference.append(timed([PYTHON, "-c", "pass"], 0))
    return [helps, shows]


def scaling(lines: list[Line]) -> str:
    """Import at each size: time, claims/s, peak RSS and RSS per row, against the reference."""
    out = [
        "| import, SQLite | N | runs | tracker s | reference s | ratio | CPU ratio | claims/s | "
        "peak RSS MB | RSS bytes per row |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for line in lines:
        t, r = median(line.tracker, "seconds"), median(line.reference, "seconds")
        cpu = median(line.tracker, "cpu") / median(line.reference, "cpu")
        rss = median(line.tracker, "rss_mb")
        out.append(
            f"| {line.operation} | {line.n:,} | {len(line.tracker)} | {t:.2f} | {r:.2f} | "
            f"{t / r:.2f}x | {cpu:.2f}x | {line.n / t:,.0f} | {rss:.0f} | "
            f"{rss * 1e6 / line.n:,.0f} |"
        )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--large-runs", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--few-sources", action="store_true", help="the older data: few articles")
    parser.add_argument("--work", type=Path, default=Path("/tmp/tracker-bench-imports"))
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True)

    def log(text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

    version = code_version()
    log(f"code under test: {version}")
    lines: list[Line] = []
    for n in (int(size) for size in args.sizes.split(",")):
        claims, _changes = generate(n, seed=6, articles=not args.few_sources)
        data = args.work / f"claims-{n}.csv"
        write(data, claims)
        del claims
        runs = args.runs if n <= 200_000 else args.large_runs
        lines += import_lines(n, data, runs, args.work, args.postgres and n <= 200_000, log)
        data.unlink()
    log("start-up")
    lines += startup_lines(args.runs, args.work)
    print(table(lines))
    print()
    print(scaling([line for line in lines if line.operation.startswith("import N new")]))
    after = code_version()
    print(
        f"\ncode: {version} at start, {after} at the end"
        + ("" if after == version else " (CHANGED)")
    )


if __name__ == "__main__":
    main()
