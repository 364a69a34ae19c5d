"""Peak memory of the commands that read the whole log, at two sizes (issue 17); and the time of
`show`/`diff --format json` against a plain sqlite3 reference printing the same JSON.

    .venv/bin/python bench/memory.py [--sizes 100000 1000000] [--runs 3] [--work DIR]
                                     [--tracker PATH] [--only verify,restore] [--no-json]
                                     [--databases DIR]

Builds, once, under --work (default /tmp/tracker-memory; kept between runs): one-article-per-row
data (`bench/generate.py --articles --n N`), its SQLite database (`tracker import`, claims then
changes) and its `export log` file. Then runs each command in a fresh process under
/usr/bin/time (whole process: wall seconds and peak RSS, `%M`), --runs times, and prints a
Markdown table of medians with the peak RSS ratio between the sizes (target: <= 1.3x and
<= 250 MB). `--tracker` measures another build (e.g. an older checkout's venv) on databases it
can read. `--databases DIR` reads DIR/N/tracker.db instead (`bench/scaling.py`'s, never written:
for the commands that only read, e.g. `--only "export picture,export diff"`). Nothing here runs
under pytest.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PYTHON = sys.executable
REFERENCE = str(BENCH / "json_reference.py")

AS_OF, FROM, KNOWN = "2024-06-01", "2023-06-01", "2030-01-01"
# A subject of about fifty claims at every size (the generator's first subjects are the same
# for every N of 40,000 and more).
SUBJECT = "Group 000187"

COMMANDS: dict[str, list[str]] = {
    "verify": ["verify"],
    "restore": ["restore", "{log}"],
    "db rebuild": ["db", "rebuild"],
    "export log": ["export", "log"],
    "export claims": ["export", "claims"],
    "export picture": ["export", "picture", "--as-of", AS_OF],
    "export diff": ["export", "diff", "--from", FROM, "--to", AS_OF],
    "export timelinejs": ["export", "timelinejs"],
    "report --subject": ["report", "--subject", SUBJECT, "--out", "{work}/report.html"],
    # At a fixed --known-at after the log, so the reference can print the same `known_at`.
    "show --format json": ["show", "--as-of", AS_OF, "--known-at", KNOWN, "--format", "json"],
    "diff --format json": [
        *("diff", "--from", FROM, "--to", AS_OF),
        *("--known-at", KNOWN, "--format", "json"),
    ],
}
# The JSON commands and their references' arguments (`bench/json_reference.py`).
JSON_REFERENCES = {
    "show --format json": ["show", AS_OF],
    "diff --format json": ["diff", FROM, AS_OF],
}


# As users run it: compiled modules cached (a shell with PYTHONDONTWRITEBYTECODE set made
# every run compile the tracker's modules again, a second of each show at 100,000).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(argv: list[str], out: Path | None = None) -> tuple[float, float]:
    """(wall s, peak RSS MB) of one process; stdout to `out` (default: discarded). Its CPU
    seconds (user + system) go to stderr."""
    with tempfile.NamedTemporaryFile("r") as rss, tempfile.TemporaryFile() as err:
        sink = out.open("wb") if out is not None else open(os.devnull, "wb")  # noqa: SIM115
        with sink:
            start = time.perf_counter()
            code = subprocess.call(
                ["/usr/bin/time", "-f", "%U %S %M", "-o", rss.name, *argv],
                stdout=sink,
                stderr=err,
                env=ENV,
            )
            seconds = time.perf_counter() - start
        *_, user, system, peak = rss.read().split()
        peak_kb = int(peak)
        print(
            f"  {seconds:.2f} s wall, {float(user) + float(system):.2f} s CPU, "
            f"{peak_kb / 1024:.0f} MB: {' '.join(argv[-6:])}",
            file=sys.stderr,
            flush=True,
        )
        if code != 0:
            err.seek(0)
            raise SystemExit(f"{' '.join(argv)} failed ({code}): {err.read().decode()[-2000:]}")
    return seconds, peak_kb / 1024


def prepare(tracker: str, work: Path, n: int, log: Callable[[str], None]) -> tuple[str, Path]:
    """The database URL and the `export log` file for size `n`, built if missing."""
    data, db, dump = work / f"data-{n}", work / f"db-{n}.sqlite", work / f"log-{n}.jsonl"
    if not (data / "claims.csv").exists():
        log(f"generating {n} rows")
        subprocess.run(
            [PYTHON, str(BENCH / "generate.py"), "--n", str(n), "--articles", "--out", str(data)],
            check=True,
        )
    url = f"sqlite:///{db}"
    if not db.exists():
        log(f"importing {n} rows (minutes at a million)")
        subprocess.run(
            [tracker, "--db", url, "import", str(data / "claims.csv"), str(data / "changes.csv")],
            check=True,
            capture_output=True,
        )
    if not dump.exists():
        subprocess.run([tracker, "--db", url, "export", "log", "--out", str(dump)], check=True)
    return url, dump


def database(work: Path, n: int, databases: Path | None) -> Path:
    return databases / str(n) / "tracker.db" if databases else work / f"db-{n}.sqlite"


def run(
    tracker: str, work: Path, n: int, name: str, runs: int, databases: Path | None = None
) -> list[tuple[float, float]]:
    url, dump = f"sqlite:///{database(work, n, databases)}", work / f"log-{n}.jsonl"
    args = [a.format(log=dump, work=work) for a in COMMANDS[name]]
    subprocess.run([tracker, "--help"], capture_output=True, env=ENV)  # modules compiled
    samples = []
    for _ in range(runs):
        target = url
        if name == "restore":  # into a new database each time
            fresh = work / f"restored-{n}.sqlite"
            fresh.unlink(missing_ok=True)
            target = f"sqlite:///{fresh}"
        samples.append(timed([tracker, "--db", target, *args]))
    return samples


def reference(
    work: Path, n: int, name: str, tracker: str, runs: int, databases: Path | None = None
) -> list[float]:
    """Seconds of the reference, after checking it prints the tracker's bytes."""
    db = str(database(work, n, databases))
    ours, theirs = work / "tracker.json", work / "reference.json"
    timed([tracker, "--db", f"sqlite:///{db}", *COMMANDS[name]], ours)
    timed([PYTHON, REFERENCE, db, *JSON_REFERENCES[name]], theirs)
    if ours.read_bytes() != theirs.read_bytes():
        raise SystemExit(f"{name} at {n}: the reference's JSON differs from the tracker's")
    return [timed([PYTHON, REFERENCE, db, *JSON_REFERENCES[name]])[0] for _ in range(runs)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/tracker-memory"))
    parser.add_argument("--tracker", default=str(Path(PYTHON).with_name("tracker")))
    parser.add_argument("--only", help="comma-separated command names (default: all)")
    parser.add_argument("--no-json", action="store_true", help="skip the JSON references")
    parser.add_argument(
        "--databases", type=Path, help="read DIR/N/tracker.db (read-only) instead of building"
    )
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(COMMANDS)
    args.work.mkdir(parents=True, exist_ok=True)

    def log(text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

    log(f"nproc {os.cpu_count()}; load {os.getloadavg()}; tracker {shutil.which(args.tracker)}")
    medians: dict[tuple[str, int], tuple[float, float]] = {}
    ratios: dict[tuple[str, int], tuple[float, float]] = {}
    for n in args.sizes:
        if args.databases is None:
            prepare(args.tracker, args.work, n, log)
        for name in names:
            samples = run(args.tracker, args.work, n, name, args.runs, args.databases)
            medians[name, n] = (
                statistics.median(s for s, _ in samples),
                statistics.median(m for _, m in samples),
            )
            log(f"{name} at {n}: {samples}; load {os.getloadavg()[0]:.1f}")
            if name in JSON_REFERENCES and not args.no_json:
                times = reference(args.work, n, name, args.tracker, args.runs, args.databases)
                ref = statistics.median(times)
                ratios[name, n] = (ref, medians[name, n][0] / ref)
                log(f"{name} at {n}: reference {ref:.2f} s")
    small, large = args.sizes[0], args.sizes[-1]
    print(f"| command | {small:,} s | {small:,} MB | {large:,} s | {large:,} MB | MB ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in names:
        (s1, m1), (s2, m2) = medians[name, small], medians[name, large]
        print(f"| `{name}` | {s1:.2f} | {m1:.0f} | {s2:.2f} | {m2:.0f} | {m2 / m1:.2f} |")
    if ratios:
        print("\n| JSON command | size | tracker s | reference s | ratio |")
        print("|---|---:|---:|---:|---:|")
        for (name, n), (ref, ratio) in ratios.items():
            print(f"| `{name}` | {n:,} | {medians[name, n][0]:.2f} | {ref:.2f} | {ratio:.2f} |")
    log(f"done; load {os.getloadavg()}")


if __name__ == "__main__":
    main()
