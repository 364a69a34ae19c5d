"""Issue 12 (items 5, 18, 20): `--out` never replaces what it must not, standard output that
cannot be written is one clear error, and killed exports leave nothing behind for long."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tracker.adapters.outputs import atomic_output, remove_stale_temporaries
from tracker.cli import cli
from tracker.domain.errors import TrackerError

Run = Callable[..., Result]
COMMANDS = {
    "export log": ["export", "log"],
    "export claims": ["export", "claims"],
    "export picture": ["export", "picture", "--as-of", "2025-02"],
    "report": ["report", "--as-of", "2025-02"],
}


@pytest.fixture
def db(tmp_path: Path, seed_file: Path, frozen: object) -> Path:
    path = tmp_path / "t.db"
    assert CliRunner().invoke(cli, ["--db", str(path), "import", str(seed_file)]).exit_code == 0
    return path


def run(db: Path | str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", str(db), *args])


# Item 5 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("spelling", ["path", "URL", "symlink to it", "hard link"])
def test_out_onto_the_database_itself_is_refused(
    db: Path, tmp_path: Path, command: str, spelling: str
) -> None:
    before = db.read_bytes()
    out, given = str(db), str(db)
    if spelling == "URL":
        given = f"sqlite:///{db}"
    elif spelling == "symlink to it":
        link = tmp_path / "link.db"
        link.symlink_to(db)
        out = str(link)
    elif spelling == "hard link":
        out = str(tmp_path / "same.db")
        os.link(db, out)
    result = run(given, *COMMANDS[command], "--out", out)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith(f"Error: {out}: ")
    assert db.read_bytes() == before
    assert run(db, "verify").exit_code == 0


@pytest.mark.parametrize("kind", ["FIFO", "symlink", "device symlink", "folder"])
def test_out_onto_what_is_not_a_regular_file_is_refused_and_left_alone(
    db: Path, tmp_path: Path, kind: str
) -> None:
    target = tmp_path / "out.csv"
    if kind == "FIFO":
        os.mkfifo(target)
    elif kind == "symlink":
        (tmp_path / "real.csv").write_text("kept\n")
        target.symlink_to(tmp_path / "real.csv")
    elif kind == "device symlink":
        target.symlink_to("/dev/null")
    else:
        target.mkdir()
    mode = os.lstat(target).st_mode
    result = run(db, "export", "claims", "--out", str(target))
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {target}: not a regular file (a symlink, FIFO, device or folder); "
        "--out replaces only regular files\n",
    )
    assert os.lstat(target).st_mode == mode
    if kind == "symlink":
        assert (tmp_path / "real.csv").read_text() == "kept\n"


def test_out_keeps_the_mode_of_the_file_it_replaces(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "private.jsonl"
    target.write_text("old\n")
    target.chmod(0o600)
    assert run(db, "export", "log", "--out", str(target)).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text() != "old\n"


# Item 18 --------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["export log", "export claims", "show"])
def test_a_full_disk_under_standard_output_is_one_clear_error(db: Path, command: str) -> None:
    """/dev/full fails every write with ENOSPC, as a full disk does."""
    with open("/dev/full", "w") as full:
        child = subprocess.run(
            [sys.executable, "-m", "tracker", "--db", str(db), *command.split()],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert (child.returncode, child.stderr) == (
        1,
        "Error: cannot write to standard output: the disk is full\n",
    )


def test_a_failed_out_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with (
        pytest.raises(TrackerError, match="cannot write: the disk is full"),
        atomic_output(str(target)) as out,
    ):
        out.write("partial")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# Item 20 --------------------------------------------------------------------------------

KILLED_MID_WRITE = """
import os, signal, sys
from tracker.adapters.outputs import atomic_output
with atomic_output(sys.argv[1]) as out:
    out.write("x" * 100_000)
    out.flush()
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_export_leaves_a_recognisable_temporary_file_that_the_next_run_removes(
    db: Path, tmp_path: Path
) -> None:
    target = tmp_path / "log.jsonl"
    child = subprocess.run([sys.executable, "-c", KILLED_MID_WRITE, str(target)], check=False)
    assert child.returncode == -signal.SIGKILL
    [left] = [p for p in tmp_path.iterdir() if p.name.startswith(".log.jsonl.tracker-")]
    assert left.name.endswith(".tmp") and left.stat().st_size > 0
    assert run(db, "export", "log", "--out", str(target)).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_temporary_file_still_being_written_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    with atomic_output(str(target)) as out:
        out.write("being written")
        assert remove_stale_temporaries(target) == []
        assert len([p for p in tmp_path.iterdir() if p.name.startswith(".out.csv.")]) == 1
    assert target.read_text() == "being written"
