"""Scaling of the narrow questions (issue 17): does a narrow command cost what it returns?

    .venv/bin/python bench/scaling.py [--sizes 20000,100000,1000000] [--runs 5]
                                      [--work /tmp/tracker-scaling] [--rebuild]
                                      [--tracker OTHER/.venv/bin/tracker] [--only add,info]

For each size N: `bench/generate.py --articles` data (seed 6, one article per row) with the
probe rows below woven in, imported once into `WORK/N/tracker.db` (kept between runs: the
import is not what is measured here; `--rebuild` imports again). Then each narrow command
runs as a whole `tracker` process, `--runs` times, timed by wall clock with peak RSS from
`/usr/bin/time -f %M`; the table gives medians and the ratio of the largest size to the
smallest. `add` and `correct` run on a copy of the database made before their runs (each run
adds or corrects another claim, so runs do not pile up on one claim).

The probe: subject `Probe Brigade`, the same 40 claims at every size (30 occurrences and
10 observations of one slot, each citing its own article), spread evenly through the file,
so every size asks the same question and gets the same answer.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
TRACKER = str(Path(sys.executable).with_name("tracker"))  # `--tracker` sets another

sys.path.insert(0, str(BENCH))
from generate import COLUMNS, generate, write  # noqa: E402

PROBE_SUBJECT = "Probe Brigade"
PROBE_CLAIMS = 40
PROBE_CLAIM = "probe:0007"  # an occurrence; `history CLAIM` asks for it


def probe_rows() -> list[dict[str, str]]:
    """The probe's claims: the same at every size."""
    rows = []
    for i in range(PROBE_CLAIMS):
        row = dict.fromkeys(COLUMNS, "")
        row.update(
            id=f"probe:{i:04d}",
            subject=PROBE_SUBJECT,
            source="Probe Wire",
            source_url=f"https://probe.example.org/articles/{i:04d}",
            source_title=f"Probe Wire: report {i}",
            published=f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}",
            reliability="B",
            credibility="2",
            quote=f"the brigade was seen, report {i}",
        )
        if i % 4 == 3:
            row.update(
                type="military.force_level",
                attribute="troops_in_sirte",
                value=str(100 * (i + 1)),
                unit="troops",
                date=f"2020-{1 + i % 12:02d}",
                summary=f"{PROBE_SUBJECT}: {100 * (i + 1)} troops in Sirte.",
            )
        else:
            row.update(
                type="diplomacy.visit",
                actor=PROBE_SUBJECT,
                place="Sirte",
                date=f"{2016 + i % 9}-{1 + i % 12:02d}",
                summary=f"{PROBE_SUBJECT}: visit {i} in Sirte.",
            )
        rows.append(row)
    return rows


def build(n: int, folder: Path, rebuild: bool) -> Path:
    """WORK/N/tracker.db with N generated claims and the probe, imported once."""
    db, done = folder / "tracker.db", folder / "built"
    if done.exists() and db.exists() and not rebuild:
        return db
    folder.mkdir(parents=True, exist_ok=True)
    for stale in (db, done):
        stale.unlink(missing_ok=True)
    claims, _changes = generate(n, 6, articles=True)
    probes = probe_rows()
    step = len(claims) // len(probes)
    for k, row in enumerate(probes):
        claims.insert(k * (step + 1), row)  # (step + 1): the rows already inserted
    write(folder / "claims.csv", claims)
    log(f"{n}: importing {len(claims)} claims")
    start = time.perf_counter()
    subprocess.run(
        [TRACKER, "--db", str(db), "import", str(folder / "claims.csv")],
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - start
    done.write_text(f"{len(claims)} claims imported in {seconds:.0f} s\n")
    log(f"{n}: imported in {seconds:.0f} s")
    return db


@dataclass(frozen=True)
class Sample:
    seconds: float  # wall clock
    cpu: float  # user + system seconds of the process
    rss_mb: float
    lines: int  # lines printed: the same at every size when the answer is the same


def timed(argv: list[str]) -> Sample:
    """One whole process under /usr/bin/time: wall and CPU seconds, peak RSS, lines out."""
    with tempfile.NamedTemporaryFile("r") as rss, tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%U %S %M", "-o", rss.name, *argv],
            stdout=out,
            stderr=subprocess.PIPE,
            cwd=ROOT,
        )
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed: {done.stderr.decode()[-2000:]}")
        out.seek(0)
        lines = out.read().count(b"\n")
        user, system, peak_kb = rss.read().split()[-3:]
        return Sample(seconds, float(user) + float(system), int(peak_kb) / 1024, lines)


def commands(db: Path, copy: Path, run: int) -> dict[str, list[str]]:
    """The narrow commands, as a user types them; `add`/`correct` write to `copy`."""
    on, on_copy = [TRACKER, "--db", str(db)], [TRACKER, "--db", str(copy)]
    subject = ["--subject", PROBE_SUBJECT]
    return {
        "show --subject": [*on, "show", *subject, "--as-of", "2025-12-31", "--format", "json"],
        "timeline --subject": [*on, "timeline", *subject, "--format", "json"],
        "history CLAIM": [*on, "history", PROBE_CLAIM, "--format", "json"],
        "history SUBJECT": [*on, "history", PROBE_SUBJECT, "--format", "json"],
        "info": [*on, "info"],
        "search": [*on, "search", "probe seen", "--format", "json"],
        "add": [
            *on_copy,
            "add",
            "--id",
            f"scaling:add{run}",
            "--type",
            "diplomacy.visit",
            "--date",
            "2025-03",
            "--subject",
            PROBE_SUBJECT,
            "--summary",
            f"Scaling visit {run}.",
            "--source",
            "Probe Wire",
            "--source-url",
            f"https://probe.example.org/added/{run}",
        ],
        "correct": [
            *on_copy,
            "correct",
            f"probe:{run:04d}",
            "--reason",
            "scaling run",
            "--summary",
            f"{PROBE_SUBJECT}: corrected in run {run}.",
        ],
    }


LOADS: list[float] = []  # the 1-minute load average at the start of each run


def measure(
    dbs: dict[int, Path], runs: int, only: set[str] | None
) -> dict[int, dict[str, list[Sample]]]:
    """Each run times every command at every size in turn, so the sizes share the machine's
    load as evenly as they can (it is shared, and the load moves)."""
    samples: dict[int, dict[str, list[Sample]]] = {n: {} for n in dbs}
    with tempfile.TemporaryDirectory(dir=next(iter(dbs.values())).parent.parent) as tmp:
        copies = {n: Path(tmp) / f"copy-{n}.db" for n in dbs}
        for n, db in dbs.items():
            shutil.copyfile(db, copies[n])
        for run in range(runs):
            LOADS.append(os.getloadavg()[0])
            log(f"run {run + 1}/{runs}; load {LOADS[-1]:.2f}")
            for n, db in dbs.items():
                for name, argv in commands(db, copies[n], run).items():
                    if only is None or name in only:
                        samples[n].setdefault(name, []).append(timed(argv))
    return samples


def table(sizes: list[int], results: dict[int, dict[str, list[Sample]]]) -> str:
    first, last = sizes[0], sizes[-1]

    def median(n: int, name: str, what: str) -> float:
        return statistics.median(getattr(x, what) for x in results[n][name])

    head = " | ".join(f"{n:,}: wall s / CPU s / MB" for n in sizes)
    lines = [
        f"| command | {head} | {last:,} / {first:,}: wall (CPU) | lines out |",
        "|---|" + "---:|" * (len(sizes) + 2),
    ]
    for name in results[first]:
        cells = [
            f"{median(n, name, 'seconds'):.3f} / {median(n, name, 'cpu'):.2f} / "
            f"{median(n, name, 'rss_mb'):.0f}"
            for n in sizes
        ]
        wall = median(last, name, "seconds") / median(first, name, "seconds")
        cpu = median(last, name, "cpu") / max(median(first, name, "cpu"), 0.01)
        out = sorted({x.lines for n in sizes for x in results[n][name]})
        lines.append(
            f"| `{name}` | {' | '.join(cells)} | {wall:.2f}x ({cpu:.2f}x) | "
            f"{', '.join(map(str, out))} |"
        )
    return "\n".join(lines)


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20000,100000,1000000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path("/tmp/tracker-scaling"))
    parser.add_argument("--rebuild", action="store_true", help="import the data again")
    parser.add_argument("--only", help="comma-separated command names to time")
    parser.add_argument(
        "--tracker", help="the `tracker` executable to time (another checkout's, for a before)"
    )
    args = parser.parse_args()
    if args.tracker:
        global TRACKER
        TRACKER = args.tracker
    sizes = sorted(int(s) for s in args.sizes.split(","))
    dbs = {n: build(n, args.work / str(n), args.rebuild) for n in sizes}
    results = measure(dbs, args.runs, set(args.only.split(",")) if args.only else None)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=Path(TRACKER).resolve().parent.parent.parent,  # the checkout of its venv
    ).stdout.strip()
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, commit {commit}, {os.cpu_count()} cores, "
        f"1-min load at each run's start: {min(LOADS):.1f}-{max(LOADS):.1f}, "
        f"Python {platform.python_version()}, SQLite; median of {args.runs} whole processes\n"
    )
    print(table(sizes, results))


if __name__ == "__main__":
    main()
