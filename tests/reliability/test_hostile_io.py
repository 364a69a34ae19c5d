"""Hostile input and output around files (issue 12: items 1-5, 14, 17, 18, 20).

Classes of input, not single cases: malformed CSV records among valid rows (each costs only
its own line), folders mixing readable and unreadable files (each file stands alone), `--out`
and `--rejects` aimed at what must not be replaced or cannot be written, and standard output
that fails (a full disk, a reader gone). Figures go to the JSON files RELIABILITY.md uses.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st
from reliability_support import report
from test_hostile_input import Findings, backend_of, invoke, opened, run_property

from tracker.domain.rows import COLUMNS

EXAMPLES = {"sqlite": 120, "postgresql": 40}
HEADER = "id,type,date,subject,summary,source"

# Broken lines: (kind, text). `{n}` is replaced by a number unique in the file.
BROKEN = {
    "quote then text": '"bad"quote{n},diplomacy.visit,2025,S,x,W',
    "unterminated quote": '"open{n},diplomacy.visit,2025,S,x,W',
    "quote after text": 'q{n},diplomacy.visit,"2025"x,S,x,W',
    "over the field limit": 'big{n},diplomacy.visit,2025,S,"{big}",W',
    "byte order mark": "\ufeffbom{n},diplomacy.visit,2025,S,x,W",
    "ragged": "r{n},diplomacy.visit,2025,S",
}
# Broken kinds after which a record may swallow lines up to the end of the file or the field
# limit; the reader then gives those lines back, so they are still imported or rejected.
SWALLOWING = {"unterminated quote"}


@st.composite
def files_with_broken_records(draw: st.DrawFn) -> tuple[list[tuple[str, str]], str, bool]:
    """Lines as (kind, text): "valid" or a broken kind; a line ending; --skip-invalid."""
    valid = draw(st.integers(1, 25))
    lines: list[tuple[str, str]] = [
        ("valid", f"v{i},diplomacy.visit,2025-0{1 + i % 9},S,row {i},W") for i in range(valid)
    ]
    for n, kind in enumerate(
        draw(st.lists(st.sampled_from(sorted(BROKEN)), min_size=1, max_size=4))
    ):
        lines.insert(draw(st.integers(0, len(lines))), (kind, BROKEN[kind].replace("{n}", str(n))))
    return lines, draw(st.sampled_from(["\n", "\r\n"])), draw(st.booleans())


def listed_lines(text: str, feed: Path) -> set[int]:
    """The line numbers of `FILE:LINE: column: message` lines about `feed`: the rows refused.
    Lines starting `warning: ` (a near-duplicate, say) name rows that were imported."""
    prefix = f"{feed}:"
    found = set()
    for line in text.splitlines():
        number = line.removeprefix(prefix).split(":", 1)[0]
        if line.startswith(prefix) and number.isdigit():
            found.add(int(number))
    return found


def rejects_rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    # A row rejected for a cell over the csv module's limit holds that cell: read it whole.
    limit = csv.field_size_limit(1 << 24)
    try:
        return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    finally:
        csv.field_size_limit(limit)


def test_malformed_records_among_valid_rows_cost_only_their_own_lines(
    db_url: str, tmp_path: Path
) -> None:
    """Each broken record is rejected with its line number; every valid row is imported (or,
    after a record that may swallow lines, imported or listed); nothing is lost unlisted, no
    rejects row is empty; without --skip-invalid the file appends nothing."""
    backend = backend_of(db_url)
    findings = Findings("csv_resync")
    counter = iter(range(10**9))

    def check(given: tuple[list[tuple[str, str]], str, bool]) -> None:
        lines, ending, skip = given
        case = next(counter)
        feed = tmp_path / f"feed{case}.csv"
        rejects = tmp_path / f"rejects{case}.csv"
        body = [HEADER] + [
            text.replace("v", f"c{case}v", 1) if kind == "valid" else text for kind, text in lines
        ]
        # Just over the csv module's field size limit; spelled out only here (a short repr).
        text = ending.join(body).replace("{big}", "y" * 131_073)
        feed.write_bytes(text.encode() + ending.encode())
        with opened(db_url) as tracker:
            before = tracker.store.count()
        options = ["--skip-invalid", "--rejects", str(rejects)] if skip else []
        result = invoke(db_url, "import", str(feed), *options)
        if not findings.clean(result, given, (3,) if skip else (1,)):
            return
        with opened(db_url) as tracker:
            after = tracker.store.count()
        listed = listed_lines(result.stderr, feed)
        broken_lines = {i + 2 for i, (kind, _) in enumerate(lines) if kind != "valid"}
        missing = broken_lines - listed
        if missing:
            findings.problem("a broken line is not listed", (sorted(missing), result.stderr[-300:]))
        if not skip:
            if after != before:
                findings.problem("a rejected file appended events", given)
            return
        rows = rejects_rows(rejects)
        if any(not any(r[c] for c in COLUMNS) for r in rows):
            findings.problem("an empty row in the rejects file", rows)
        if set().union(*(listed_lines(r["error"], feed) for r in rows)) != listed:
            findings.problem("rejects file and listing differ", (rows, result.stderr))
        valid_lines = {i + 2 for i, (kind, _) in enumerate(lines) if kind == "valid"}
        new = int(result.stderr.splitlines()[-1].split(": ", 1)[1].split(" new")[0])
        swallowing = any(kind in SWALLOWING for kind, _ in lines)
        imported_or_listed = new + len(valid_lines & listed)
        if imported_or_listed != len(valid_lines) or (not swallowing and valid_lines & listed):
            findings.problem("valid rows lost or rejected", (given, result.stderr[-400:]))
        findings.extra["valid rows imported"] += new

    try:
        run_property(backend, files_with_broken_records(), check, EXAMPLES)
        with opened(db_url) as tracker:
            findings.extra["events in the log at the end"] = tracker.verify()
    finally:
        findings.report(backend)
    assert findings.problems == {}


BAD_FILES: dict[str, bytes] = {
    "not UTF-8": HEADER.encode() + b"\nv,diplomacy.visit,2025,S,caf\xe9,W\n",
    "NUL byte": HEADER.encode() + b"\nv,diplomacy.visit,2025,S,a\x00b,W\n",
    "UTF-16": (HEADER + "\nv,diplomacy.visit,2025,S,x,W\n").encode("utf-16"),
    "empty": b"",
    "duplicate header": b"id,type,date,subject,summary,source,DATE\n",
    "cut inside a character": HEADER.encode() + b"\nv,diplomacy.visit,2025,S,\xe2\x82",
}


@st.composite
def folders(draw: st.DrawFn) -> tuple[list[str], bool]:
    kinds = draw(
        st.lists(st.sampled_from(["good"] * 3 + sorted(BAD_FILES)), min_size=2, max_size=6)
    )
    return kinds, draw(st.booleans())


def test_a_folder_mixing_readable_and_unreadable_files_imports_every_readable_one(
    db_url: str, tmp_path: Path
) -> None:
    backend = backend_of(db_url)
    findings = Findings("folders")
    counter = iter(range(10**9))

    def check(given: tuple[list[str], bool]) -> None:
        kinds, skip = given
        case = next(counter)
        folder = tmp_path / f"in{case}"
        folder.mkdir()
        for n, kind in enumerate(kinds):
            data = (
                f"{HEADER}\nf{case}-{n},diplomacy.visit,2025,S,file {case} {n},W\n".encode()
                if kind == "good"
                else BAD_FILES[kind]
            )
            (folder / f"{n:02}.csv").write_bytes(data)
        rejects = tmp_path / f"rejects{case}.csv"
        options = ["--skip-invalid", "--rejects", str(rejects)] if skip else []
        result = invoke(db_url, "import", str(folder), *options)
        bad = [k for k in kinds if k != "good"]
        if not findings.clean(result, given, ((3,) if skip else (1,)) if bad else (0,)):
            return
        summaries = [line for line in result.stderr.splitlines() if " new, " in line]
        if len(summaries) != len(kinds):
            findings.problem("a file has no summary line", (kinds, result.stderr))
        for n, kind in enumerate(kinds):
            if kind == "good" and invoke(db_url, "history", f"f{case}-{n}").exit_code != 0:
                findings.problem("a readable file was not imported", (kinds, result.stderr))
        if skip and len(rejects_rows(rejects)) != len(bad):
            findings.problem("not one rejects row per bad file", (kinds, rejects_rows(rejects)))

    try:
        run_property(backend, folders(), check, {"sqlite": 60, "postgresql": 20})
        with opened(db_url) as tracker:
            findings.extra["events in the log at the end"] = tracker.verify()
    finally:
        findings.report(backend)
    assert findings.problems == {}


def out_targets(db: Path, folder: Path) -> dict[str, tuple[str, str]]:
    """Places `--out` must refuse: (the --db given, the --out given)."""
    (folder / "loop").symlink_to(folder / "loop")
    (folder / "to-db").symlink_to(db)
    os.link(db, folder / "hard.db")
    os.mkfifo(folder / "fifo.csv")
    (folder / "null.csv").symlink_to("/dev/null")
    (folder / "dir.csv").mkdir()
    (folder / "real.csv").write_text("kept\n")
    (folder / "link.csv").symlink_to(folder / "real.csv")
    return {
        "the database": (str(db), str(db)),
        "the database by URL": (f"sqlite:///{db}", str(db)),
        "the database, relative path": (str(db), os.path.relpath(db)),
        "its journal": (str(db), f"{db}-journal"),
        "its WAL": (str(db), f"{db}-wal"),
        "a symlink to it": (str(db), str(folder / "to-db")),
        "a hard link to it": (str(db), str(folder / "hard.db")),
        "a FIFO": (str(db), str(folder / "fifo.csv")),
        "a device (symlink)": (str(db), str(folder / "null.csv")),
        "a folder": (str(db), str(folder / "dir.csv")),
        "a symlink to a file": (str(db), str(folder / "link.csv")),
        "a symlink loop": (str(db), str(folder / "loop")),
        "a missing folder": (str(db), str(folder / "nowhere" / "x.csv")),
    }


OUT_COMMANDS = {
    "export log": ["export", "log"],
    "export claims": ["export", "claims", "--all"],
    "export picture": ["export", "picture", "--as-of", "2025-02"],
    "export diff": ["export", "diff", "--from", "2025-01", "--to", "2025-03"],
    "export timelinejs": ["export", "timelinejs"],
    "report": ["report", "--as-of", "2025-02"],
}


def snapshot(folder: Path) -> dict[str, Any]:
    found = {}
    for path in sorted(folder.rglob("*")):
        st_ = os.lstat(path)
        found[str(path)] = (
            st_.st_mode,
            path.read_bytes() if path.is_file() and not path.is_symlink() else None,
        )
    return found


def test_out_never_replaces_the_database_or_what_is_not_a_regular_file(
    tmp_path: Path, seed_file: Path
) -> None:
    db = tmp_path / "db" / "t.db"
    db.parent.mkdir()
    assert invoke(str(db), "import", str(seed_file)).exit_code == 0
    folder = tmp_path / "targets"
    folder.mkdir()
    targets = out_targets(db, folder)
    findings = Findings("out_targets")
    cwd = os.getcwd()
    try:
        for target, (given_db, out) in targets.items():
            for command, args in OUT_COMMANDS.items():
                before = snapshot(tmp_path)
                result = invoke(given_db, *args, "--out", out)
                if not findings.clean(result, (target, command), (1, 2)):
                    continue
                if snapshot(tmp_path) != before:
                    findings.problem("something changed", (target, command))
        verified = invoke(str(db), "verify")
        findings.extra["database verifies at the end"] = int(verified.exit_code == 0)
    finally:
        os.chdir(cwd)
        findings.report("sqlite")
    assert findings.problems == {}
    assert verified.exit_code == 0


@pytest.mark.parametrize(
    "command", ["export log", "export claims", "show", "show --format csv", "timeline", "info"]
)
@pytest.mark.parametrize("how", ["full disk", "reader gone"])
def test_standard_output_that_fails_is_one_clear_error(
    tmp_path: Path, seed_file: Path, command: str, how: str
) -> None:
    db = tmp_path / "t.db"
    assert invoke(str(db), "import", str(seed_file)).exit_code == 0
    args = [sys.executable, "-m", "tracker", "--db", str(db), *command.split()]
    if how == "full disk":
        with open("/dev/full", "w") as full:
            child = subprocess.run(
                args, stdout=full, stderr=subprocess.PIPE, text=True, check=False
            )
        want = "Error: cannot write to standard output: the disk is full\n"
    else:
        read, write = os.pipe()
        os.close(read)  # the reader is gone before the first byte
        child = subprocess.run(args, stdout=write, stderr=subprocess.PIPE, text=True, check=False)
        os.close(write)
        want = "Error: cannot write to standard output: Broken pipe\n"
    report(
        f"hostile_stdout_{command.replace(' ', '_')}_{how.replace(' ', '_')}",
        {"exit": child.returncode, "stderr": child.stderr},
    )
    assert (child.returncode, child.stderr) == (1, want)


def rejects_targets(db: Path, folder: Path) -> dict[str, str]:
    """Places `--rejects` must refuse before anything is imported."""
    (folder / "loop.csv").symlink_to(folder / "loop.csv")
    os.mkfifo(folder / "fifo.csv")
    (folder / "dir.csv").mkdir()
    (folder / "notes.csv").write_text("my,own,notes\n")
    (folder / "to-notes.csv").symlink_to(folder / "notes.csv")
    (folder / "binary.csv").write_bytes(b"\xff\xfe\x00junk")
    return {
        "the database": str(db),
        "its WAL": f"{db}-wal",
        "a FIFO": str(folder / "fifo.csv"),
        "a folder": str(folder / "dir.csv"),
        "a file with another header": str(folder / "notes.csv"),
        "a symlink": str(folder / "to-notes.csv"),
        "a symlink loop": str(folder / "loop.csv"),
        "a file that is not text": str(folder / "binary.csv"),
        "a missing folder": str(folder / "nowhere" / "rejects.csv"),
    }


def test_rejects_that_cannot_be_kept_stop_the_import_before_anything_is_written(
    tmp_path: Path,
) -> None:
    db = tmp_path / "db" / "t.db"
    db.parent.mkdir()
    feed = tmp_path / "feed.csv"
    feed.write_text(f"{HEADER}\na,diplomacy.visit,2025,S,x,W\nb,diplomacy.visit,2025-13,S,x,W\n")
    # Created by a writer: reading never creates a database (SPEC §11).
    assert invoke(str(db), "db", "upgrade").exit_code == 0
    folder = tmp_path / "targets"
    folder.mkdir()
    findings = Findings("rejects_targets")
    try:
        for target, rejects in rejects_targets(db, folder).items():
            before = snapshot(tmp_path)
            result = invoke(str(db), "import", str(feed), "--skip-invalid", "--rejects", rejects)
            if findings.clean(result, target, (1,)) and snapshot(tmp_path) != before:
                findings.problem("something changed", target)
        with opened(f"sqlite:///{db}") as tracker:
            findings.extra["events in the log at the end"] = tracker.verify()
    finally:
        findings.report("sqlite")
    assert findings.problems == {}
