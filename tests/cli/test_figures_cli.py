"""Figures on the command line (SPEC §10): refusals, tables, JSON, diff deltas, unit warnings,
and a schema-0003 database whose files re-import and whose pictures stay as they were."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from freezegun.api import FrozenDateTimeFactory

from tracker.cli import cli

V0003 = Path(__file__).parent.parent / "fixtures" / "v0003"
FORMS = (
    "figures are: 1800 or 1,800 (exactly), ~1800 (about), >1000, >=1000, <2000, <=2000, "
    "300..350 (between); a unit goes in unit"
)


@pytest.fixture
def run(tmp_path: Path, frozen: FrozenDateTimeFactory) -> object:
    db = str(tmp_path / "cli.db")

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)

    return invoke


def add(run, value: str, date: str, unit: str = "troops", source: str = "M") -> Result:  # type: ignore[no-untyped-def]
    return run(
        "add",
        "--type=military.force_level",
        f"--date={date}",
        "--subject=Russia",
        "--attribute=troops_in_libya",
        f"--value={value}",
        f"--unit={unit}",
        f"--summary=Troops {value}.",
        f"--source={source}",
        "--id",
        f"t:{date}:{value}:{unit}",
    )


def test_a_number_like_value_outside_the_grammar_is_a_usage_error_naming_value(  # type: ignore[no-untyped-def]
    run, tmp_path: Path
) -> None:
    result = add(run, "2.5k", "2024-05")
    assert result.exit_code == 2
    assert result.stderr.endswith(
        f"\n\nError: Invalid value for '--value': '2.5k' is not a figure; {FORMS}\n"
    )
    ambiguous = add(run, "1.800", "2024-05")
    assert ambiguous.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--value': '1.800' is ambiguous: write 1800 if the dot "
        "separates thousands, or 1.8 for the decimal (thousands separators are commas)"
    )
    assert not (tmp_path / "cli.db").exists()  # refused before the database is opened


def test_import_names_the_line_of_a_refused_value(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    feed = tmp_path / "feed.csv"
    feed.write_text(
        "type,date,subject,attribute,value,summary,source\n"
        "military.force_level,2024-05,Russia,troops,12%,s,M\n",
        encoding="utf-8",
    )
    result = run("import", str(feed))
    assert result.exit_code == 1
    assert f"{feed}:2: value: value '12%' is not a figure; {FORMS}\n" in result.stderr


def test_tables_print_hedged_figures(run) -> None:  # type: ignore[no-untyped-def]
    add(run, ">15000", "2024-05")
    add(run, ">17000", "2024-05", source="R")
    add(run, "~1800", "2024-05", unit="fighters")
    shown = run("show", "--as-of", "2024-06-01").stdout
    # everyday2's table caps a conflict of more than two values; the lines under it give each.
    assert shown.split("\n")[3:9] == [
        "SUBJECT  ATTRIBUTE        STATUS    VALUE                DATE  SOURCES              CLAIM",
        "Russia   troops_in_libya  CONFLICT  3 values, see below        3 claims, see below  —",
        "  Russia / troops_in_libya: conflicting sources, not resolved",
        "    >15,000 troops @ 2024-05  M F6  t:2024-05:>15000:troops",
        "    >17,000 troops @ 2024-05  R F6  t:2024-05:>17000:troops",
        "    ≈1,800 fighters @ 2024-05  M F6  t:2024-05:~1800:fighters",
    ]


def test_show_json_gives_bounds_and_each_candidates_unit(run) -> None:  # type: ignore[no-untyped-def]
    add(run, ">15000", "2024-05")
    add(run, ">17000", "2024-05", source="R")
    data = json.loads(run("show", "--as-of", "2024-06-01", "--format", "json").stdout)
    [slot] = data["slots"]
    assert {k: slot[k] for k in ("status", "value", "low", "high", "approximate", "unit")} == {
        "status": "current",
        "value": ">17000",
        "low": 17000,
        "high": None,
        "approximate": False,
        "unit": "troops",
    }
    # The claim shown is the one saying the common part; both sources back the value.
    assert (slot["claim"], slot["sources"]) == ("t:2024-05:>17000:troops", ["M", "R"])
    assert [(c["value"], c["low"], c["unit"]) for c in slot["candidates"]] == [
        (">15000", 15000, "troops"),
        (">17000", 17000, "troops"),
    ]


def test_an_approximate_figure_is_a_number_in_json(run) -> None:  # type: ignore[no-untyped-def]
    add(run, "~1800", "2024-05")
    data = json.loads(run("show", "--as-of", "2024-06-01", "--format", "json").stdout)
    [slot] = data["slots"]
    assert (slot["value"], slot["approximate"], slot["low"], slot["high"]) == (
        1800,
        True,
        1800,
        1800,
    )


def test_diff_gives_a_range_delta_between_ranges(run) -> None:  # type: ignore[no-untyped-def]
    add(run, "300..350", "2024-02")
    add(run, "~1000", "2024-05")
    table = run("diff", "--from", "2024-03-01", "--to", "2024-06-01").stdout
    assert (
        "Russia   troops_in_libya  changed  300\u2013350 troops → ≈1,000 troops (≈ +650..+700)\n"
        in table
    )
    data = json.loads(
        run("diff", "--from", "2024-03-01", "--to", "2024-06-01", "--format", "json").stdout
    )
    [change] = data["changes"]
    assert (change["before"], change["after"], change["delta"], change["delta_approximate"]) == (
        "300..350",
        1000,
        "650..700",
        True,
    )
    assert change["percent"] is None


def test_diff_lists_a_change_to_an_open_bound_with_no_delta(run) -> None:  # type: ignore[no-untyped-def]
    add(run, "800", "2024-02")
    add(run, ">1000", "2024-05")
    table = run("diff", "--from", "2024-03-01", "--to", "2024-06-01").stdout
    assert "Russia   troops_in_libya  changed  800 troops → >1,000 troops\n" in table
    data = json.loads(
        run("diff", "--from", "2024-03-01", "--to", "2024-06-01", "--format", "json").stdout
    )
    [change] = data["changes"]
    assert (change["after"], change["delta"], change["percent"]) == (">1000", None, None)


def test_diff_gives_no_delta_across_units(run) -> None:  # type: ignore[no-untyped-def]
    add(run, "800", "2024-02")
    warned = add(run, "2", "2024-05", unit="battalions")
    assert warned.stderr == (
        "warning: Russia / troops_in_libya is in troops; this claim brings battalions "
        "(no delta is given across units)\n"
    )
    data = json.loads(
        run("diff", "--from", "2024-03-01", "--to", "2024-06-01", "--format", "json").stdout
    )
    [change] = data["changes"]
    assert (change["delta"], change["unit"], change["unit_before"]) == (
        None,
        "battalions",
        "troops",
    )
