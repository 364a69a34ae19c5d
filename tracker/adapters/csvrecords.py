"""CSV records read so that one malformed record costs only itself (issue 12, item 1).

`csv.reader` resets its state on every record, so after a `csv.Error` it can go on reading;
what it needs is to be told where the next record starts. The lines it took are remembered
until the record they make is done: a record that fails on one line is rejected with that raw
line, and one that failed across several lines (an unterminated quote swallowing what follows,
up to the field size limit or the end of the file) gives back all but its first line, so the
reader starts again at the next line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Malformed:
    """A record the strict reader refused: its first line as read, and why."""

    line: int
    text: str
    message: str

    def cells(self) -> list[str]:
        """The line read leniently, so a rejects file holds the row, not an empty one."""
        try:
            return next(csv.reader(io.StringIO(self.text.rstrip("\r\n"))), [])
        except csv.Error:  # a cell over the field size limit: keep it whole
            return [self.text.rstrip("\r\n")]


class _Lines:
    """The lines given to a csv.reader, remembered until a record is done; some may come back."""

    __slots__ = ("_back", "_source", "read", "taken")

    def __init__(self, source: Iterator[str]) -> None:
        self._source = source
        self._back: list[str] = []
        self.taken: list[str] = []
        self.read = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._back.pop() if self._back else next(self._source)
        self.read += 1
        self.taken.append(line)
        return line

    def give_back(self, lines: list[str]) -> None:
        self._back.extend(reversed(lines))
        self.read -= len(lines)


def records(handle: Iterator[str]) -> Iterator[tuple[int, str, list[str]] | Malformed]:
    """(first line, the record's first raw line, cells) per record, or a `Malformed`.

    `handle` must be opened with `newline=""`, so each line is one physical line.
    """
    lines = _Lines(handle)
    reader = csv.reader(lines, strict=True)
    taken = lines.taken
    while True:
        start = lines.read + 1
        taken.clear()
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if not taken:  # nothing was read: the error came before any line
                return
            first, rest = taken[0], taken[1:]
            lines.give_back(rest)
            why = (
                f"a quoted cell that starts on this line never ends well ({error})"
                if rest
                else error
            )
            yield Malformed(start, first, f"malformed CSV: {why}")
            continue
        yield start, taken[0], record
