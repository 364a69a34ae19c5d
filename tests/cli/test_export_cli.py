"""Import options and every export (SPEC §6, §7) through the command line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tracker.cli import cli

FORMULA_ROWS = (
    "id,type,date,subject,summary,source,quote\n"
    "f1,diplomacy.visit,2025-02,Haftar,=1+1,NYP,@SUM(A1)\n"
    "f2,diplomacy.visit,2025-02,Haftar,+cmd|' /C calc'!A0,NYP,-2+3\n"
    "f3,diplomacy.visit,2025-02,Haftar,'=already quoted,NYP,plain\n"
)


@pytest.fixture
def run(tmp_path: Path, frozen: object) -> object:
    def invoke(*args: str, db: str = "cli.db") -> Result:
        return CliRunner().invoke(cli, ["--db", str(tmp_path / db), *args], catch_exceptions=False)

    return invoke


def test_skip_invalid_imports_valid_rows_writes_rejects_and_exits_3(  # type: ignore[no-untyped-def]
    run, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text(
        "id,type,date,subject,summary,source\n"
        "a,diplomacy.visit,2025-02,Haftar,Visit.,NYP\n"
        "b,diplomacy.visit,2025-13,Haftar,Visit.,NYP\n",
        encoding="utf-8",
    )
    rejects = tmp_path / "rejects.csv"
    result = run("import", str(feed), "--skip-invalid", "--rejects", str(rejects))
    assert result.exit_code == 3
    assert result.stderr.splitlines()[-1] == (
        f"{feed}: 1 new, 0 corrected, 0 unchanged, 0 retracted, 1 rejected"
    )
    [row] = list(csv.DictReader(io.StringIO(rejects.read_text(encoding="utf-8"))))
    assert (row["id"], row["date"]) == ("b", "2025-13")
    assert row["error"].startswith(f"{feed}:3: date: invalid date '2025-13'")
    fixed = rejects.read_text(encoding="utf-8").replace(",2025-13,", ",2025-12,")
    rejects.write_text(fixed, encoding="utf-8")
    again = run("import", str(rejects))
    assert again.exit_code == 0
    assert "1 new" in again.stderr


def test_rejects_without_skip_invalid_is_a_usage_error(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("import", "x.csv", "--rejects", str(tmp_path / "r.csv"))
    assert result.exit_code == 2


def test_dry_run_says_so_and_appends_nothing(run, seed_file: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("import", str(seed_file), "--dry-run")
    assert result.exit_code == 0
    assert result.stderr.endswith(
        "15 new, 0 corrected, 0 unchanged, 0 retracted, 0 rejected (dry run: nothing appended)\n"
    )
    # Nothing appended, and no database made for it (it ran against a temporary one).
    info = run("info")
    assert (info.exit_code, info.stdout) == (1, "")
    assert info.stderr.startswith("Error: no database at ")
    run("import", str(seed_file))
    again = run("import", str(seed_file), "--dry-run")
    assert "0 new, 0 corrected, 15 unchanged" in again.stderr
    assert "events         16" in run("info").stdout


def test_claims_round_trip_into_the_same_and_an_empty_database(  # type: ignore[no-untyped-def]
    run, seed_file: Path, tmp_path: Path
) -> None:
    feed = tmp_path / "formulas.csv"
    feed.write_text(FORMULA_ROWS, encoding="utf-8")
    run("import", str(seed_file))
    run("import", str(feed))
    run("rank", "f2", "deprecated", "--reason", "dubious")
    run("retract", "f3", "--reason", "withdrawn")
    exported = tmp_path / "claims.csv"
    assert run("export", "claims", "--all", "--out", str(exported)).exit_code == 0
    text = exported.read_text(encoding="utf-8")
    assert ",'=1+1," in text and ",'@SUM(A1)" in text and ",'-2+3" in text
    # A leading apostrophe before a formula character is the spreadsheet's own neutralisation:
    # it is read as such on import, and written back the same way.
    assert ",'=already quoted," in text
    same = run("import", str(exported))
    assert same.stderr.splitlines() == [
        f"warning: {exported}:19: id: claim 'f3' is already retracted; nothing to retract",
        f"{exported}: 0 new, 0 corrected, 17 unchanged, 0 retracted, 0 rejected",
    ]
    empty = run("import", str(exported), db="empty.db")
    assert empty.exit_code == 0
    for as_of in ("2024-05-15", "2025-03"):
        one = json.loads(run("show", "--as-of", as_of, "--format", "json").stdout)
        two = json.loads(run("show", "--as-of", as_of, "--format", "json", db="empty.db").stdout)
        for picture in (one, two):
            del picture["position"], picture["known_at"]
        assert one == two
    summaries = {o["claim"]: o["summary"] for o in two["occurrences"]}
    assert summaries["f1"] == "=1+1"


def test_log_export_and_restore_keep_positions_times_and_hashes(  # type: ignore[no-untyped-def]
    run, seed_file: Path, tmp_path: Path
) -> None:
    run("import", str(seed_file))
    dump = tmp_path / "log.jsonl"
    run("export", "log", "--out", str(dump))
    lines = [json.loads(line) for line in dump.read_text(encoding="utf-8").splitlines()]
    assert [line["position"] for line in lines] == list(range(1, 17))
    assert set(lines[0]) == {"position", "event_id", "recorded_at", "kind", "payload", "hash"}
    restored = run("restore", str(dump), db="restored.db")
    assert (restored.exit_code, restored.stdout) == (0, "restored 16 events; hash chain verified\n")
    again = tmp_path / "again.jsonl"
    run("export", "log", "--out", str(again), db="restored.db")
    assert again.read_text(encoding="utf-8") == dump.read_text(encoding="utf-8")
    assert (
        run("show", "--as-of", "2024-06", db="restored.db").stdout
        == run("show", "--as-of", "2024-06").stdout
    )


def test_restore_refuses_a_broken_chain_and_restores_nothing(  # type: ignore[no-untyped-def]
    run, seed_file: Path, tmp_path: Path
) -> None:
    run("import", str(seed_file))
    dump = tmp_path / "log.jsonl"
    run("export", "log", "--out", str(dump))
    tampered = dump.read_text(encoding="utf-8").replace('"value":"800"', '"value":"80"')
    dump.write_text(tampered, encoding="utf-8")
    result = run("restore", str(dump), db="restored.db")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {dump}: the log is broken at position 8:")
    assert "events         0" in run("info", db="restored.db").stdout


def test_restore_refuses_a_truncated_line(run, seed_file: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("import", str(seed_file))
    dump = tmp_path / "log.jsonl"
    run("export", "log", "--out", str(dump))
    dump.write_text(dump.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    result = run("restore", str(dump), db="restored.db")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {dump}:16: not a log entry")


def test_picture_and_diff_exports_are_the_show_and_diff_tables(  # type: ignore[no-untyped-def]
    run, seed_file: Path
) -> None:
    run("import", str(seed_file))
    picture = run("export", "picture", "--as-of", "2024-03").stdout
    assert picture == run("show", "--as-of", "2024-03", "--format", "csv").stdout
    diff = run("export", "diff", "--from", "2024-03-01", "--to", "2024-06-01").stdout
    rows = list(csv.DictReader(io.StringIO(diff)))
    assert [(r["attribute"], r["before"], r["after"], r["delta"]) for r in rows] == [
        ("troops_in_libya", "800", "1800", "1000")
    ]


def test_timelinejs_has_its_column_layout_and_display_dates(  # type: ignore[no-untyped-def]
    run, seed_file: Path
) -> None:
    run("import", str(seed_file))
    rows = list(csv.reader(io.StringIO(run("export", "timelinejs").stdout)))
    assert rows[0][:4] == ["Year", "Month", "Day", "Time"]
    assert rows[0][8:10] == ["Display Date", "Headline"]
    by_headline = {r[9]: r for r in rows[1:]}
    troops = by_headline["Russia: troops_in_libya = 800 troops"]
    assert troops[:4] == ["2024", "2", "", ""]
    assert troops[8] == "February 2024"
    forum = by_headline["Libyan-Russian forum: diplomacy.forum_planned"]
    assert forum[:3] == ["2025", "2", ""] and forum[8] == "by February 2025"
    assert by_headline["US Libya Stabilisation Act of 2023: status = in force"][8] == "from 2023"


def test_out_is_written_whole_or_not_at_all(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("db", "upgrade")
    result = run("export", "claims", "--out", str(tmp_path / "missing" / "claims.csv"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {tmp_path / 'missing' / 'claims.csv'}: cannot write")
    assert not (tmp_path / "missing").exists()


def test_a_claims_export_failing_half_way_leaves_the_out_file_as_it_was(  # type: ignore[no-untyped-def]
    run, seed_file: Path, tmp_path: Path
) -> None:
    from sqlalchemy import create_engine, text

    run("import", str(seed_file))
    engine = create_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with engine.begin() as conn:  # the last claim streamed names a source the log lacks
        conn.execute(
            text(
                "UPDATE claims SET source_id = 'src:damaged' "
                "WHERE position = (SELECT max(position) FROM claims)"
            )
        )
    engine.dispose()
    target = tmp_path / "claims.csv"
    target.write_text("an earlier export\n", encoding="utf-8")
    result = run("export", "claims", "--out", str(target))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the claims projection names a source the log does not")
    assert target.read_text(encoding="utf-8") == "an earlier export\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".claims.csv.")]
