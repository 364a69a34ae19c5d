"""Files the tracker writes: `--out` (whole or not at all, never over what it must not
replace), standard output that may fail, and the rejects file that is only ever added to."""

from __future__ import annotations

import errno
import fcntl
import io
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from stat import S_IMODE, S_ISREG
from typing import TextIO

from tracker.adapters.files import csv_writer, neutralise
from tracker.domain.errors import TrackerError

# Temporary files of --out are named `.NAME.tracker-PID-RANDOM.tmp` beside the target and
# locked while written, so one left by a killed run is known by its name and its free lock.
_TEMP_MARK = ".tracker-"
_TEMP_SUFFIX = ".tmp"


@contextmanager
def atomic_output(path: str | None, protected: Sequence[str] = ()) -> Iterator[TextIO]:
    """Write to stdout, or to a file that appears whole or not at all.

    `--out` replaces only a regular file (never a FIFO, a device, a folder or a symlink, which
    would be swapped for a regular file), never one of `protected` (the database's own files),
    and keeps the replaced file's mode. Temporary files left by killed runs are removed.
    """
    if path is None:
        with stdout_errors():
            yield sys.stdout
            sys.stdout.flush()
        return
    target = Path(path)
    mode = _replaceable(target, protected)
    remove_stale_temporaries(target)
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{target.name}{_TEMP_MARK}{os.getpid()}-",
            suffix=_TEMP_SUFFIX,
            dir=target.parent,
        )
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if mode is None:  # mkstemp makes the file private; give it the mode open() would
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.fchmod(handle, mode)
    except OSError as error:
        raise TrackerError(f"{path}: cannot write: {error.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
            os.replace(temporary, target)
    except OSError as error:
        with suppress(OSError):
            os.unlink(temporary)
        raise TrackerError(f"{path}: cannot write: {_why(error)}") from None
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise


def _replaceable(target: Path, protected: Sequence[str]) -> int | None:
    """The mode of the regular file at `target` (None when there is none); refuses the rest."""
    try:
        stat = os.lstat(target)
    except FileNotFoundError:
        stat = None
    except OSError as error:
        raise TrackerError(f"{target}: cannot write: {error.strerror}") from None
    for name in protected:
        if _same_file(target, Path(name), stat is not None):
            raise TrackerError(f"{target}: that is the database itself; --out would replace it")
    if stat is None:
        return None
    if not S_ISREG(stat.st_mode):
        raise TrackerError(
            f"{target}: not a regular file (a symlink, FIFO, device or folder); "
            "--out replaces only regular files"
        )
    return S_IMODE(stat.st_mode)


_SQLITE_SIDE_FILES = ("-journal", "-wal", "-shm")


def _same_file(target: Path, own: Path, exists: bool) -> bool:
    """`target` names the database file `own` or one of its side files: through symlinks, a
    relative path or a hard link."""
    try:
        resolved, own = target.resolve(), own.resolve()
        if resolved in {own, *(own.with_name(own.name + side) for side in _SQLITE_SIDE_FILES)}:
            return True
        return exists and own.exists() and os.path.samefile(own, target)
    except (RuntimeError, OSError):  # a symlink loop: not a regular file, refused after this
        return False


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove the temporary files of `target` whose writer is gone (their lock is free)."""
    removed = []
    prefix = f".{target.name}{_TEMP_MARK}"
    with suppress(OSError):
        for candidate in target.parent.iterdir():
            name = candidate.name
            if name.startswith(prefix) and name.endswith(_TEMP_SUFFIX) and _abandoned(candidate):
                with suppress(OSError):
                    candidate.unlink()
                    removed.append(candidate)
    return removed


def _abandoned(candidate: Path) -> bool:
    """Its writer died: the lock it held is free, and no process has its pid (the name's)."""
    pid = candidate.name.rsplit(_TEMP_MARK, 1)[1].split("-", 1)[0]
    if pid.isdigit() and _alive(int(pid)):
        return False
    try:
        fd = os.open(candidate, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


@contextmanager
def stdout_errors() -> Iterator[None]:
    """Standard output that cannot be written (a full disk, a closed pipe) is one clear error;
    what could not be written is dropped, so the interpreter's last flush does not fail too."""
    try:
        yield
    except OSError as error:
        if error.errno not in _STDOUT_ERRORS:
            raise
        _drop_stdout()
        raise TrackerError(f"cannot write to standard output: {_why(error)}") from None


# What writing to stdout fails with when the disk is full or the reader went away; any other
# OSError is not stdout's and is left to whoever raised it.
_STDOUT_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EPIPE, errno.EIO})


def _drop_stdout() -> None:
    with suppress(OSError, ValueError, io.UnsupportedOperation):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)


def _why(error: OSError) -> str:
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return "the disk is full"
    return error.strerror or str(error)


class RejectsFile:
    """`--rejects FILE`, checked before anything is imported and only ever appended to.

    Rows kept for a person to fix are never lost: a new file gets the header, an existing one
    must start with the same header and gets the new rows after its own. A run that rejects
    nothing leaves the file as it was (and creates none). The file is created only when rows
    are written, so no run can remove a file another run is appending to.
    """

    def __init__(self, path: str, columns: Sequence[str], protected: Sequence[str] = ()) -> None:
        if any(_same_file(Path(path), Path(own), Path(path).exists()) for own in protected):
            raise TrackerError(
                f"{path}: that is the database itself; choose another --rejects file"
            )
        self.path = path
        self.header = _csv_line(columns)
        self._check()

    def _check(self) -> None:
        """Refuse now what could not take the rows later: not a regular file, another header,
        no permission, a folder that does not exist or cannot be written."""
        try:
            try:
                stat = os.lstat(self.path)
            except FileNotFoundError:
                probe, name = tempfile.mkstemp(prefix=".tracker-probe-", dir=Path(self.path).parent)
                os.close(probe)
                os.unlink(name)
                return
            if not S_ISREG(stat.st_mode):
                raise TrackerError(f"{self.path}: not a regular file; cannot hold rejected rows")
            os.close(os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW))
            with open(self.path, encoding="utf-8", newline="") as existing:
                first = existing.readline()
        except OSError as error:
            raise TrackerError(f"{self.path}: cannot write: {error.strerror}") from None
        except UnicodeDecodeError:
            first = "not text"
        if first and first != self.header:
            raise TrackerError(
                f"{self.path}: holds something other than rejected rows (another header); "
                "choose another --rejects file"
            )

    def add(self, rows: Sequence[Sequence[object]]) -> None:
        """Append the rows (and the header to an empty file), under a lock, in one write."""
        if not rows:
            return
        text = "".join(_csv_line(row) for row in rows)
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o666)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)  # two runs at once: one header, whole rows
                if os.fstat(fd).st_size == 0:
                    text = self.header + text
                _write_all(fd, text.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as error:
            raise TrackerError(
                f"{self.path}: cannot write the rejected rows: {_why(error)}"
            ) from None


def _csv_line(cells: Sequence[object]) -> str:
    out = io.StringIO()
    csv_writer(out).writerow([neutralise(c) if isinstance(c, str) else c for c in cells])
    return out.getvalue()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
