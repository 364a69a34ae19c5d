"""Rows and problems read from the text of an import file: CSV (a malformed record costs
only its own line), JSON Lines (one object per line, keys given once) and article files
(`.toml`, parsed by `articles`)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from tracker.adapters.articles import read_article
from tracker.adapters.csvrecords import Malformed, records
from tracker.adapters.files import unneutralise
from tracker.domain.rows import COLUMNS, IGNORED, Row


@dataclass(frozen=True)
class Problem:
    """A row that could not even be read as fields (ragged, not JSON), or a bad header."""

    row: Row
    column: str
    message: str


def read_csv(handle: TextIO) -> Iterator[Row | Problem]:
    read = records(handle)
    header = next(read, None)
    if header is None:
        yield Problem(Row(1, {}), "header", "the file is empty: a header row is required")
        return
    if isinstance(header, Malformed):
        yield Problem(Row(1, {}), "header", f"{header.message}; nothing of the file was read")
        return
    names = [h.strip().lower() for h in header[2]]
    doubled = sorted({n for n in names if names.count(n) > 1})
    if doubled:
        # Which cell would win is a guess: refuse the file rather than read half of its rows.
        yield Problem(
            Row(1, {}),
            "header",
            f"duplicate column(s) {', '.join(doubled)}; nothing of the file was read",
        )
        return
    unknown = [h for h in names if h not in COLUMNS and h not in IGNORED]
    if unknown:
        yield Problem(Row(1, {}), "header", f"unknown column(s) {', '.join(unknown)}")
    ignored = [n for n in names if n in IGNORED]
    for item in read:
        if isinstance(item, Malformed):
            bad = Row(item.line, _fields(names, item.cells(), ignored))
            yield Problem(bad, "row", item.message)
            continue
        line, raw, record = item
        if any(cell.strip() for cell in record):
            row = Row(line, _fields(names, record, ignored))
            if len(record) != len(names):
                yield Problem(row, "row", f"has {len(record)} cells, the header has {len(names)}")
            elif raw[:1] == "\ufeff":
                yield Problem(row, names[0], _BOM_INSIDE)
            else:
                yield row


# A BOM starts only a file; one starting a later line is most often two files joined, and
# would silently become part of the first cell (an id).
_BOM_INSIDE = (
    "starts with a byte order mark (U+FEFF) in the middle of the file "
    "(two files joined?): remove it"
)


def read_toml(handle: TextIO) -> Iterator[Row | Problem]:
    """An article file: read whole (an article is small) and parsed by `articles`."""
    for item in read_article(handle.read()):
        yield (
            item
            if isinstance(item, Row)
            else Problem(Row(item.line, {}), item.column, item.message)
        )


def _fields(names: list[str], record: list[str], ignored: list[str]) -> dict[str, str | None]:
    """A CSV record as fields: empty cells are None, neutralised cells read back as written.

    One comprehension, a cell looked at once: the cheapest way in Python per row.
    """
    fields: dict[str, str | None] = {
        name: (cell if cell[0] != "'" else unneutralise(cell)) if cell else None
        for name, cell in zip(names, record, strict=False)
    }
    for name in ignored:
        fields.pop(name, None)
    return fields


def read_jsonl(handle: TextIO) -> Iterator[Row | Problem]:
    for number, text in enumerate(handle, start=1):
        line = text.removesuffix("\n")
        if not line.strip():
            continue
        try:
            record = _loads(line)
        except _DuplicateKey as error:
            yield Problem(Row(number, {}), error.key, "duplicate key: which value is meant?")
            continue
        except json.JSONDecodeError as error:
            yield Problem(Row(number, {}), "row", f"not valid JSON: {error.msg}")
            continue
        except NotANumber as error:
            yield Problem(Row(number, {}), "row", str(error))
            continue
        except RecursionError:
            yield Problem(Row(number, {}), "row", "not valid JSON: nested too deeply")
            continue
        if not isinstance(record, dict):
            yield Problem(Row(number, {}), "row", "not a JSON object")
            continue
        try:
            fields = {str(k).strip().lower(): _cell(v) for k, v in record.items()}
        except RecursionError:
            yield Problem(Row(number, {}), "row", "not valid JSON: nested too deeply")
            continue
        if len(fields) != len(record):  # keys that differ only in case or spaces
            doubled = Counter(str(k).strip().lower() for k in record).most_common(1)[0][0]
            yield Problem(Row(number, {}), doubled, "duplicate key: which value is meant?")
            continue
        unreadable = [k for k, v in fields.items() if v is not None and not _is_text(v)]
        if unreadable:
            yield Problem(
                Row(number, {}), unreadable[0], "holds a NUL or an unpaired surrogate: not text"
            )
            continue
        row = Row(number, {k: v for k, v in fields.items() if k not in IGNORED})
        unknown = tuple((k, "unknown key") for k in row.fields if k not in COLUMNS)
        # Rejected with every unknown key and every problem of its known ones (`row_errors`).
        yield Row(row.line, row.fields, unread=unknown) if unknown else row


class JsonNumber(str):
    """A JSON number kept as the digits written: never through float (`1e16` stays `1e16`,
    `0.1` stays `0.1`) nor int (a 5,000-digit integer cannot even be printed again)."""


class NotANumber(ValueError):
    """NaN or Infinity: Python's JSON reader accepts them, JSON does not."""


def _refuse_constant(name: str) -> object:
    raise NotANumber(f"not valid JSON: {name} is not a number JSON can hold")


def _loads(line: str) -> Any:
    return json.loads(
        line,
        parse_float=JsonNumber,
        parse_int=JsonNumber,
        parse_constant=_refuse_constant,
        object_pairs_hook=_unique_keys,
    )


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict, refusing a key given twice (json keeps the last silently)."""
    record = dict(pairs)
    if len(record) != len(pairs):
        raise _DuplicateKey(Counter(k for k, _ in pairs).most_common(1)[0][0])
    return record


def _cell(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict | list):
        return _dumps(value)
    return str(value)


def _dumps(value: object) -> str:
    """Nested JSON written back as `json.dumps` writes it, its numbers as they were given."""
    if isinstance(value, JsonNumber):
        return str.__str__(value)
    if isinstance(value, dict):
        items = (f"{json.dumps(k, ensure_ascii=False)}: {_dumps(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_dumps(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _is_text(value: str) -> bool:
    """Text that UTF-8 can hold and that a CSV export can carry back in (no NUL)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
