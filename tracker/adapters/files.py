"""Files: import files read into rows, CSV written safely, the type catalogue."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import os
import sys
import tempfile
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from operator import itemgetter
from pathlib import Path
from typing import Any, TextIO

from tracker.domain.errors import TrackerError
from tracker.domain.importing import COLUMNS, IGNORED, Row
from tracker.domain.model import Catalogue
from tracker.domain.values import MAX_DIGITS, number_text, numeric

SUFFIXES = (".csv", ".jsonl")


@dataclass(frozen=True)
class Problem:
    """A row that could not even be read as fields (ragged, not JSON), or a bad header."""

    row: Row
    column: str
    message: str


@dataclass(frozen=True)
class ImportFile:
    """A file checked whole (UTF-8, no NUL) and hashed, whose rows are then read as a stream."""

    path: Path
    sha256: str
    lines: int

    def rows(self) -> Generator[Row | Problem, None, None]:
        """Rows and problems in line order, read as they are asked for; close when done."""
        jsonl = self.path.suffix.lower() == ".jsonl"
        try:
            # JSON Lines split on "\n" only: other line breaks may sit inside a string.
            handle = self.path.open(encoding="utf-8-sig", newline="\n" if jsonl else "")
        except OSError as error:
            raise TrackerError(f"{self.path}: cannot read: {error.strerror}") from None
        with handle:
            try:
                yield from (_read_jsonl(handle) if jsonl else _read_csv(handle))
            except (OSError, UnicodeDecodeError) as error:  # changed since it was checked
                raise TrackerError(f"{self.path}: cannot read: {error}") from None


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


def open_import_file(path: Path) -> ImportFile:
    """One pass over the bytes: the sha256 of the whole file, and a clear error when it is
    not UTF-8 text or holds NUL bytes, before any row is read."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = lines = 0
    nul = False
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                carried = len(decoder.getstate()[0])
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as error:
                    byte = offset - carried + error.start
                    raise TrackerError(f"{path}: not UTF-8 text (byte {byte})") from None
                nul = nul or b"\x00" in chunk
                lines += chunk.count(b"\n")
                offset += len(chunk)
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as error:
                byte = offset - len(error.object) + error.start
                raise TrackerError(f"{path}: not UTF-8 text (byte {byte})") from None
    except OSError as error:
        raise TrackerError(f"{path}: cannot read: {error.strerror}") from None
    if nul:
        raise TrackerError(f"{path}: holds NUL bytes; not a text file")
    return ImportFile(path, digest.hexdigest(), lines + 1)


def _read_csv(handle: TextIO) -> Iterator[Row | Problem]:
    reader = csv.reader(handle, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            yield Problem(Row(1, {}), "header", "the file is empty: a header row is required")
            return
        names = [h.strip().lower() for h in header]
        unknown = [h for h in names if h not in COLUMNS and h not in IGNORED]
        if unknown:
            yield Problem(Row(1, {}), "header", f"unknown column(s) {', '.join(unknown)}")
        ignored = [n for n in names if n in IGNORED]
        line = reader.line_num + 1
        for record in reader:
            if any(cell.strip() for cell in record):
                row = Row(line, _fields(names, record, ignored))
                if len(record) != len(names):
                    yield Problem(
                        row, "row", f"has {len(record)} cells, the header has {len(names)}"
                    )
                else:
                    yield row
            line = reader.line_num + 1
    except csv.Error as error:
        yield Problem(Row(reader.line_num, {}), "row", f"malformed CSV: {error}")


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
            record = _JSON.decode(line)
        except json.JSONDecodeError as error:
            yield Problem(Row(number, {}), "row", f"not valid JSON: {error.msg}")
            continue
        except _NotANumber as error:
            yield Problem(Row(number, {}), "row", f"{error} is not a number: figures are finite")
            continue
        except RecursionError:
            yield Problem(Row(number, {}), "row", "not valid JSON: nested too deeply")
            continue
        if not isinstance(record, dict):
            yield Problem(Row(number, {}), "row", "not a JSON object")
            continue
        fields = {str(k).strip().lower(): _cell(v) for k, v in record.items()}
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


class _NotANumber(ValueError):
    """NaN, Infinity or -Infinity in a JSON line: no figure is that."""


def _not_a_number(name: str) -> Any:
    raise _NotANumber(name)


# Numbers are read exactly, as the digits written (`2.50` is not the float 2.5), so a JSON Lines
# file gives the claims its CSV twin gives.
_JSON = json.JSONDecoder(parse_float=Decimal, parse_int=Decimal, parse_constant=_not_a_number)
# Past this exponent a number is no figure (at most MAX_DIGITS digits): it is kept as written,
# in scientific form, and the value grammar refuses it, without ever spelling out its digits.
_LARGEST_EXPONENT = 2 * MAX_DIGITS


def _cell(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Decimal):
        if abs(value.adjusted()) > _LARGEST_EXPONENT:
            return str(value)
        return number_text(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


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


@contextmanager
def atomic_output(path: str | None) -> Iterator[TextIO]:
    """Write to stdout, or to a file that appears whole or not at all."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        # mkstemp makes the file private; give it the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
    except OSError as error:
        raise TrackerError(f"{path}: cannot write: {error.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            yield out
        os.replace(temporary, target)
    except OSError as error:
        with suppress(OSError):
            os.unlink(temporary)
        raise TrackerError(f"{path}: cannot write: {error.strerror}") from None
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise


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
