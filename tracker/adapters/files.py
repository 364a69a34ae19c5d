"""Files: CSV written safely (formula cells neutralised), the type catalogue."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from importlib import resources
from operator import itemgetter
from typing import Any, Protocol

from tracker.domain.model import Catalogue
from tracker.domain.values import numeric


def load_catalogue() -> Catalogue:
    """The catalogue shipped with the package (the log may define more: `type.defined`)."""
    text = (resources.files("tracker.data") / "types.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    return Catalogue(
        {row["code"]: row["description"] for row in rows},
        {row["code"]: row["shape"] for row in rows},
    )


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


class Writable(Protocol):
    """Where text goes: a text file, or anything with its `write`."""

    def write(self, text: str, /) -> int: ...


def csv_writer(out: Writable) -> Any:
    """A csv writer whose rows end with `\\n` and which quotes a cell holding `\\r` too.

    Python's writer quotes only the characters of its line terminator: with `\\n` alone, a
    bare `\\r` in a cell went out unquoted and a reader took it for a line end. So the rows
    are made with `\\r\\n` (every cell with either is quoted) and written with `\\n`."""
    return csv.writer(_EndsWithNewline(out), lineterminator="\r\n")


class _EndsWithNewline:
    """Takes whole rows ending in `\\r\\n` (the csv writer writes one row per call)."""

    def __init__(self, out: Writable) -> None:
        self._write = out.write

    def write(self, row: str) -> int:
        return self._write(row[:-2] + "\n")


def write_csv(out: Writable, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """RFC 4180 CSV with formula-like text cells neutralised."""
    writer = csv_writer(out)
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
