"""One benchmark operation, run in a fresh process by bench/run.py (so peak RSS is its own).

    .venv/bin/python bench/worker.py OPERATION ARGS...

Prints one JSON object: {"seconds": wall time of the operation proper, "rows": rows handled}.
Setup (opening the store, creating the schema, importing Python modules) is outside the timing;
whole-process times are measured by run.py itself.
"""

from __future__ import annotations

import calendar
import csv
import hashlib
import json
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

# The generated files' columns are the reference table's shape.
from generate import COLUMNS

# The tracker's log table, same columns and indexes (tracker/adapters/tables.py).
SQLITE_SCHEMA = """
CREATE TABLE log (
    position BIGINT NOT NULL PRIMARY KEY,
    event_id VARCHAR(36) NOT NULL UNIQUE,
    recorded_at DATETIME NOT NULL,
    kind VARCHAR(40) NOT NULL,
    claim_id VARCHAR(200),
    payload TEXT NOT NULL,
    hash VARCHAR(64) NOT NULL
);
CREATE INDEX ix_log_claim_id ON log (claim_id);
CREATE INDEX ix_log_recorded_at ON log (recorded_at);
"""
PG_SCHEMA = SQLITE_SCHEMA.replace("DATETIME", "TIMESTAMP WITH TIME ZONE")
INSERT = "INSERT INTO log VALUES (?, ?, ?, ?, ?, ?, ?)"


# --- the reference: plain csv + sqlite3 / psycopg, doing the same row work without tracker ---


def _part(text: str) -> tuple[date, date]:
    """Window of one YYYY[-MM[-DD]] part (flags stripped), with plain string work."""
    bare = text.rstrip("~?")
    year = int(bare[:4])
    if len(bare) == 4:
        return date(year, 1, 1), date(year, 12, 31)
    month = int(bare[5:7])
    if len(bare) == 7:
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    day = date(year, month, int(bare[8:10]))
    return day, day


def window(text: str) -> tuple[str, str]:
    """(earliest, latest) of the start window of a valid date, as ISO text."""
    if text.startswith("["):
        a, b = text[1:-1].split("..")
        return _part(a)[0].isoformat(), _part(b)[1].isoformat()
    left, _, right = text.partition("/")
    if left == "..":
        left = right
    lo, hi = _part(left)
    return lo.isoformat(), hi.isoformat()


def read_rows(path: Path) -> Iterator[dict[str, str | None]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for record in csv.DictReader(handle):
            yield {k.strip().lower(): (v or None) for k, v in record.items()}


def log_rows(path: Path) -> Iterator[tuple[Any, ...]]:
    """The reference's log rows: canonical JSON payload with the date window, chained hash."""
    now = datetime.now(UTC).isoformat()
    previous = "0" * 64
    for position, fields in enumerate(read_rows(path), start=1):
        earliest, latest = window(fields["date"] or "")
        fields["earliest"], fields["latest"] = earliest, latest
        payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        digest = hashlib.sha256((previous + payload).encode()).hexdigest()
        previous = digest
        yield (
            position,
            str(uuid.uuid4()),
            now,
            "claim.asserted",
            fields["id"],
            payload,
            digest,
        )


def ref_sqlite_import(db: str, path: str) -> int:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    rows = list(log_rows(Path(path)))
    conn.executemany(INSERT, rows)
    conn.execute("COMMIT")
    conn.close()
    return len(rows)


def ref_sqlite_reimport(db: str, path: str) -> int:
    """Same rows again: look each id up, compare content, append nothing."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    query = "SELECT payload FROM log WHERE claim_id = ? ORDER BY position DESC LIMIT 1"
    count = changed = 0
    for row in log_rows(Path(path)):
        found = conn.execute(query, (row[4],)).fetchone()
        changed += found is None or found[0] != row[5]
        count += 1
    conn.execute("COMMIT")
    conn.close()
    if changed:
        raise SystemExit(f"reference re-import saw {changed} changed rows")
    return count


def ref_pg_copy(url: str, path: str) -> int:
    import psycopg

    count = 0
    with (
        psycopg.connect(url) as conn,
        conn.cursor() as cur,
        cur.copy("COPY log FROM STDIN") as copy,
    ):
        for row in log_rows(Path(path)):
            copy.write_row(row)
            count += 1
    return count


LATEST = """
WITH c AS (
  SELECT position,
         json_extract(payload, '$.subject') AS s,
         json_extract(payload, '$.attribute') AS a,
         json_extract(payload, '$.value') AS v,
         json_extract(payload, '$.earliest') AS e,
         json_extract(payload, '$.source') AS src
  FROM log
  WHERE kind = 'claim.asserted' AND json_extract(payload, '$.attribute') IS NOT NULL
    AND json_extract(payload, '$.earliest') <= :d
)
SELECT s, a, v, e, src FROM (
  SELECT *, row_number() OVER (PARTITION BY lower(s), a ORDER BY e DESC, position DESC) AS rn
  FROM c
) WHERE rn = 1
"""
OCCURRENCES = """
SELECT json_extract(payload, '$.id'), json_extract(payload, '$.subject'),
       json_extract(payload, '$.type'), json_extract(payload, '$.date'),
       json_extract(payload, '$.summary'), json_extract(payload, '$.source')
FROM log
WHERE kind = 'claim.asserted' AND json_extract(payload, '$.attribute') IS NULL
  AND json_extract(payload, '$.earliest') > :a AND json_extract(payload, '$.earliest') <= :d
ORDER BY json_extract(payload, '$.earliest') DESC, position DESC
"""


def ref_show(db: str, as_of: str) -> int:
    conn = sqlite3.connect(db)
    slots = conn.execute(LATEST + " ORDER BY lower(s), a", {"d": as_of}).fetchall()
    occurrences = conn.execute(OCCURRENCES, {"a": "0000", "d": as_of}).fetchall()
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
        {"a": start, "d": end},
    ).fetchall()
    occurrences = conn.execute(OCCURRENCES, {"a": start, "d": end}).fetchall()
    conn.close()
    return len(changes) + len(occurrences)


def ref_export(db: str, out: str) -> int:
    conn = sqlite3.connect(db)
    count = 0
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for (payload,) in conn.execute(
            "SELECT payload FROM log WHERE kind = 'claim.asserted' ORDER BY position"
        ):
            fields = json.loads(payload)
            writer.writerow([fields.get(c) for c in COLUMNS])
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
    from tracker.adapters.files import atomic_output, write_csv
    from tracker.domain.importing import COLUMNS as TRACKER_COLUMNS

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
    "ref-sqlite-import": lambda *a: _timed(ref_sqlite_import, *a),
    "ref-sqlite-reimport": lambda *a: _timed(ref_sqlite_reimport, *a),
    "ref-pg-copy": lambda *a: _timed(ref_pg_copy, *a),
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
