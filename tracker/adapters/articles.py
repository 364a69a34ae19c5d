"""Article files (`.toml`): one `[source]` table and `[[claim]]` tables, read into import rows.

An article's provenance is written once, in `[source]`; each claim takes the columns of the
import format (a claim's own source columns win). TOML has no line numbers after parsing, so
the lines of each `[[claim]]` header and of each key are found in the text itself, and errors
point at the key (or the claim) they are about.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from tracker.domain.rows import COLUMNS, Row

# `[source]` keys and the import columns they fill.
SOURCE_KEYS = {
    "name": "source",
    "url": "source_url",
    "title": "source_title",
    "published": "published",
    "retrieved": "retrieved",
    "reliability": "reliability",
}

_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_-]+)\s*\]\s*(#.*)?$")
_ARRAY = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_-]+)\s*\]\]\s*(#.*)?$")
_KEY = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")
_AT_LINE = re.compile(r"at line (\d+)")


@dataclass(frozen=True)
class BadKey:
    """A key or table that is not part of an article (the caller makes it a `Problem`)."""

    line: int
    column: str
    message: str


@dataclass
class _Lines:
    """Where things are in the text: the `[source]` table, each `[[claim]]`, each key."""

    source: int = 1
    source_keys: dict[str, int] = field(default_factory=dict)
    claims: list[int] = field(default_factory=list)
    claim_keys: list[dict[str, int]] = field(default_factory=list)


def read_article(text: str) -> Iterator[Row | BadKey]:
    """The claims of an article as import rows (line: its `[[claim]]`), and what is wrong."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _AT_LINE.search(str(error))
        yield BadKey(int(found.group(1)) if found else 1, "row", f"not valid TOML: {error}")
        return
    lines = _locate(text)
    for key in document:
        if key not in ("source", "claim"):
            yield BadKey(1, key, "unknown table or key: an article has [source] and [[claim]]")
    source = document.get("source", {})
    claims = document.get("claim", [])
    if not isinstance(source, dict) or not isinstance(claims, list):
        yield BadKey(1, "row", "[source] must be a table and [[claim]] an array of tables")
        return
    common: dict[str, str | None] = {}
    for key, value in source.items():
        column = SOURCE_KEYS.get(key)
        line = lines.source_keys.get(key, lines.source)
        if column is None:
            yield BadKey(line, key, f"unknown [source] key; known: {', '.join(SOURCE_KEYS)}")
            continue
        cell = _cell(value)
        if isinstance(cell, BadKey):
            yield BadKey(line, column, cell.message)
            continue
        common[column] = cell
    if not claims:
        yield BadKey(1, "claim", "the article has no [[claim]] table")
    for index, claim in enumerate(claims):
        yield _claim_row(claim, index, lines, common)


def _claim_row(claim: Any, index: int, lines: _Lines, common: dict[str, str | None]) -> Row:
    line = lines.claims[index] if index < len(lines.claims) else 1
    keys = lines.claim_keys[index] if index < len(lines.claim_keys) else {}
    fields = dict(common)
    unread = []  # the claim is rejected with these and with its other keys' problems
    for key, value in claim.items():
        column = key.strip().lower()
        if column not in COLUMNS:
            unread.append((key, "unknown key"))
            continue
        cell = _cell(value)
        if isinstance(cell, BadKey):
            unread.append((column, cell.message))
            continue
        fields[column] = cell
    where = {key.strip().lower(): at for key, at in keys.items()} | keys
    where.update(
        {
            c: lines.source_keys[k]
            for k, c in SOURCE_KEYS.items()
            if c not in where and k in lines.source_keys
        }
    )
    return Row(line, fields, where, tuple(unread))


def _cell(value: Any) -> str | BadKey | None:
    """A TOML value as the text of an import cell: numbers and dates as written."""
    if isinstance(value, bool):
        return BadKey(0, "", "a true/false value is not a claim field")
    if isinstance(value, str):
        return value or None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return BadKey(0, "", "a time of day alone is not a date")
    return BadKey(0, "", "must be a single value (text, number or date), not a table or list")


def _locate(text: str) -> _Lines:
    """Lines of the `[source]` table, of each `[[claim]]` and of their keys. Lines inside a
    multi-line string are skipped, so text in a quote cannot pass for a key."""
    found = _Lines()
    keys: dict[str, int] | None = None
    quote: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if quote is not None:
            if line.count(quote) % 2:
                quote = None
            continue
        if array := _ARRAY.match(line):
            keys = None
            if array.group(1) == "claim":
                found.claims.append(number)
                keys = {}
                found.claim_keys.append(keys)
        elif table := _TABLE.match(line):
            keys = None
            if table.group(1) == "source":
                found.source = number
                keys = found.source_keys
        elif (key := _KEY.match(line)) and keys is not None:
            keys.setdefault(next(g for g in key.groups() if g is not None), number)
        for mark in ('"""', "'''"):
            if line.count(mark) % 2:
                quote = mark
                break
    return found
