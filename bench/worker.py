"""One benchmark operation, run in a fresh process by bench/run.py (so peak RSS is its own).

    .venv/bin/python bench/worker.py OPERATION ARGS...

Prints one JSON object: {"seconds": wall time of the operation proper, "rows": rows handled}.
Setup (opening the store, creating the schema, importing Python modules) is outside the timing;
whole-process times are measured by run.py itself.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any

import reference
from generate import COLUMNS

# --- plain sqlite3 over the reference's projection (the same `claims` table) ---

LATEST = """
SELECT s, a, v, first_day, src FROM (
  SELECT subject AS s, attribute AS a, value AS v, first_day, source_id AS src,
         row_number() OVER (PARTITION BY subject_key, attribute_key
                            ORDER BY first_day DESC, position DESC) AS rn
  FROM claims
  WHERE attribute IS NOT NULL AND NOT retracted AND first_day <= :d
) WHERE rn = 1
"""
OCCURRENCES = """
SELECT id, subject, type, date, summary, source_id
FROM claims
WHERE attribute IS NULL AND NOT retracted AND first_day > :a AND first_day <= :d
ORDER BY first_day DESC, last_day DESC, position DESC
"""


def _day(text: str) -> int:
    return date.fromisoformat(text).toordinal()


def ref_show(db: str, as_of: str) -> int:
    conn = sqlite3.connect(db)
    slots = conn.execute(LATEST + " ORDER BY s, a", {"d": _day(as_of)}).fetchall()
    occurrences = conn.execute(OCCURRENCES, {"a": 0, "d": _day(as_of)}).fetchall()
    conn.close()
    return len(slots) + len(occurrences)


def ref_diff(db: str, start: str, end: str) -> int:
    conn = sqlite3.connect(db)
    changes = conn.execute(
        f"""
        WITH before AS ({LATEST.replace(":d", ":a")}), after AS ({LATEST})
        SELECT after.s, after.a, before.v, after.v
        FROM after LEFT JOIN before ON lower(before.s) = lower(after.s) AND before.a = after.a
        WHERE before.v IS NOT after.v
        ORDER BY lower(after.s), after.a
        """,
        {"a": _day(start), "d": _day(end)},
    ).fetchall()
    occurrences = conn.execute(OCCURRENCES, {"a": _day(start), "d": _day(end)}).fetchall()
    conn.close()
    return len(changes) + len(occurrences)


EXPORT = """
SELECT c.id, NULL, c.type, c.date, c.subject, c.attribute, c.value, c.unit, c.actor, c.target,
       c.place, c.summary, a.name, a.url, a.title, a.published, c.quote, c.originator,
       a.reliability, c.credibility, NULL
FROM claims c JOIN articles a ON a.id = c.source_id
WHERE NOT c.retracted ORDER BY c.position
"""


def ref_export(db: str, out: str) -> int:
    conn = sqlite3.connect(db)
    count = 0
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in conn.execute(EXPORT):
            writer.writerow(row)
            count += 1
    conn.close()
    return count


# --- the tracker, through its service layer ---


def _tracker(url: str) -> Any:
    from tracker.db import open_store
    from tracker.services import Tracker, utc_now

    return Tracker(open_store(url, utc_now), utc_now)


def tracker_import(url: str, path: str) -> tuple[float, int]:
    app = _tracker(url)
    start = time.perf_counter()
    summaries = app.import_paths([path])
    seconds = time.perf_counter() - start
    counts = summaries[0].counts
    if summaries[0].errors:
        raise SystemExit(f"tracker rejected rows: {summaries[0].errors[:3]}")
    return seconds, sum(counts.values())


def tracker_show(url: str, as_of: str) -> tuple[float, int]:
    app = _tracker(url)
    start = time.perf_counter()
    picture, _cut = app.show(as_of, None)
    seconds = time.perf_counter() - start
    return seconds, len(picture.slots) + len(picture.occurrences)


def tracker_append_show(url: str, subject: str = "") -> tuple[float, int]:
    """Append one claim (not timed), then time `show` of today's picture (of one subject)."""
    app = _tracker(url)
    app.add(
        {
            "type": "military.force_level",
            "date": "2025-06",
            "subject": subject or "Unit 000001",
            "attribute": "bench_appended",
            "value": "1",
            "summary": "One claim appended before the timed show.",
            "source": "Bench Appender",
        }
    )
    start = time.perf_counter()
    picture, _cut = app.show(None, None, subject or None)
    seconds = time.perf_counter() - start
    return seconds, len(picture.slots) + len(picture.occurrences)


def tracker_diff(url: str, start_date: str, end_date: str) -> tuple[float, int]:
    app = _tracker(url)
    start = time.perf_counter()
    result = app.diff(start_date, end_date)
    seconds = time.perf_counter() - start
    return seconds, len(result.changes) + len(result.occurrences)


def tracker_export(url: str, out: str) -> tuple[float, int]:
    from tracker.adapters.files import write_csv
    from tracker.adapters.outputs import atomic_output
    from tracker.domain.rows import COLUMNS as TRACKER_COLUMNS

    app = _tracker(url)
    count = 0

    def counted(rows: Iterable[Any]) -> Iterator[Any]:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    start = time.perf_counter()
    with app.export_claims(False) as rows, atomic_output(out) as handle:
        write_csv(handle, TRACKER_COLUMNS, counted(rows))  # streamed, as the command does
    seconds = time.perf_counter() - start
    return seconds, count


def _timed(function: Callable[..., int], *args: str) -> tuple[float, int]:
    start = time.perf_counter()
    rows = function(*args)
    return time.perf_counter() - start, rows


OPERATIONS: dict[str, Callable[..., tuple[float, int]]] = {
    "tracker-import": tracker_import,
    "tracker-show": tracker_show,
    "tracker-diff": tracker_diff,
    "tracker-append-show": tracker_append_show,
    "tracker-export": tracker_export,
    "ref-sqlite-import": lambda *a: _timed(reference.sqlite_import, *a),
    "ref-sqlite-reimport": lambda *a: _timed(reference.sqlite_reimport, *a),
    "ref-pg-copy": lambda *a: _timed(reference.pg_copy, *a),
    "ref-show": lambda *a: _timed(ref_show, *a),
    "ref-diff": lambda *a: _timed(ref_diff, *a),
    "ref-export": lambda *a: _timed(ref_export, *a),
}


def main() -> None:
    name, *args = sys.argv[1:]
    seconds, rows = OPERATIONS[name](*args)
    print(json.dumps({"seconds": seconds, "rows": rows}))


if __name__ == "__main__":
    main()
