"""Profile one tracker operation with cProfile (the figures in RESULTS.md came from this).

    .venv/bin/python bench/profile_op.py import DB CSV [--warm-dates CSV] [--top 20]
    .venv/bin/python bench/profile_op.py show DB --as-of 2025-12-31
    .venv/bin/python bench/profile_op.py diff DB --from 2020-06-30 --to 2025-12-31
    .venv/bin/python bench/profile_op.py export DB

`--warm-dates CSV` parses every date of that file before profiling, so the profile shows what
the operation costs once the EDTF parsing (which dominates a cold process) is out of the way.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import pstats
import time
from pathlib import Path
from typing import Any


def warm_dates(path: Path) -> int:
    from tracker.domain.dates import parse_date

    texts: set[str] = set()
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            texts.update(t for t in (row.get("date"), row.get("published")) if t)
    for text in texts:
        parse_date(text)
    return len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("operation", choices=("import", "show", "diff", "export"))
    parser.add_argument("db", type=Path)
    parser.add_argument("csv", nargs="?", type=Path)
    parser.add_argument("--as-of", default="2025-12-31")
    parser.add_argument("--from", dest="start", default="2020-06-30")
    parser.add_argument("--to", dest="end", default="2025-12-31")
    parser.add_argument("--warm-dates", type=Path)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()

    from tracker.adapters.files import write_csv
    from tracker.db import open_store
    from tracker.domain.rows import COLUMNS
    from tracker.services import Tracker, utc_now

    app = Tracker(open_store(f"sqlite:///{args.db}", utc_now), utc_now)
    if args.warm_dates:
        start = time.perf_counter()
        count = warm_dates(args.warm_dates)
        print(f"warmed {count} date texts in {time.perf_counter() - start:.2f} s")

    def run() -> Any:
        if args.operation == "import":
            return app.import_paths([str(args.csv)])
        if args.operation == "show":
            return app.show(args.as_of, None)
        if args.operation == "diff":
            return app.diff(args.start, args.end)
        out = io.StringIO()
        with app.export_claims(False) as rows:
            write_csv(out, COLUMNS, rows)
        return out

    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.runcall(run)
    print(f"{args.operation}: {time.perf_counter() - start:.2f} s under cProfile")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
