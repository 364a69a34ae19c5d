"""Bad option values exit 2 naming the option given (SPEC §11), in the shape of every usage
error, and write nothing: those checked before the database is opened (dates, grades) and
the type codes only the log's catalogue can judge."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tracker.cli import cli

SEED = (
    Path(__file__).resolve().parents[2] / "events" / "2025-02-new-york-parrot-us-warns-haftar.csv"
)
FORMS = (
    "accepted forms: YYYY-MM-DD, YYYY-MM, YYYY, with ~ or ? after it (2024-05~), "
    "[YYYY-MM..YYYY-MM], START/END, START/.., ../END"
)
VIST = "unknown type 'diplomacy.vist'; did you mean diplomacy.visit, diplomacy.meeting, "
VIST += "diplomacy.pledge?"
ADD = (
    "add",
    "--type",
    "diplomacy.visit",
    "--date",
    "2025-02",
    "--subject",
    "Khalifa Haftar",
    "--summary",
    "Visit.",
    "--source",
    "NYP",
)
CORRECT = ("correct", "nyp-2025-02:gnu-mandate", "--reason", "checked")

Run = Callable[..., Result]


@pytest.fixture
def seeded(db_url: str, frozen: object) -> Run:
    def call(*args: str) -> Result:
        return CliRunner().invoke(
            cli, ["--db", db_url, *args], catch_exceptions=False, prog_name="tracker"
        )

    assert call("import", str(SEED)).exit_code == 0
    return call


def usage(command: str, message: str, arguments: str = "[OPTIONS]") -> str:
    return (
        f"Usage: tracker {command} {arguments}\n"
        f"Try 'tracker {command} --help' for help.\n\nError: {message}\n"
    )


def events(run: Run) -> int:
    return int(json.loads(run("info", "--format", "json").stdout)["events"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--reliability", "G"], "Invalid value for '--reliability': 'G' is not a grade A-F"),
        (["--credibility", "7"], "Invalid value for '--credibility': '7' is not a grade 1-6"),
        (["--credibility", "0"], "Invalid value for '--credibility': '0' is not a grade 1-6"),
        (["--credibility", "abc"], "Invalid value for '--credibility': 'abc' is not a grade 1-6"),
        (["--date", "2025-5"], f"Invalid value for '--date': invalid date '2025-5'; {FORMS}"),
        (
            ["--published", "2025-13"],
            f"Invalid value for '--published': invalid date '2025-13'; {FORMS}",
        ),
        (["--retrieved", "soon"], "Invalid value for '--retrieved': 'soon' is not an ISO datetime"),
        (["--subject", " "], "Invalid value for '--subject': must not be empty"),
        (
            ["--attribute", "troops", "--value", "2.5k"],
            "Invalid value for '--value': '2.5k' is not a figure; figures are: 1800 or 1,800 "
            "(exactly), ~1800 (about), >1000, >=1000, <2000, <=2000, 300..350 (between); "
            "a unit goes in unit",
        ),
        (["--type", "diplomacy.vist"], f"Invalid value for '--type': {VIST}"),
        (
            ["--type", "bogus"],
            "Invalid value for '--type': unknown type 'bogus'; see `tracker types`",
        ),
    ],
)
def test_add_with_a_bad_value_names_the_option_and_appends_nothing(
    seeded: Run, args: list[str], message: str
) -> None:
    result = seeded(*ADD, *args)  # the later option wins: the bad value is the one given
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", usage("add", message))
    assert events(seeded) == 16


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--credibility", "9"], "Invalid value for '--credibility': '9' is not a grade 1-6"),
        (["--reliability", "G"], "Invalid value for '--reliability': 'G' is not a grade A-F"),
        (["--date", "2024-13"], f"Invalid value for '--date': invalid date '2024-13'; {FORMS}"),
        (["--type", "diplomacy.vist"], f"Invalid value for '--type': {VIST}"),
        (["--summary", ""], "Invalid value for '--summary': must not be empty"),
    ],
)
def test_correct_with_a_bad_value_names_the_option_and_appends_nothing(
    seeded: Run, args: list[str], message: str
) -> None:
    result = seeded(*CORRECT, *args)
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        usage("correct", message, "[OPTIONS] CLAIM"),
    )
    assert events(seeded) == 16


def test_values_the_claim_reads_as_absent_or_folded_are_still_taken(seeded: Run) -> None:
    """Blank optional fields mean none given, spaces fold, grades take either case: as an
    import row's fields are read."""
    blanks = ["--published", "", "--retrieved", " ", "--credibility", "", "--reliability", "b"]
    result = seeded(*ADD, "--date", " 2025-02 ", *blanks)
    assert (result.exit_code, result.stderr) == (0, "")
    assert events(seeded) == 17


@pytest.mark.parametrize(
    ("command", "arguments"),
    [
        (["show"], "[OPTIONS]"),
        (["timeline"], "[OPTIONS]"),
        (["search", "Haftar"], "[OPTIONS] TEXT"),
        (["export", "picture"], "[OPTIONS]"),
    ],
)
def test_a_filter_type_the_catalogue_does_not_hold_is_a_usage_error(
    seeded: Run, command: list[str], arguments: str
) -> None:
    result = seeded(*command, "--type", "diplomacy.visit", "--type", "diplomacy.vist")
    name = " ".join(c for c in command if c != "Haftar")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        usage(name, f"Invalid value for '--type': {VIST}", arguments),
    )


@pytest.mark.parametrize("command", [["report"], ["export", "picture"]])
def test_an_unknown_filter_type_writes_no_file(
    seeded: Run, tmp_path: Path, command: list[str]
) -> None:
    out = tmp_path / "out"
    result = seeded(*command, "--type", "nope", "--out", str(out))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--type': unknown type 'nope'; see `tracker types`"
    )
    assert [p.name for p in tmp_path.iterdir() if p.name != "tracker.db"] == []


def test_search_known_at_is_checked_as_every_known_at_is(seeded: Run) -> None:
    result = seeded("search", "Haftar", "--known-at", "yesterday")
    assert (result.exit_code, result.stderr) == (
        2,
        usage(
            "search",
            "Invalid value for '--known-at': 'yesterday' is not an ISO datetime, a date, "
            "`now` or `@N`",
            "[OPTIONS] TEXT",
        ),
    )
