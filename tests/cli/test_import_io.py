"""Issue 12 (items 1-4, 14, 17): what `import` reads, rejects and keeps, through the CLI."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, func, text

from tracker.adapters import importfiles as files
from tracker.adapters import locking
from tracker.cli import cli
from tracker.db import open_store
from tracker.domain.rows import COLUMNS
from tracker.services import utc_now

HEADER = "id,type,date,subject,summary,source\n"
Run = Callable[..., Result]


def row(claim_id: str, summary: str = "Visit.") -> str:
    """A visit reported by a publisher of its own: visits of one subject on one date from one
    publisher would be near-duplicates (issue 19)."""
    return f"{claim_id},diplomacy.visit,2025-02,Haftar,{summary},NYP {claim_id}\n"


@pytest.fixture
def run(db_url: str, frozen: object) -> Run:
    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--db", db_url, *args], catch_exceptions=False)

    return invoke


def count(db_url: str) -> int:
    engine = open_store(db_url, utc_now).engine
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM log")).scalar() or 0)
    finally:
        engine.dispose()


def rejects_of(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


# Item 1 ---------------------------------------------------------------------------------


def test_a_malformed_quote_row_is_rejected_alone_and_the_rows_after_it_are_imported(
    run: Run, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.csv"
    good = [row(f"g{n}") for n in range(1000)]
    feed.write_text(
        HEADER + row("a") + '"bad"quote,diplomacy.visit,2025,S,x,W\n' + "".join(good),
        encoding="utf-8",
    )
    rejects = tmp_path / "rejects.csv"
    result = run("import", str(feed), "--skip-invalid", "--rejects", str(rejects))
    assert (result.exit_code, result.stderr) == (
        3,
        f"{feed}:3: row: malformed CSV: ',' expected after '\"'\n"
        f"{feed}: 1001 new, 0 corrected, 0 unchanged, 0 retracted, 1 rejected\n",
    )
    [bad] = rejects_of(rejects)
    assert (bad["id"], bad["type"], bad["summary"]) == ("badquote", "diplomacy.visit", "x")
    assert bad["error"] == f"{feed}:3: row: malformed CSV: ',' expected after '\"'"


def test_an_unterminated_quote_costs_its_line_only(run: Run, tmp_path: Path) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text(HEADER + row("a") + '"open,diplomacy.visit,2025,S,x,W\n' + row("b"))
    result = run("import", str(feed), "--skip-invalid")
    assert (result.exit_code, result.stderr) == (
        3,
        f"{feed}:3: row: malformed CSV: a quoted cell that starts on this line never ends well "
        "(unexpected end of data)\n"
        f"{feed}: 2 new, 0 corrected, 0 unchanged, 0 retracted, 1 rejected\n",
    )


def test_without_skip_invalid_every_malformed_row_is_listed_and_nothing_appended(
    run: Run, db_url: str, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text(HEADER + '"x"y,a\n' + row("a") + '"p"q,b\n')
    result = run("import", str(feed))
    assert (result.exit_code, result.stderr.splitlines()) == (
        1,
        [
            f"{feed}:2: row: malformed CSV: ',' expected after '\"'",
            f"{feed}:4: row: malformed CSV: ',' expected after '\"'",
            f"{feed}: 0 new, 0 corrected, 0 unchanged, 0 retracted, 2 rejected "
            "(file rejected: nothing appended)",
            "Error: rows were invalid; the files named above appended nothing",
        ],
    )
    assert count(db_url) == 0


# Item 2 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "why"),
    [(b"id\n\xff\n", "not UTF-8 text (byte 3)"), (b"id\x00\n", "holds NUL bytes; not a text file")],
    ids=["not-utf8", "nul"],
)
def test_a_bad_file_in_a_folder_is_refused_and_the_others_are_imported(
    run: Run, db_url: str, tmp_path: Path, content: bytes, why: str
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.csv").write_text(HEADER + row("a"))
    (folder / "b.csv").write_bytes(content)
    (folder / "c.csv").write_text(HEADER + row("c"))
    rejects = tmp_path / "rejects.csv"
    result = run("import", str(folder), "--skip-invalid", "--rejects", str(rejects))
    a, b, c = (folder / n for n in ("a.csv", "b.csv", "c.csv"))
    assert (result.exit_code, result.stderr.splitlines()) == (
        3,
        [
            f"{a}: 1 new, 0 corrected, 0 unchanged, 0 retracted, 0 rejected",
            f"{b}: {why}",
            f"{b}: 0 new, 0 corrected, 0 unchanged, 0 retracted, 0 rejected "
            "(file refused: nothing read)",
            f"{c}: 1 new, 0 corrected, 0 unchanged, 0 retracted, 0 rejected",
        ],
    )
    [refused] = rejects_of(rejects)
    assert refused == dict.fromkeys(COLUMNS, "") | {"error": f"{b}: {why}"}
    without = run("import", str(folder))
    assert (without.exit_code, without.stderr.splitlines()[-1]) == (
        1,
        "Error: files could not be read; the files named above appended nothing",
    )
    assert count(db_url) == 4  # two claims (each citing its article), two import.recorded


# Item 3 ---------------------------------------------------------------------------------


def test_rejected_rows_are_kept_by_the_next_run_and_new_ones_added_under_one_header(
    run: Run, tmp_path: Path
) -> None:
    rejects = tmp_path / "rejects.csv"
    first, second, clean = (tmp_path / n for n in ("first.csv", "second.csv", "clean.csv"))
    first.write_text(HEADER + row("a") + "b,diplomacy.visit,2025-13,S,x,W\n")
    second.write_text(HEADER + "c,diplomacy.visit,2025-14,S,x,W\n")
    clean.write_text(HEADER + row("d"))
    for feed in (first, clean, second, clean):
        run("import", str(feed), "--skip-invalid", "--rejects", str(rejects))
    lines = rejects.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join([*COLUMNS, "error"])
    assert [r["id"] for r in rejects_of(rejects)] == ["b", "c"]
    assert len(lines) == 3


def test_a_run_that_rejects_nothing_creates_no_rejects_file(run: Run, tmp_path: Path) -> None:
    feed, rejects = tmp_path / "feed.csv", tmp_path / "rejects.csv"
    feed.write_text(HEADER + row("a"))
    assert run("import", str(feed), "--skip-invalid", "--rejects", str(rejects)).exit_code == 0
    assert not rejects.exists()


def test_a_rejects_file_holding_something_else_is_refused_before_anything_is_imported(
    run: Run, db_url: str, tmp_path: Path
) -> None:
    feed, rejects = tmp_path / "feed.csv", tmp_path / "notes.csv"
    feed.write_text(HEADER + row("a") + "b,diplomacy.visit,2025-13,S,x,W\n")
    rejects.write_text("my,own,notes\n")
    result = run("import", str(feed), "--skip-invalid", "--rejects", str(rejects))
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {rejects}: holds something other than rejected rows (another header); "
        "choose another --rejects file\n",
    )
    assert (count(db_url), rejects.read_text()) == (0, "my,own,notes\n")


# Item 4 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["missing folder", "a folder", "a FIFO"])
def test_an_unwritable_rejects_file_stops_the_import_before_anything_is_committed(
    run: Run, db_url: str, tmp_path: Path, where: str
) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text(HEADER + row("a") + "b,diplomacy.visit,2025-13,S,x,W\n")
    rejects = tmp_path / "rejects.csv"
    if where == "missing folder":
        rejects = tmp_path / "nowhere" / "rejects.csv"
        why = "cannot write: No such file or directory"
    elif where == "a folder":
        rejects.mkdir()
        why = "not a regular file; cannot hold rejected rows"
    else:
        os.mkfifo(rejects)
        why = "not a regular file; cannot hold rejected rows"
    result = run("import", str(feed), "--skip-invalid", "--rejects", str(rejects))
    assert (result.exit_code, result.stderr) == (1, f"Error: {rejects}: {why}\n")
    assert count(db_url) == 0


# Item 14 --------------------------------------------------------------------------------


def test_a_stream_is_spooled_before_the_lock_and_imported(run: Run, tmp_path: Path) -> None:
    fifo = tmp_path / "feed.csv"
    os.mkfifo(fifo)
    feeder = threading.Thread(target=fifo.write_text, args=(HEADER + row("a") + row("b"),))
    feeder.start()
    result = run("import", str(fifo))
    feeder.join()
    assert (result.exit_code, result.stderr) == (
        0,
        f"{fifo}: 2 new, 0 corrected, 0 unchanged, 0 retracted, 0 rejected\n",
    )


def test_an_endless_stream_is_refused_without_waiting_for_the_lock(
    run: Run, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/dev/zero under a held write lock: refused at its first chunk, the lock never asked."""
    zero = tmp_path / "zero.csv"
    zero.symlink_to("/dev/zero")
    monkeypatch.setattr(locking, "WAIT_NOTICE_SECONDS", 0.0)
    with held_write_lock(db_url):
        result = run("import", str(zero))
    assert (result.exit_code, result.stderr) == (
        1,
        f"{zero}: holds NUL bytes; not a text file\n"
        f"{zero}: 0 new, 0 corrected, 0 unchanged, 0 retracted, 0 rejected "
        "(file refused: nothing read)\n"
        "Error: files could not be read; the files named above appended nothing\n",
    )


def test_a_stream_longer_than_the_spool_limit_is_refused(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "SPOOL_LIMIT", 10)
    monkeypatch.setattr(files, "_CHUNK", 8)
    fifo = tmp_path / "feed.csv"
    os.mkfifo(fifo)
    feeder = threading.Thread(target=_feed_ignoring_a_closed_reader, args=(fifo, HEADER * 4))
    feeder.start()
    result = run("import", str(fifo))
    feeder.join()
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{fifo}: not a regular file, and more than 0 MiB: save it to a file and import that"
    )


def _feed_ignoring_a_closed_reader(fifo: Path, data: str) -> None:
    with contextlib.suppress(BrokenPipeError):
        fifo.write_text(data)


class held_write_lock:
    """The append lock held by another connection, as another writer would."""

    def __init__(self, db_url: str) -> None:
        open_store(db_url, utc_now).engine.dispose()  # the schema exists
        self.engine = create_engine(db_url)
        self.conn = self.engine.connect()

    def __enter__(self) -> held_write_lock:
        if self.engine.dialect.name == "sqlite":
            self.conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            self.conn.begin()
            self.conn.execute(locking._pg_lock(func.pg_advisory_xact_lock))
        return self

    def release(self) -> None:
        if self.engine.dialect.name == "sqlite":
            self.conn.exec_driver_sql("ROLLBACK")
        else:
            self.conn.rollback()

    def __exit__(self, *exc: object) -> None:
        if self.engine.dialect.name == "sqlite":
            if self.conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
                self.release()
        else:
            self.conn.rollback()
        self.conn.close()
        self.engine.dispose()


def test_a_writer_kept_waiting_for_the_lock_says_so_once(
    run: Run, tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The notice comes after WAIT_NOTICE_SECONDS (here 0: any wait at all); the lock is
    released once the notice was given, so no wall-clock time is asserted."""
    feed = tmp_path / "feed.csv"
    feed.write_text(HEADER + row("a"))
    monkeypatch.setattr(locking, "WAIT_NOTICE_SECONDS", 0.0)
    told = threading.Event()
    import tracker.cli as cli_module

    say = cli_module._say_waiting
    monkeypatch.setattr(cli_module, "_say_waiting", lambda: (say(), told.set()))
    with held_write_lock(db_url) as lock:
        releaser = threading.Thread(target=lambda: (told.wait(60), lock.release()))
        releaser.start()
        result = run("import", str(feed))
        releaser.join()
    assert (result.exit_code, result.stderr) == (
        0,
        "waiting for another writer…\n"
        f"{feed}: 1 new, 0 corrected, 0 unchanged, 0 retracted, 0 rejected\n",
    )


def test_a_writer_that_gets_the_lock_at_once_says_nothing(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not said before its time: the PostgreSQL lock is one per database, so another test run
    may hold it for a moment; only a wait of WAIT_NOTICE_SECONDS is told."""
    feed = tmp_path / "feed.csv"
    feed.write_text(HEADER + row("a"))
    monkeypatch.setattr(locking, "WAIT_NOTICE_SECONDS", 30.0)
    result = run("import", str(feed))
    assert result.stderr == f"{feed}: 1 new, 0 corrected, 0 unchanged, 0 retracted, 0 rejected\n"


# Item 17 --------------------------------------------------------------------------------


def test_duplicate_header_columns_refuse_the_file(run: Run, db_url: str, tmp_path: Path) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text("id,type,date,subject,summary,source,Date\n" + row("a").strip() + ",2024\n")
    result = run("import", str(feed), "--skip-invalid")
    assert (result.exit_code, result.stderr) == (
        3,
        f"{feed}:1: header: duplicate column(s) date; nothing of the file was read\n"
        f"{feed}: 0 new, 0 corrected, 0 unchanged, 0 retracted, 1 rejected\n",
    )
    assert count(db_url) == 0


def test_a_bom_starting_a_later_line_is_refused_with_its_line(run: Run, tmp_path: Path) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_bytes(("\ufeff" + HEADER + row("a") + "\ufeff" + row("b")).encode())
    result = run("import", str(feed), "--skip-invalid")
    assert (result.exit_code, result.stderr) == (
        3,
        f"{feed}:3: id: starts with a byte order mark (U+FEFF) in the middle of the file "
        "(two files joined?): remove it\n"
        f"{feed}: 1 new, 0 corrected, 0 unchanged, 0 retracted, 1 rejected\n",
    )


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('{"id": "a", "type": "diplomacy.visit", "date": "2025", "date": "2024"', "date"),
        ('{"id": "a", "type": "diplomacy.visit", "date": "2025", " DATE": "2024"', "date"),
    ],
    ids=["same", "case-and-space"],
)
def test_duplicate_json_keys_are_refused(run: Run, tmp_path: Path, line: str, key: str) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(line + ', "subject": "S", "summary": "x", "source": "W"}\n')
    result = run("import", str(feed))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{feed}:1: {key}: duplicate key: which value is meant?"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["show", "--subject", ""],
        ["timeline", "--subject", " "],
        ["report", "--subject", "", "--out", "-"],
        ["history", ""],
    ],
    ids=["show", "timeline", "report", "history"],
)
def test_an_empty_subject_is_a_usage_error(run: Run, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].endswith(": must not be empty")


def test_a_file_changed_between_its_check_and_its_rows_is_refused_alone(
    run: Run, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bytes hashed and checked before the lock are the bytes imported, or the file is
    refused (and the next file still read)."""
    from tracker.services import importing

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.csv").write_text(HEADER + row("a"))
    (folder / "b.csv").write_text(HEADER + row("b"))
    checked = importing.open_import_file

    def then_changed(path: Path) -> files.ImportFile:
        source = checked(path)
        if path.name == "a.csv":
            with path.open("a") as grown:
                grown.write(row("late"))
        return source

    monkeypatch.setattr(importing, "open_import_file", then_changed)
    result = run("import", str(folder))
    a, b = folder / "a.csv", folder / "b.csv"
    assert (result.exit_code, result.stderr.splitlines()) == (
        1,
        [
            f"{a}: changed while it was being imported",
            f"{a}: 0 new, 0 corrected, 0 unchanged, 0 retracted, 0 rejected "
            "(file refused: nothing read)",
            f"{b}: 1 new, 0 corrected, 0 unchanged, 0 retracted, 0 rejected",
            "Error: files could not be read; the files named above appended nothing",
        ],
    )
    assert count(db_url) == 2  # b's claim and its import record


def test_a_mistyped_path_or_a_dry_run_makes_no_database(
    tmp_path: Path, seed_file: Path, frozen: object
) -> None:
    """Exit 1 (or a dry run's 0) leaves no database behind where none was (SPEC §5: an error
    writes nothing); the dry run still checks and counts, against an empty database."""
    db = tmp_path / "new.db"

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)

    missing = invoke("import", str(tmp_path / "typo.csv"))
    assert (missing.exit_code, missing.stderr) == (
        1,
        f"Error: {tmp_path / 'typo.csv'}: no such file or folder\n",
    )
    checked = invoke("import", "--dry-run", str(seed_file))
    assert checked.exit_code == 0
    assert checked.stderr.endswith(
        "15 new, 0 corrected, 0 unchanged, 0 retracted, 0 rejected (dry run: nothing appended)\n"
    )
    assert list(tmp_path.iterdir()) == []
    assert invoke("import", str(seed_file)).exit_code == 0
    again = invoke("import", "--dry-run", str(seed_file))  # a database now: checked against it
    assert "0 new, 0 corrected, 15 unchanged" in again.stderr
