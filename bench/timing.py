"""What bench/run.py and bench/imports.py share: running one measurement in a fresh process
(peak RSS its own, from /usr/bin/time), medians, the Markdown table, the commit under test."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = sys.executable
TRACKER = str(Path(PYTHON).with_name("tracker"))
WORKER = str(BENCH / "worker.py")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass
class Sample:
    seconds: float
    rows: int
    rss_mb: float
    cpu: float = 0.0  # user + system seconds of the whole process (whole-process samples)


@dataclass
class Line:
    operation: str
    n: int
    target: str
    tracker: list[Sample] = field(default_factory=list)
    reference: list[Sample] = field(default_factory=list)


def spawn_rss(argv: list[str]) -> tuple[float, float, str]:
    """Run argv under /usr/bin/time: (wall s, peak RSS MB of that process, stdout)."""
    wall, rss, _cpu, out = spawn(argv)
    return wall, rss, out


def spawn(argv: list[str]) -> tuple[float, float, float, str]:
    """Run argv under /usr/bin/time: (wall s, peak RSS MB, user + system CPU s, stdout).

    Not os.wait4/RUSAGE_CHILDREN: on Linux a forked child keeps the parent's RSS high-water
    mark across exec, so small children would report this script's RSS. /usr/bin/time is tiny.
    The CPU seconds say what the wall seconds cannot on a machine shared with other work.
    """
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r") as report,
    ):
        start = time.perf_counter()
        code = subprocess.call(
            ["/usr/bin/time", "-f", "%M %U %S", "-o", report.name, *argv],
            stdout=out,
            stderr=err,
            cwd=ROOT,
        )
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        text, errors = out.read().decode(), err.read().decode()
        peak_kb, user, system = report.read().split()[-3:]
    if code != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({code}): {errors[-2000:]}")
    return seconds, int(peak_kb) / 1024, float(user) + float(system), text


def work(op: str, *args: str) -> Sample:
    _wall, rss, out = spawn_rss([PYTHON, WORKER, op, *args])
    result = json.loads(out.strip().splitlines()[-1])
    return Sample(result["seconds"], result["rows"], rss)


def whole(argv: list[str]) -> Sample:
    wall, rss, cpu, _out = spawn(argv)
    return Sample(wall, 0, rss, cpu)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def fresh_db(url: str) -> None:
    """A new, migrated tracker schema (not part of any timing): a SQLite path is removed
    first; the tracker and the references write into the same schema."""
    if not url.startswith("postgresql"):
        Path(url).unlink(missing_ok=True)
    subprocess.run([TRACKER, "--db", url, "db", "upgrade"], check=True, capture_output=True)


def pg_recreate(name: str) -> str:
    """An empty database `name` with the tracker's schema; its URL."""
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    fresh_db(url)
    return url


def pg_drop(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def median(samples: list[Sample], attr: str) -> float:
    return statistics.median(getattr(s, attr) for s in samples)


def table(lines: list[Line]) -> str:
    head = (
        "| operation | N | tracker s | reference s | ratio | CPU s (tracker / ref) | CPU ratio | "
        "tracker rows/s | peak RSS MB (tracker / ref) | target |"
    )
    out = [head, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for line in lines:
        t = median(line.tracker, "seconds")
        rows = line.tracker[0].rows
        rss = median(line.tracker, "rss_mb")
        cpu = median(line.tracker, "cpu")
        cpu_text, cpu_ratio = (f"{cpu:.2f}", "-") if cpu else ("-", "-")
        if line.reference:
            r = median(line.reference, "seconds")
            ref, ratio = f"{r:.3f}", f"{t / r:.2f}x" if r else "-"
            rss_text = f"{rss:.0f} / {median(line.reference, 'rss_mb'):.0f}"
            ref_cpu = median(line.reference, "cpu")
            if cpu and ref_cpu:
                cpu_text, cpu_ratio = f"{cpu:.2f} / {ref_cpu:.2f}", f"{cpu / ref_cpu:.2f}x"
        else:
            ref, ratio, rss_text = "-", "-", f"{rss:.0f}"
        rate = f"{rows / t:,.0f}" if rows and t else "-"
        out.append(
            f"| {line.operation} | {line.n:,} | {t:.3f} | {ref} | {ratio} | {cpu_text} | "
            f"{cpu_ratio} | {rate} | {rss_text} | {line.target} |"
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
