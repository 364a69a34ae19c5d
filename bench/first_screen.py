"""The first screen (issue 17): `tracker show` whole picture on a terminal, as a whole process.

    .venv/bin/python bench/first_screen.py DB [DB ...] [--runs 5]
                                           [--tracker OTHER/.venv/bin/tracker]

Each run starts `tracker --db DB --no-pager show` under `script` (a pseudo-terminal, so stdout
is a tty and the terminal default applies) with COLUMNS=200, timed inside the pty by
/usr/bin/time (wall, user + system CPU, peak RSS); then `tracker --db DB info` the same way, so
the start-up share of the figure is known. The two alternate; medians are printed as a
Markdown table with `uptime`'s load before and after.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

TRACKER = str(Path(sys.executable).with_name("tracker"))


def timed(argv: list[str]) -> tuple[float, float, float, int]:
    """(wall s, CPU s, peak RSS MB, lines printed) of argv run on a pseudo-terminal."""
    with tempfile.NamedTemporaryFile("r") as report, tempfile.NamedTemporaryFile("rb") as out:
        inner = shlex.join(["/usr/bin/time", "-f", "%e %U %S %M", "-o", report.name, *argv])
        done = subprocess.run(
            ["script", "-qec", inner, out.name],
            env={**os.environ, "COLUMNS": "200", "LINES": "50"},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed: {out.read()[-2000:]!r}")
        wall, user, system, peak = report.read().split()[-4:]
        return float(wall), float(user) + float(system), int(peak) / 1024, out.read().count(b"\n")


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dbs", nargs="+")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tracker", default=TRACKER)
    args = parser.parse_args()
    print(f"tracker: {args.tracker}\nbefore: {uptime()}")
    print("| db | command | runs | wall s | CPU s | RSS MB | lines |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for db in args.dbs:
        samples: dict[str, list[tuple[float, float, float, int]]] = {"show": [], "info": []}
        for _ in range(args.runs):
            for name in samples:
                extra = ["--no-pager", "show"] if name == "show" else ["info"]
                samples[name].append(timed([args.tracker, "--db", db, *extra]))
        for name, got in samples.items():
            wall, cpu, rss = (statistics.median(s[i] for s in got) for i in range(3))
            cells = f"{len(got)} | {wall:.3f} | {cpu:.3f} | {rss:.0f} | {got[0][3]}"
            print(f"| {db} | {name} | {cells} |", flush=True)
    print(f"after: {uptime()}")


if __name__ == "__main__":
    main()
