"""The command line: exact output, one-line errors, exit codes (SPEC §5, §6, §8)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tracker.cli import cli

ADD_800 = [
    "add",
    "--type",
    "military.force_level",
    "--date",
    "2024-02",
    "--subject",
    "Russia",
    "--attribute",
    "troops_in_libya",
    "--value",
    "800",
    "--unit",
    "troops",
    "--summary",
    "800 Russian troops in Libya.",
    "--source",
    "New York Parrot",
    "--originator",
    "intelligence assessments",
    "--credibility",
    "3",
]


@pytest.fixture
def run(tmp_path: Path, frozen: object) -> object:
    db = str(tmp_path / "cli.db")

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)

    return invoke


def test_add_prints_the_claim_id_and_log_position(run) -> None:  # type: ignore[no-untyped-def]
    result = run(*ADD_800)
    assert result.exit_code == 0
    assert re.fullmatch(r"clm:[0-9a-f]{16} recorded at log position 1\n", result.stdout)


def test_adding_the_same_claim_twice_appends_nothing(run) -> None:  # type: ignore[no-untyped-def]
    first = run(*ADD_800).stdout.split()[0]
    again = run(*ADD_800)
    assert again.exit_code == 0
    assert again.stdout == f"{first} already recorded at log position 1; nothing appended\n"
    assert "events         1" in run("info").stdout


def test_show_as_of_lists_the_seed_picture(run, seed_file: Path) -> None:  # type: ignore[no-untyped-def]
    imported = run("import", str(seed_file))
    assert imported.exit_code == 0
    assert imported.stderr == (
        f"{seed_file}: 15 new, 0 corrected, 0 unchanged, 0 retracted, 0 rejected\n"
    )
    result = run("show", "--as-of", "2024-05-15", "--subject", "russia")
    assert result.exit_code == 0
    assert result.stdout == (
        "Picture as of 2024-05-15, as known at 2025-03-01T12:00:00Z (log position 16)\n"
        "\n"
        "Slots\n"
        "SUBJECT  ATTRIBUTE        STATUS    VALUE                               DATE     "
        "SOURCES             CLAIM\n"
        "Russia   troops_in_libya  possible  800 troops, possibly 1,800 already  2024-02  "
        "New York Parrot F3  nyp-2025-02:russia-troops-2024-02\n"
        "\n"
        "Occurrences: none by this date.\n"
    )


def test_show_json_follows_the_spec_keys(run, seed_file: Path) -> None:  # type: ignore[no-untyped-def]
    run("import", str(seed_file))
    data = json.loads(run("show", "--as-of", "2024-06-01", "--format", "json").stdout)
    assert (data["as_of"], data["known_at"], data["position"]) == (
        "2024-06-01",
        "2025-03-01T12:00:00Z",
        16,
    )
    [troops] = [s for s in data["slots"] if s["attribute"] == "troops_in_libya"]
    assert troops["status"] == "current"
    assert troops["value"] == 1800 and isinstance(troops["value"], int)
    assert (troops["low"], troops["high"], troops["approximate"]) == (1800, 1800, False)
    assert (troops["unit"], troops["date"], troops["sources"]) == (
        "troops",
        "2024-05",
        ["New York Parrot"],
    )
    assert troops["candidates"] == [
        {
            "claim": "nyp-2025-02:russia-troops-2024-05",
            "value": 1800,
            "low": 1800,
            "high": 1800,
            "approximate": False,
            "unit": "troops",
            "date": "2024-05",
            "source": "New York Parrot",
            "reliability": "F",
            "credibility": 3,
            "originator": "intelligence assessments",
            "rank": "normal",
        }
    ]
    assert data["occurrences"] == []


def test_show_csv_has_a_header_and_one_row_per_slot_and_candidate(run, seed_file: Path) -> None:  # type: ignore[no-untyped-def]
    run("import", str(seed_file))
    lines = run("show", "--as-of", "2024-03", "--format", "csv").stdout.splitlines()
    assert lines[0] == (
        "section,subject,attribute,status,value,unit,date,certainty,type,summary,claim,sources"
    )
    assert (
        "slot,Russia,troops_in_libya,current,800,troops,2024-02,,,,"
        "nyp-2025-02:russia-troops-2024-02,New York Parrot"
    ) in lines


# A bad option value of `add` is a usage error (exit 2): tests/cli/test_option_values.py.
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "missing.csv"], "Error: missing.csv: no such file or folder\n"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_1(run, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    result = run(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", message)


def test_an_unknown_format_is_a_usage_error(run) -> None:  # type: ignore[no-untyped-def]
    result = run("show", "--format", "xml")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr


def test_an_invalid_import_lists_every_error_and_appends_nothing(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "feed.csv"
    feed.write_text(
        "id,type,date,subject,summary,source,credibility\n"
        "a,diplomacy.visit,2025-02,Haftar,Visit.,NYP,3\n"
        "b,diplomacy.visit,2025-02-30,Haftar,Visit.,NYP,3\n"
        "c,diplomacy.visit,2025-02,,Visit.,NYP,9\n",
        encoding="utf-8",
    )
    result = run("import", str(feed))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{feed}:3: date: invalid date '2025-02-30' (2025-02-30 is not a calendar date); "
        "accepted forms: YYYY-MM-DD, YYYY-MM, YYYY, with ~ or ? after it (2024-05~), "
        "[YYYY-MM..YYYY-MM], START/END, START/.., ../END",
        f"{feed}:4: subject: subject is required",
        f"{feed}:4: credibility: credibility '9' is not a grade 1-6",
        f"{feed}: 0 new, 0 corrected, 0 unchanged, 0 retracted, 2 rejected "
        "(file rejected: nothing appended)",
        "Error: rows were invalid; the files named above appended nothing",
    ]
    assert "events         0" in run("info").stdout


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database at all" * 100)
    result = CliRunner().invoke(cli, ["--db", str(garbage), "show"])
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: the database file is not a SQLite database (or is corrupt)\n",
    )


def test_verify_reports_an_intact_chain(run, seed_file: Path) -> None:  # type: ignore[no-untyped-def]
    run("import", str(seed_file))
    result = run("verify")
    assert (result.exit_code, result.stdout) == (
        0,
        "ok: 16 events, positions gapless, hash chain intact, projection matches\n",
    )


def test_a_type_filter_given_as_a_plural_word_names_the_code(run, seed_file: Path) -> None:  # type: ignore[no-untyped-def]
    run("import", str(seed_file))
    result = run("timeline", "--type", "visits")
    assert (result.exit_code, result.stderr.splitlines()[-1]) == (
        2,
        "Error: Invalid value for '--type': unknown type 'visits'; did you mean diplomacy.visit?",
    )


def test_types_lists_the_catalogue(run) -> None:  # type: ignore[no-untyped-def]
    lines = run("types").stdout.splitlines()
    assert lines[0].split() == ["TYPE", "SHAPE", "DESCRIPTION"]
    codes = {line.split()[0] for line in lines[1:]}
    assert {
        "statement.warning",
        "diplomacy.visit",
        "military.force_level",
        "legal.instrument_in_force",
        "governance.mandate_status",
        "affiliation.role",
    } <= codes


def test_the_command_line_loads_no_database_library_until_a_command_needs_one() -> None:
    """`tracker --help` stays fast (issue 6: ≤ 0.15 s) only while SQLAlchemy, psycopg and
    Jinja2 are imported by the commands that use them, not by loading the CLI."""
    heavy = ("sqlalchemy", "psycopg", "jinja2", "alembic")
    code = f"import sys, tracker.cli; print(sorted(m for m in {heavy} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"
