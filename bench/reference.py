"""The plain references for import (issue 17): `csv` + `sqlite3` / psycopg `COPY`, no tracker.

They read the same CSV and build the same rows the tracker writes for it, into a database
made by `tracker db upgrade` (the same tables, indexes and triggers):

- `log`: one `claim.asserted` per row, its payload the same canonical JSON (the claim and
  its article, the article's id a content hash as the tracker derives it), a random event
  id, the chain hash over the same envelope; one `import.recorded` at the end, with the
  file's sha256;
- `claims`: the same projection row (folded subject and attribute keys, the day ordinals
  of the date's windows);
- `articles`, `publishers` (the first spelling; the first grade given), `subjects` and
  `attribute_names` (new keys with their first spelling), and the projection's position.

What they leave out is the tracker's own checking: validation, rule 5, near-duplicates,
unit and name warnings. A file that the tracker would refuse is not their business: the
bench files are valid. `bench/same_rows.py` checks that both databases hold the same rows.

The re-import reference builds each row's payload the same way, looks the ids of each
chunk of 500 rows up through the `claim_id` index, and compares the payload text.
"""

from __future__ import annotations

import calendar
import csv
import hashlib
import json
import os
import sqlite3
import unicodedata
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

CHUNK = 5000  # rows per executemany / COPY, as the tracker's batches
ID_CHUNK = 500  # ids per IN (...) lookup, as the tracker's
GENESIS = "0" * 64
CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
CLAIM = (
    "id",
    "type",
    "date",
    "subject",
    "summary",
    "source_id",
    "attribute",
    "value",
    "unit",
    "actor",
    "target",
    "place",
    "quote",
    "originator",
    "credibility",
)
CLAIM_ROW = (
    *CLAIM,
    "position",
    "retracted",
    "rank",
    "subject_key",
    "attribute_key",
    "first_day",
    "last_day",
    "end_day",
    "actor_key",
    "target_key",
    "place_key",
)
# The search index's text fields (migration 0008): FTS5 columns on SQLite; on PostgreSQL a
# weighted tsvector, built by the server from the same texts.
SEARCHED = ("summary", "quote", "subject", "actor", "target", "place", "source")
WEIGHT = {"subject": "A", "summary": "B", "actor": "C", "target": "C", "place": "C"}
SEARCH_ROW = ("rowid", *SEARCHED)
LOG_ROW = ("position", "event_id", "recorded_at", "kind", "claim_id", "payload", "hash")
ARTICLE_ROW = ("publisher_key", "id", "name", "url", "title", "published", "retrieved")
ARTICLE_ROW = (*ARTICLE_ROW, "reliability")
NAME_ROW = ("key", "spelling", "position")


def _fold(text: str | None) -> str | None:
    return " ".join(text.split()) or None if text is not None else None


def _key(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        return unicodedata.normalize("NFC", " ".join(text.split()).casefold())
    return " ".join(text.split()).casefold()


def _part(text: str) -> tuple[date, date]:
    """The window of one YYYY[-MM[-DD]] part (a flag after it ignored)."""
    bare = text.rstrip("~?")
    year = int(bare[:4])
    if len(bare) == 4:
        return date(year, 1, 1), date(year, 12, 31)
    month = int(bare[5:7])
    if len(bare) == 7:
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    day = date(year, month, int(bare[8:10]))
    return day, day


def days(text: str) -> tuple[int, int, int | None]:
    """(first, last day of the start window, last day of a closed span's end) as ordinals."""
    if text.startswith("["):
        a, b = text[1:-1].split("..")
        return _part(a)[0].toordinal(), _part(b)[1].toordinal(), None
    left, slash, right = text.partition("/")
    if not slash:
        lo, hi = _part(left)
        return lo.toordinal(), hi.toordinal(), None
    if left == "..":
        lo, hi = _part(right)
        return lo.toordinal(), hi.toordinal(), None
    lo, hi = _part(left)
    end = None if right == ".." else _part(right)[1].toordinal()
    return lo.toordinal(), hi.toordinal(), end


class Rows:
    """The rows of one file, built as the tracker builds them, chunk after chunk."""

    def __init__(self, path: Path, start: int = 0) -> None:
        self.path = path
        self.position = start
        self.previous = GENESIS
        self.instant = datetime.now(UTC)
        self.stamp = self.instant.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        self.publishers: dict[str, list[str | None]] = {}  # key: [name, grade]
        self.articles: set[str] = set()
        self.subjects: set[str] = set()
        self.attributes: set[str] = set()

    def records(self) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """(claim, article) of each row, with the fields as the tracker stores them."""
        with self.path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            names = [h.strip().lower() for h in next(reader)]
            for record in reader:
                get = dict(zip(names, record, strict=True)).get
                name = _fold(get("source"))
                assert name is not None
                article = {
                    "name": name,
                    "url": _fold(get("source_url")),
                    "title": _fold(get("source_title")),
                    "published": _fold(get("published")),
                    "retrieved": _fold(get("retrieved")),
                    "reliability": (get("reliability") or "F").strip().upper() or "F",
                }
                identity = {
                    "name": name.casefold(),
                    "url": article["url"],
                    "title": article["title"],
                    "published": article["published"],
                    "reliability": article["reliability"],
                }
                digest = hashlib.sha256(CANONICAL.encode(identity).encode()).hexdigest()
                article["id"] = f"src:{digest[:16]}"
                claim = {column: _fold(get(column)) for column in CLAIM}
                claim["source_id"] = article["id"]
                claim["credibility"] = (get("credibility") or "6").strip() or "6"
                quote = get("quote")
                claim["quote"] = quote.strip() or None if quote else None
                yield claim, article

    def payloads(self) -> Iterator[tuple[str, str]]:
        """(claim id, payload text) of each row: what a re-import compares."""
        for claim, article in self.records():
            yield claim["id"], CANONICAL.encode({"article": article, "claim": claim})

    def chunks(self) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
        """Rows for each table, CHUNK file rows at a time."""
        chunk = _empty()
        for claim, article in self.records():
            payload = CANONICAL.encode({"article": article, "claim": claim})
            chunk["log"].append(self._logged("claim.asserted", claim["id"], payload))
            at = self.position
            subject_key = _key(claim["subject"])
            attribute = claim["attribute"]
            attribute_key = (
                _key(attribute).replace(" ", "_").replace("-", "_") if attribute else None
            )
            first, last, end = days(claim["date"])
            actor, target, place = claim["actor"], claim["target"], claim["place"]
            chunk["claims"].append(
                (
                    *claim.values(),
                    at,
                    False,
                    "normal",
                    subject_key,
                    attribute_key,
                    first,
                    last,
                    end,
                    _key(actor) if actor is not None else None,
                    _key(target) if target is not None else None,
                    _key(place) if place is not None else None,
                )
            )
            publisher = self._cite(chunk, article)
            chunk["search_index"].append(
                (at, *(claim[f] or "" for f in SEARCHED[:-1]), self.publishers[publisher][0])
            )
            if subject_key not in self.subjects:
                self.subjects.add(subject_key)
                chunk["subjects"].append((subject_key, claim["subject"], at))
            if attribute_key is not None and attribute_key not in self.attributes:
                self.attributes.add(attribute_key)
                chunk["attribute_names"].append((attribute_key, attribute, at))
            if len(chunk["log"]) == CHUNK:
                yield chunk
                chunk = _empty()
        yield chunk

    def _cite(self, chunk: dict[str, list[tuple[Any, ...]]], article: dict[str, Any]) -> str:
        key = _key(article["name"])
        grade = None if article["reliability"] == "F" else article["reliability"]
        publisher = self.publishers.get(key)
        if publisher is None:
            self.publishers[key] = [article["name"], grade]
        elif publisher[1] is None:
            publisher[1] = grade
        if article["id"] not in self.articles:
            self.articles.add(article["id"])
            chunk["articles"].append((key, *(article[c] for c in ARTICLE_ROW[1:])))
        return key

    def _logged(self, kind: str, claim_id: str | None, payload: str) -> tuple[Any, ...]:
        self.position += 1
        h = os.urandom(16).hex()
        event_id = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"
        body = (
            f'{{"event_id":"{event_id}","kind":"{kind}","payload":{payload},'
            f'"position":{self.position},"recorded_at":"{self.stamp}"}}'
        )
        digest = hashlib.sha256((self.previous + body).encode()).hexdigest()
        self.previous = digest
        return (self.position, event_id, self.instant, kind, claim_id, payload, digest)

    def recorded(self, count: int) -> tuple[Any, ...]:
        """The `import.recorded` row that ends the file."""
        sha = hashlib.sha256(self.path.read_bytes()).hexdigest()
        counts = {"corrected": 0, "new": count, "rejected": 0, "retracted": 0, "unchanged": 0}
        payload = CANONICAL.encode({"counts": counts, "name": self.path.name, "sha256": sha})
        return self._logged("import.recorded", None, payload)

    def publisher_rows(self) -> list[tuple[Any, ...]]:
        return [(key, name, grade) for key, (name, grade) in self.publishers.items()]


def _empty() -> dict[str, list[tuple[Any, ...]]]:
    return {t: [] for t in COLUMNS}


COLUMNS = {
    "log": LOG_ROW,
    "claims": CLAIM_ROW,
    "search_index": SEARCH_ROW,
    "articles": ARTICLE_ROW,
    "subjects": NAME_ROW,
    "attribute_names": NAME_ROW,
}


TALLY = "INSERT INTO tallies (name, value) VALUES ('active_claims', ?)"


def _sqlite_time(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The log row as SQLAlchemy stores a UTC time in SQLite: naive ISO text with a space."""
    return (*row[:2], row[2].replace(tzinfo=None).isoformat(" "), *row[3:])


def sqlite_import(db: str, path: str) -> int:
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    (start,) = conn.execute("SELECT coalesce(max(position), 0) FROM log").fetchone()
    rows = Rows(Path(path), start)
    statements = {
        table: f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        f"({', '.join('?' for _ in columns)})"
        for table, columns in COLUMNS.items()
    }
    count = 0
    for chunk in rows.chunks():
        count += len(chunk["log"])
        chunk["log"] = [_sqlite_time(r) for r in chunk["log"]]
        for table, values in chunk.items():
            conn.executemany(statements[table], values)
    conn.execute(statements["log"], _sqlite_time(rows.recorded(count)))
    conn.executemany(
        "INSERT INTO publishers (key, name, grade) VALUES (?, ?, ?)", rows.publisher_rows()
    )
    conn.execute("UPDATE projection SET position = ? WHERE name = 'claims'", (rows.position,))
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'tallies'").fetchone():
        conn.execute(TALLY, (count,))  # schema 0010 on: the count of active claims
    conn.execute("COMMIT")
    conn.close()
    return count


def sqlite_reimport(db: str, path: str) -> int:
    """The same rows again: each chunk's ids looked up through the index, payloads compared."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    count = changed = 0
    chunk: list[tuple[str, str]] = []

    def compare() -> int:
        marks = ", ".join("?" for _ in chunk)
        found = dict(
            conn.execute(
                f"SELECT claim_id, payload FROM log WHERE claim_id IN ({marks})",
                [i for i, _ in chunk],
            ).fetchall()
        )
        return sum(found.get(claim_id) != payload for claim_id, payload in chunk)

    for item in Rows(Path(path)).payloads():
        chunk.append(item)
        count += 1
        if len(chunk) == ID_CHUNK:
            changed += compare()
            chunk = []
    if chunk:
        changed += compare()
    conn.execute("ROLLBACK")
    conn.close()
    if changed:
        raise SystemExit(f"reference re-import saw {changed} changed rows")
    return count


def pg_copy(url: str, path: str) -> int:
    import psycopg

    count = 0
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT coalesce(max(position), 0) FROM log")
        row = cur.fetchone()
        rows = Rows(Path(path), int(row[0]) if row else 0)
        texts = ", ".join(f"{f} text" for f in SEARCHED)
        cur.execute(f"CREATE TEMPORARY TABLE ref_search (position bigint, {texts})")
        document = " || ".join(
            f"setweight(to_tsvector('simple', {f}), '{WEIGHT.get(f, 'D')}')" for f in SEARCHED
        )
        for chunk in rows.chunks():
            count += len(chunk["log"])
            for table, values in chunk.items():
                if values and table == "search_index":
                    _copy(cur, "ref_search", ("position", *SEARCHED), values)
                    cur.execute(
                        f"INSERT INTO search_index (position, document) "
                        f"SELECT position, {document} FROM ref_search"
                    )
                    cur.execute("TRUNCATE ref_search")
                elif values:
                    _copy(cur, table, COLUMNS[table], values)
        _copy(cur, "log", LOG_ROW, [rows.recorded(count)])
        _copy(cur, "publishers", ("key", "name", "grade"), rows.publisher_rows())
        cur.execute("UPDATE projection SET position = %s WHERE name = 'claims'", (rows.position,))
        cur.execute("SELECT to_regclass('tallies')")
        found = cur.fetchone()
        if found and found[0] is not None:
            cur.execute(TALLY.replace("?", "%s"), (count,))
    return count


def _copy(cur: Any, table: str, columns: tuple[str, ...], values: list[tuple[Any, ...]]) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    with cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for value in values:
            copy.write_row(value)
