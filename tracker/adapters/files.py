"""Files: import files read into rows, CSV written safely, the type catalogue."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from operator import itemgetter
from pathlib import Path
from stat import S_ISREG
from typing import Any, BinaryIO, TextIO

from tracker.adapters.csvrecords import Malformed, records
from tracker.domain.errors import TrackerError
from tracker.domain.importing import COLUMNS, IGNORED, Row
from tracker.domain.model import Catalogue, numeric

SUFFIXES = (".csv", ".jsonl")


@dataclass(frozen=True)
class Problem:
    """A row that could not even be read as fields (ragged, not JSON), or a bad header."""

    row: Row
    column: str
    message: str


class FileRefused(TrackerError):
    """A whole import file refused before any of its rows is read (not text, unreadable)."""


@dataclass(frozen=True)
class ImportFile:
    """A file checked whole (UTF-8, no NUL) and hashed, whose rows are then read as a stream.

    A regular file is read again from its path, and must be the same file unchanged; anything
    else (a FIFO, a device, a pipe) was copied into `spool`, an unnamed temporary file, by
    the first pass, so that the rows come from the bytes that were checked and hashed and
    nothing is read from a stream while the write lock is held.
    """

    path: Path
    sha256: str
    lines: int
    identity: tuple[int, ...] = ()
    spool: int | None = None

    def rows(self) -> Generator[Row | Problem, None, None]:
        """Rows and problems in line order, read as they are asked for; close when done."""
        jsonl = self.path.suffix.lower() == ".jsonl"
        # JSON Lines split on "\n" only: other line breaks may sit inside a string.
        newline = "\n" if jsonl else ""
        try:
            if self.spool is not None:
                os.lseek(self.spool, 0, os.SEEK_SET)
                handle = open(os.dup(self.spool), encoding="utf-8-sig", newline=newline)  # noqa: SIM115
            else:
                handle = self.path.open(encoding="utf-8-sig", newline=newline)
                if _identity(os.fstat(handle.fileno())) != self.identity:
                    handle.close()
                    raise FileRefused(f"{self.path}: changed while it was being imported")
        except OSError as error:
            raise FileRefused(f"{self.path}: cannot read: {error.strerror}") from None
        with handle:
            try:
                yield from (_read_jsonl(handle) if jsonl else _read_csv(handle))
            except (OSError, UnicodeDecodeError) as error:  # changed since it was checked
                raise FileRefused(f"{self.path}: cannot read: {error}") from None

    def close(self) -> None:
        if self.spool is not None:
            os.close(self.spool)


def _identity(stat: os.stat_result) -> tuple[int, ...]:
    """What tells a regular file changed: another file at the path, or other bytes."""
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def load_catalogue() -> Catalogue:
    text = (resources.files("tracker.data") / "types.csv").read_text(encoding="utf-8")
    return Catalogue({row["code"]: row["description"] for row in csv.DictReader(io.StringIO(text))})


def expand(paths: list[str]) -> list[Path]:
    """Files as given; a folder stands for its .csv and .jsonl files in name order."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found.extend(
                sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())
            )
        elif path.exists():
            if path.suffix.lower() not in SUFFIXES:
                raise TrackerError(f"{name}: not a .csv or .jsonl file")
            found.append(path)
        else:
            raise TrackerError(f"{name}: no such file or folder")
    return found


# Bytes per read when checking a file; a chunk ending mid-character is carried over.
_CHUNK = 1 << 20

# The most a stream (FIFO, device, pipe) may hold: it is copied to a temporary file first.
SPOOL_LIMIT = 1 << 30


def open_import_file(path: Path) -> ImportFile:
    """One pass over the bytes, before any lock is taken: the sha256 of the whole file, and a
    clear error when it is not UTF-8 text or holds NUL bytes, before any row is read.

    Anything but a regular file is copied into a bounded spool as it is read, so an endless
    stream (`/dev/zero`, a FIFO nobody closes) is refused here, never read under the lock.
    """
    try:
        with path.open("rb") as handle:
            stat = os.fstat(handle.fileno())
            if S_ISREG(stat.st_mode):
                digest, lines = _check(path, handle, None)
                return ImportFile(path, digest, lines, _identity(stat))
            spool, name = tempfile.mkstemp(prefix=".tracker-import-")
            os.unlink(name)  # gone with the process, however it ends
            try:
                digest, lines = _check(path, handle, spool)
            except BaseException:
                os.close(spool)
                raise
            return ImportFile(path, digest, lines, spool=spool)
    except OSError as error:
        raise FileRefused(f"{path}: cannot read: {error.strerror}") from None


def _check(path: Path, handle: BinaryIO, spool: int | None) -> tuple[str, int]:
    """The sha256 and line count of what `handle` gives, refused at the first byte that is not
    UTF-8 text or is NUL; copied into `spool` if given."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = lines = 0
    while chunk := handle.read(_CHUNK):
        digest.update(chunk)
        carried = len(decoder.getstate()[0])
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as error:
            byte = offset - carried + error.start
            raise FileRefused(f"{path}: not UTF-8 text (byte {byte})") from None
        if b"\x00" in chunk:
            raise FileRefused(f"{path}: holds NUL bytes; not a text file")
        lines += chunk.count(b"\n")
        offset += len(chunk)
        if spool is not None:
            if offset > SPOOL_LIMIT:
                raise FileRefused(
                    f"{path}: not a regular file, and more than {SPOOL_LIMIT >> 20} MiB: "
                    "save it to a file and import that"
                )
            os.write(spool, chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        byte = offset - len(error.object) + error.start
        raise FileRefused(f"{path}: not UTF-8 text (byte {byte})") from None
    return digest.hexdigest(), lines + 1


def _read_csv(handle: TextIO) -> Iterator[Row | Problem]:
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


def _fields(names: list[str], record: list[str], ignored: list[str]) -> dict[str, str | None]:
    """A CSV record as fields: empty cells are None, neutralised cells read back as written.

    Built with `dict(zip())` and fixed up in place, the cheapest way in Python per row.
    """
    fields: dict[str, str | None] = dict(zip(names, record, strict=False))
    for name in ignored:
        fields.pop(name, None)
    for name, cell in fields.items():
        if not cell:
            fields[name] = None
        elif cell[0] == "'":
            fields[name] = unneutralise(cell)
    return fields


def _read_jsonl(handle: TextIO) -> Iterator[Row | Problem]:
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
        unknown = [k for k in row.fields if k not in COLUMNS]
        if unknown:
            yield Problem(row, unknown[0], "unknown key")
            continue
        yield row


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


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_RISKY_FIRST = frozenset("".join(FORMULA_STARTS) + "'")


def neutralise(cell: str) -> str:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe.

    Numbers (`-5`) are left alone. `unneutralise` undoes exactly this, so exports round-trip.
    """
    if not cell or cell[0] not in _RISKY_FIRST:
        return cell  # the common case, decided by one character
    if cell.lstrip("'").startswith(FORMULA_STARTS) and numeric(cell) is None:
        return "'" + cell
    return cell


def unneutralise(cell: str) -> str | None:
    if cell == "":
        return None
    if cell.startswith("'") and cell.lstrip("'").startswith(FORMULA_STARTS):
        return cell[1:]
    return cell


def write_csv(out: TextIO, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """RFC 4180 CSV with formula-like text cells neutralised."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(map(_neutralised, rows))  # csv writes None as an empty cell


def _neutralised(row: Sequence[object]) -> Sequence[object]:
    # Most rows have no risky cell, and the first characters of the non-empty cells, looked at
    # in C, say so: the row is then written as it is. Any doubt (a hit, a cell that is not
    # text) takes the cell-by-cell way, so this only ever skips work that would change nothing.
    try:
        if _RISKY_FIRST.isdisjoint(map(_FIRST, filter(None, row))):
            return row
    except (TypeError, LookupError):
        pass
    return [neutralise(c) if isinstance(c, str) else c for c in row]


_FIRST: Callable[[Any], object] = itemgetter(0)
