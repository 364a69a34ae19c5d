"""Machine-readable output (SPEC §11): info, types, verify and import summaries as JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, text

from tracker.cli import cli

Run = Callable[..., Result]


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "cli.db")


@pytest.fixture
def run(db: str, frozen: object) -> Run:
    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)

    return invoke


def test_info_as_json_has_exactly_the_monitoring_keys(run: Run, seed_file: Path) -> None:
    run("import", str(seed_file))
    result = run("info", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == [
        "database",
        "revision",
        "events",
        "claims",
        "sources",
        "position",
        "head_hash",
        "last_recorded_at",
    ]
    assert (data["events"], data["claims"], data["sources"], data["position"]) == (16, 15, 1, 16)
    assert data["last_recorded_at"] == "2025-03-01T12:00:00.000000Z"  # as the log writes it
    assert len(data["head_hash"]) == 64


def test_types_as_json_lists_code_shape_and_description(run: Run) -> None:
    data = json.loads(run("types", "--format", "json").stdout)
    assert {
        "type": "diplomacy.visit",
        "shape": "occurrence",
        "description": data[[d["type"] for d in data].index("diplomacy.visit")]["description"],
    } in data
    assert all(list(d) == ["type", "shape", "description"] for d in data)


def test_verify_as_json_says_ok_and_counts(run: Run, seed_file: Path) -> None:
    run("import", str(seed_file))
    result = run("verify", "--format", "json")
    assert (result.exit_code, json.loads(result.stdout)) == (
        0,
        {"ok": True, "events": 16, "error": None},
    )


def test_verify_as_json_reports_tampering_and_exits_1(run: Run, db: str, seed_file: Path) -> None:
    run("import", str(seed_file))
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("DROP TRIGGER IF EXISTS log_no_update"))
        for trigger in conn.execute(text("SELECT name FROM sqlite_master WHERE type='trigger'")):
            conn.execute(text(f"DROP TRIGGER {trigger[0]}"))
        conn.execute(text("UPDATE log SET payload = '{}' WHERE position = 3"))
    engine.dispose()
    result = run("verify", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and "position 3" in data["error"]
    assert result.stderr.startswith("Error: the log is broken at position 3")


def test_import_as_json_prints_one_object_per_file(
    run: Run, seed_file: Path, tmp_path: Path
) -> None:
    second = tmp_path / "more.csv"
    second.write_text(
        "id,type,date,subject,summary,source\n"
        "x:1,diplomacy.visit,2025-03,Khalifa Haftar,Haftar visited Cairo.,Reuters\n",
        encoding="utf-8",
    )
    result = run("import", "--format", "json", str(seed_file), str(second))
    assert result.exit_code == 0
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines == [
        {
            "file": str(seed_file),
            "new": 15,
            "corrected": 0,
            "unchanged": 0,
            "retracted": 0,
            "rejected": 0,
            "warnings": [],
        },
        {
            "file": str(second),
            "new": 1,
            "corrected": 0,
            "unchanged": 0,
            "retracted": 0,
            "rejected": 0,
            "warnings": [],
        },
    ]
    assert result.stderr == ""


def test_export_picture_and_report_take_the_filters(
    run: Run, seed_file: Path, tmp_path: Path
) -> None:
    run("import", str(seed_file))
    run(
        "add",
        "--type", "diplomacy.visit",
        "--date", "2025-02-20",
        "--subject", "Khalifa Haftar",
        "--summary", "Haftar visited Cairo.",
        "--source", "Reuters",
        "--reliability", "B",
        "--id", "rt:cairo",
    )  # fmt: skip
    exported = run("export", "picture", "--as-of", "2025-03", "--min-reliability", "b")
    assert exported.exit_code == 0, exported.stderr
    lines = exported.stdout.splitlines()
    assert len(lines) == 2 and lines[1].endswith(",rt:cairo,Reuters")
    page = tmp_path / "r.html"
    args = ["report", "--as-of", "2025-03", "--source", "reuters", "--out", str(page)]
    reported = run(*args)
    assert reported.exit_code == 0, reported.stderr
    assert reported.stdout == f"{page}: as of 2025-03-31, 1 occurrence, 0 numeric slots, 1 source\n"
    bad = run("show", "--min-credibility", "9")
    assert bad.exit_code == 2 and "--min-credibility" in bad.stderr
