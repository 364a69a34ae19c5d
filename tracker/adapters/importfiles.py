"""Import files read into rows: checked and hashed before the write lock, read as a stream."""

from __future__ import annotations

import codecs
import hashlib
import os
import tempfile
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import BinaryIO

from tracker.adapters.rowreaders import Problem, read_csv, read_jsonl, read_toml
from tracker.domain.errors import TrackerError
from tracker.domain.rows import Row

SUFFIXES = (".csv", ".jsonl", ".toml")


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
        suffix = self.path.suffix.lower()
        jsonl = suffix == ".jsonl"
        # JSON Lines split on "\n" only: other line breaks may sit inside a string. CSV keeps
        # line breaks for its own parser; an article file is read whole as universal text.
        newline = "\n" if jsonl else None if suffix == ".toml" else ""
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
                read = read_toml if suffix == ".toml" else read_jsonl if jsonl else read_csv
                yield from read(handle)
            except (OSError, UnicodeDecodeError) as error:  # changed since it was checked
                raise FileRefused(f"{self.path}: cannot read: {error}") from None

    def close(self) -> None:
        if self.spool is not None:
            os.close(self.spool)


def _identity(stat: os.stat_result) -> tuple[int, ...]:
    """What tells a regular file changed: another file at the path, or other bytes."""
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def expand(paths: list[str]) -> list[Path]:
    """Files as given; a folder stands for its .csv, .jsonl and .toml files in name order."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found.extend(
                sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())
            )
        elif path.exists():
            if path.suffix.lower() not in SUFFIXES:
                raise TrackerError(f"{name}: not a .csv, .jsonl or .toml file")
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
