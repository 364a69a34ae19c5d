"""`tracker diff`, `timeline`, `history`, `correct`, `retract`, `rank` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from freezegun.api import FrozenDateTimeFactory

from tracker.cli import cli


@pytest.fixture
def run(tmp_path: Path, frozen: FrozenDateTimeFactory, seed_file: Path) -> object:
    db = str(tmp_path / "cli.db")

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)

    assert invoke("import", str(seed_file)).exit_code == 0
    return invoke


def test_s4_diff_table_shows_delta_and_percent(run) -> None:  # type: ignore[no-untyped-def]
    result = run("diff", "--from", "2024-03-01", "--to", "2024-06-01")
    assert result.exit_code == 0
    assert result.stdout == (
        "Change from 2024-03-01 to 2024-06-01, as known at 2025-03-01T12:00:00Z "
        "(log position 16)\n"
        "\n"
        "Slots\n"
        "SUBJECT  ATTRIBUTE        CHANGE   BEFORE → AFTER\n"
        "Russia   troops_in_libya  changed  800 troops → 1,800 troops (+1,000, +125%)\n"
        "\n"
        "Occurrences in (2024-03-01, 2024-06-01]: none.\n"
    )


def test_s4_diff_json_has_the_spec_keys(run) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(
        run("diff", "--from", "2024-03-01", "--to", "2024-06-01", "--format", "json").stdout
    )
    assert (data["from"], data["to"], data["known_at"]) == (
        "2024-03-01",
        "2024-06-01",
        "2025-03-01T12:00:00Z",
    )
    [change] = data["changes"]
    assert {k: change[k] for k in ("subject", "attribute", "before", "after", "delta")} == {
        "subject": "Russia",
        "attribute": "troops_in_libya",
        "before": 800,
        "after": 1800,
        "delta": 1000,
    }
    assert change["percent"] == 125.0
    assert data["occurrences"] == []


def test_diff_without_a_range_is_a_usage_error(run) -> None:  # type: ignore[no-untyped-def]
    result = run("diff", "--from", "2024-03-01")
    assert result.exit_code == 2
    assert "give either --from A --to B, or --known-from K1 [--known-to K2]" in result.stderr


def test_s6_rank_and_knowledge_diff_on_the_command_line(  # type: ignore[no-untyped-def]
    run, frozen: FrozenDateTimeFactory
) -> None:
    frozen.move_to("2025-03-05T09:00:00Z")
    added = run(
        "add",
        "--type",
        "military.force_level",
        "--date",
        "2024-05~",
        "--subject",
        "Russia",
        "--attribute",
        "troops_in_libya",
        "--value",
        "2000",
        "--unit",
        "troops",
        "--summary",
        "2,000 troops.",
        "--source",
        "Example Monitor",
        "--id",
        "ex:2000",
    )
    assert added.stdout == "ex:2000 recorded at log position 17\n"
    shown = run("show", "--as-of", "2024-06-01", "--subject", "Russia").stdout
    assert "Russia   troops_in_libya  CONFLICT  1,800 troops vs 2,000 troops" in shown
    assert "    2,000 troops @ 2024-05~  Example Monitor F6  ex:2000" in shown
    ranked = run("rank", "ex:2000", "deprecated", "--reason", "single unnamed source")
    assert ranked.stdout == "ex:2000 ranked deprecated at log position 18\n"
    shown = run("show", "--as-of", "2024-06-01", "--subject", "Russia").stdout
    assert "Russia   troops_in_libya  current  1,800 troops  2024-05  New York Parrot F3" in shown
    assert shown.endswith("\n1 deprecated claim hidden (--all shows them).\n")
    shown = run("show", "--as-of", "2024-06-01", "--subject", "Russia", "--all").stdout
    assert "Russia   troops_in_libya  current  1,800 troops  2024-05  New York Parrot F3" in shown
    assert (
        "  Russia / troops_in_libya: deprecated claims, shown by --all\n"
        "    2,000 troops @ 2024-05~  Example Monitor F6 deprecated  ex:2000\n"
    ) in shown
    assert "hidden" not in shown
    data = json.loads(
        run(
            "diff",
            "--known-from",
            "2025-03-02",
            "--known-to",
            "now",
            "--as-of",
            "2024-06-01",
            "--format",
            "json",
        ).stdout
    )
    assert [(e["position"], e["kind"], e["claim"], e["reason"]) for e in data["events"]] == [
        (17, "claim.asserted", "ex:2000", None),
        (18, "claim.ranked", "ex:2000", "single unnamed source"),
    ]
    assert [c["attribute"] for c in data["changes"]] == ["troops_in_libya"]


def test_s7_correct_then_retract_on_the_command_line(  # type: ignore[no-untyped-def]
    run, frozen: FrozenDateTimeFactory
) -> None:
    frozen.move_to("2025-03-10T10:00:00Z")
    run(
        "add",
        "--type",
        "diplomacy.visit",
        "--date",
        "2024-02",
        "--subject",
        "Khalifa Haftar",
        "--summary",
        "Haftar visits Belarus.",
        "--source",
        "New York Parrot",
        "--id",
        "visit",
    )
    frozen.move_to("2025-03-11T10:00:00Z")
    corrected = run("correct", "visit", "--date", "2025-02", "--reason", "year mistyped")
    assert corrected.stdout == "visit corrected at log position 18\n"
    then = run("show", "--as-of", "2024-03-01", "--known-at", "2025-03-10T12:00:00Z").stdout
    assert "2024-02  definite   diplomacy.visit  Khalifa Haftar  Haftar visits Belarus." in then
    assert then.endswith("Later log entries changed visit: see `tracker history visit`.\n")
    assert "diplomacy.visit" not in run("show", "--as-of", "2024-03-01").stdout
    retracted = run("retract", "visit", "--reason", "denied")
    assert retracted.stdout == "visit retracted at log position 19\n"
    again = run("retract", "visit", "--reason", "denied")
    assert (again.exit_code, again.stderr) == (
        1,
        "Error: claim 'visit' is retracted; it can no longer change\n",
    )
    history = run("history", "visit", "--format", "csv").stdout.splitlines()
    about = "Khalifa Haftar,,diplomacy.visit,Haftar visits Belarus."
    assert history == [
        "position,recorded_at,kind,claim,value,date,source,reason,rank,"
        "subject,attribute,type,summary,changes",
        f"17,2025-03-10T10:00:00.000000Z,claim.asserted,visit,,2024-02,New York Parrot,,,{about},",
        "18,2025-03-11T10:00:00.000000Z,claim.corrected,visit,,2025-02,New York Parrot,"
        f"year mistyped,,{about},date: 2024-02 → 2025-02",
        "19,2025-03-11T10:00:00.000000Z,claim.retracted,visit,,2025-02,New York Parrot,denied,,"
        f"{about},",
    ]


def test_rank_refuses_an_unknown_rank_as_a_usage_error(run) -> None:  # type: ignore[no-untyped-def]
    result = run("rank", "nyp-2025-02:gnu-mandate", "best", "--reason", "x")
    assert result.exit_code == 2


def test_correct_requires_a_reason(run) -> None:  # type: ignore[no-untyped-def]
    result = run("correct", "nyp-2025-02:gnu-mandate", "--value", "extended")
    assert result.exit_code == 2
    assert "Missing option '--reason'" in result.stderr


def test_timeline_json_lists_claims_earliest_first(run) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(run("timeline", "--subject", "Russia", "--format", "json").stdout)
    assert [(c["date"], c["value"]) for c in data["claims"]] == [
        ("2024-02", 800),
        ("2024-05", 1800),
        ("../2025-02", "being established"),
    ]


def test_timeline_table_marks_precision_and_observations(run) -> None:  # type: ignore[no-untyped-def]
    lines = run("timeline", "--subject", "Russia").stdout.splitlines()
    assert lines[0].split()[:4] == ["DATE", "TYPE", "SUBJECT", "OBSERVATION"]
    assert lines[1].startswith(
        "2024-02     military.force_level       Russia   troops_in_libya = 800 troops"
    )
    assert lines[3].startswith("by 2025-02  military.facility_present")


def test_history_of_an_unknown_target_is_an_error(run) -> None:  # type: ignore[no-untyped-def]
    result = run("history", "Atlantis")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: nothing in the log touches 'Atlantis'\n",
    )
