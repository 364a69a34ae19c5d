"""Check that two SQLite databases hold the same rows (bench/reference.py's fairness check).

    .venv/bin/python bench/same_rows.py TRACKER.db REFERENCE.db

Compares every derived table whole and the log's positions, kinds, claim ids and payloads
(event ids, times and hashes differ by nature: random ids, another clock). Exit 1 on a
difference, naming the table and the first differing row.
"""

from __future__ import annotations

import sqlite3
import sys

QUERIES = {
    "log": "SELECT position, kind, claim_id, payload FROM log ORDER BY position",
    "claims": "SELECT * FROM claims ORDER BY id",
    "articles": "SELECT * FROM articles ORDER BY id",
    "publishers": "SELECT * FROM publishers ORDER BY key",
    "subjects": "SELECT * FROM subjects ORDER BY key",
    "attribute_names": "SELECT * FROM attribute_names ORDER BY key",
    "projection": "SELECT * FROM projection ORDER BY name",
    "search_index": "SELECT rowid, * FROM search_index ORDER BY rowid",
    "tallies": "SELECT * FROM tallies ORDER BY name",
    "earlier_slots": "SELECT * FROM earlier_slots ORDER BY claim_id",
}


def main() -> int:
    a, b = (sqlite3.connect(path) for path in sys.argv[1:3])
    bad = 0
    for table, query in QUERIES.items():
        left, right = a.execute(query).fetchall(), b.execute(query).fetchall()
        if table == "log":  # the import records name the same file by name and hash
            left, right = left[:-1], right[:-1]
        if left == right:
            print(f"{table}: {len(left)} rows, the same")
            continue
        bad += 1
        first = next((i for i, (x, y) in enumerate(zip(left, right, strict=False)) if x != y), None)
        print(f"{table}: {len(left)} / {len(right)} rows, differ", end="")
        print(f" first at {first}:\n  {left[first]}\n  {right[first]}" if first is not None else "")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
