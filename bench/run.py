"""Benchmark the tracker against plain sqlite3 / psycopg / csv references on the same data.

    .venv/bin/python bench/run.py [--n 200000] [--runs 5] [--postgres] [--work DIR]

Every measurement runs in a fresh subprocess (bench/worker.py, or the `tracker` command for
whole-process times); peak RSS is that process's own (/usr/bin/time -f %M).
Figures are medians of --runs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = sys.executable
TRACKER = str(Path(PYTHON).with_name("tracker"))
WORKER = str(BENCH / "worker.py")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
PG_TRACKER_DB = "bench_tracker"
PG_REF_DB = "bench_reference"

sys.path.insert(0, str(BENCH))
from generate import generate, write  # noqa: E402
from worker import PG_SCHEMA, SQLITE_SCHEMA  # noqa: E402


@dataclass
class Sample:
    seconds: float
    rows: int
    rss_mb: float


@dataclass
class Line:
    operation: str
    n: int
    target: str
    tracker: list[Sample] = field(default_factory=list)
    reference: list[Sample] = field(default_factory=list)


def spawn_rss(argv: list[str]) -> tuple[float, float, str]:
    """Run argv under /usr/bin/time: (wall s, peak RSS MB of that process, stdout).

    Not os.wait4/RUSAGE_CHILDREN: on Linux a forked child keeps the parent's RSS high-water
    mark across exec, so small children would report this script's RSS. /usr/bin/time is tiny.
    """
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r") as rss,
    ):
        start = time.perf_counter()
        code = subprocess.call(
            ["/usr/bin/time", "-f", "%M", "-o", rss.name, *argv], stdout=out, stderr=err, cwd=ROOT
        )
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        text, errors = out.read().decode(), err.read().decode()
        peak_kb = int(rss.read().split()[-1])
    if code != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({code}): {errors[-2000:]}")
    return seconds, peak_kb / 1024, text


def work(op: str, *args: str) -> Sample:
    _wall, rss, out = spawn_rss([PYTHON, WORKER, op, *args])
    result = json.loads(out.strip().splitlines()[-1])
    return Sample(result["seconds"], result["rows"], rss)


def whole(argv: list[str]) -> Sample:
    wall, rss, _out = spawn_rss(argv)
    return Sample(wall, 0, rss)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def fresh_sqlite_ref(path: Path) -> None:
    import sqlite3

    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(SQLITE_SCHEMA)
    conn.close()


def fresh_sqlite_tracker(path: Path) -> None:
    """A new, migrated tracker database (schema creation is not part of the import timing)."""
    path.unlink(missing_ok=True)
    subprocess.run([TRACKER, "--db", str(path), "info"], check=True, capture_output=True)


def pg_recreate(name: str, schema: str | None) -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    if schema:
        with psycopg.connect(url, autocommit=True) as conn:
            for statement in filter(str.strip, schema.split(";")):
                conn.execute(statement)
    return url


def pg_drop(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def median(samples: list[Sample], attr: str) -> float:
    return statistics.median(getattr(s, attr) for s in samples)


def table(lines: list[Line]) -> str:
    head = (
        "| operation | N | tracker s | reference s | ratio | tracker rows/s | "
        "peak RSS MB (tracker / ref) | target |"
    )
    out = [head, "|---|---:|---:|---:|---:|---:|---:|---|"]
    for line in lines:
        t = median(line.tracker, "seconds")
        rows = line.tracker[0].rows
        rss = median(line.tracker, "rss_mb")
        if line.reference:
            r = median(line.reference, "seconds")
            ref, ratio = f"{r:.3f}", f"{t / r:.1f}x" if r else "-"
            rss_text = f"{rss:.0f} / {median(line.reference, 'rss_mb'):.0f}"
        else:
            ref, ratio, rss_text = "-", "-", f"{rss:.0f}"
        rate = f"{rows / t:,.0f}" if rows and t else "-"
        out.append(
            f"| {line.operation} | {line.n:,} | {t:.3f} | {ref} | {ratio} | {rate} | "
            f"{rss_text} | {line.target} |"
        )
    return "\n".join(out)


def code_version() -> str:
    """The commit under test, and whether tracker/ had uncommitted changes."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "tracker", "migrations"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.strip()
    return f"{head}{' + uncommitted changes in tracker/' if dirty else ''}"


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
    args = parser.parse_args()
    n, runs, tmp = args.n, args.runs, args.work
    small_n = args.small or max(100, n // 10)
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)

    def log(text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

    version = code_version()
    log(f"code under test: {version}")
    claims, changes = generate(n, seed=6)
    data = tmp / "claims.csv"
    write(data, claims)
    write(tmp / "changes.csv", changes)
    small, _ = generate(small_n, seed=6)
    small_data = tmp / "small.csv"
    write(small_data, small)
    log(f"data: {n} claims ({data.stat().st_size / 1e6:.1f} MB), {small_n} for the memory ratio")
    tdb, rdb = tmp / "tracker.db", tmp / "reference.db"
    imp = Line("import N new claims, SQLite", n, "≤1.5x ref, ≥50,000 claims/s")
    reimp = Line("re-import same file, SQLite", n, "≤1.5x ref")
    pg = Line("import N, PostgreSQL (ref: COPY)", n, "≤2x COPY")
    for run in range(runs):
        log(f"run {run + 1}/{runs}: SQLite import")
        fresh_sqlite_tracker(tdb)
        imp.tracker.append(work("tracker-import", sqlite_url(tdb), str(data)))
        reimp.tracker.append(work("tracker-import", sqlite_url(tdb), str(data)))
        fresh_sqlite_ref(rdb)
        imp.reference.append(work("ref-sqlite-import", str(rdb), str(data)))
        reimp.reference.append(work("ref-sqlite-reimport", str(rdb), str(data)))
        if args.postgres:
            log(f"run {run + 1}/{runs}: PostgreSQL import")
            url = pg_recreate(PG_TRACKER_DB, None)
            subprocess.run([TRACKER, "--db", url, "info"], check=True, capture_output=True)
            pg.tracker.append(
                work("tracker-import", url.replace("postgresql:", "postgresql+psycopg:"), str(data))
            )
            ref_url = pg_recreate(PG_REF_DB, PG_SCHEMA)
            pg.reference.append(work("ref-pg-copy", ref_url, str(data)))
    if args.postgres:
        pg_drop(PG_TRACKER_DB)
        pg_drop(PG_REF_DB)

    reads = read_lines(n, tdb, rdb, runs, tmp, log)

    log("whole-process commands")
    seed = tmp / "seed.db"
    subprocess.run(
        [TRACKER, "--db", str(seed), "import", "events/"], check=True, capture_output=True
    )
    helps = Line("`tracker --help`, whole process (ref: python -c pass)", 0, "≤0.15 s")
    seed_show = Line("`tracker show` on seed db, whole process", 15, "≤0.35 s")
    for _ in range(max(runs, 5)):
        helps.tracker.append(whole([TRACKER, "--help"]))
        helps.reference.append(whole([PYTHON, "-c", "pass"]))
        seed_show.tracker.append(whole([TRACKER, "--db", str(seed), "show", "--as-of", "2025-02"]))

    log(f"memory: import {small_n} vs {n}")
    memory = Line(f"peak RSS import {small_n:,} (small)", small_n, "-")
    fresh_sqlite_tracker(tmp / "small.db")
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
        big_claims, _ = generate(args.large, seed=6)
        big_data = tmp / "large.csv"
        write(big_data, big_claims)
        del big_claims
        big_tdb, big_rdb = tmp / "large-tracker.db", tmp / "large-reference.db"
        fresh_sqlite_tracker(big_tdb)
        large_import = Line("import N new claims, SQLite", args.large, "(peak RSS ≤ 250 MB)")
        large_import.tracker.append(work("tracker-import", sqlite_url(big_tdb), str(big_data)))
        fresh_sqlite_ref(big_rdb)
        large_import.reference.append(work("ref-sqlite-import", str(big_rdb), str(big_data)))
        large = [large_import, *read_lines(args.large, big_tdb, big_rdb, runs, tmp, log)]

    lines = [
        imp,
        reimp,
        *([pg] if args.postgres else []),
        *reads,
        helps,
        seed_show,
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
