"""`tracker grade`, `sources`, `reinstate` and the warnings of `add`: exact output (SPEC §9)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from freezegun.api import FrozenDateTimeFactory

from tracker.cli import cli

ADD_2000 = [
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
    "About 2,000 troops.",
    "--source",
    "Example Monitor",
    "--reliability",
    "D",
    "--credibility",
    "4",
]


@pytest.fixture
def run(tmp_path: Path, frozen: FrozenDateTimeFactory, seed_file: Path) -> object:
    db = str(tmp_path / "cli.db")

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)

    invoke("import", str(seed_file))
    return invoke


def test_grade_then_show_gives_the_grade_as_known_at_k(  # type: ignore[no-untyped-def]
    run, frozen: FrozenDateTimeFactory
) -> None:
    frozen.move_to("2025-03-07T09:00:00Z")
    graded = run("grade", "New York Parrot", "C", "--reason", "track record checked")
    assert (graded.exit_code, graded.stdout) == (
        0,
        "New York Parrot graded C at log position 17\n",
    )
    again = run("grade", "new york parrot", "C", "--reason", "again")
    assert again.stdout == "New York Parrot is already graded C; nothing appended\n"
    row = (
        "Russia   troops_in_libya  current  1,800 troops  2024-05  New York Parrot {}  "
        "nyp-2025-02:russia-troops-2024-05\n"
    )
    now = run("show", "--as-of", "2024-06-01", "--subject", "Russia").stdout
    assert row.format("C3") in now
    before = run(
        "show", "--as-of", "2024-06-01", "--subject", "Russia", "--known-at", "2025-03-07T08:00"
    ).stdout
    assert row.format("F3") in before


def test_grade_refuses_an_unknown_source_and_a_bad_grade(run) -> None:  # type: ignore[no-untyped-def]
    unknown = run("grade", "Nobody", "B", "--reason", "x")
    assert (unknown.exit_code, unknown.stderr) == (
        1,
        "Error: no source 'Nobody' in the log; see `tracker sources`\n",
    )
    bad = run("grade", "New York Parrot", "Z", "--reason", "x")
    assert (bad.exit_code, bad.stderr) == (1, "Error: reliability 'Z' is not a grade A-F\n")


def test_add_warns_of_another_grade_and_of_a_near_duplicate(run) -> None:  # type: ignore[no-untyped-def]
    first = run(*ADD_2000, "--id", "ex:2000")
    assert (first.stdout, first.stderr) == ("ex:2000 recorded at log position 17\n", "")
    regraded = [*ADD_2000[:-4], "--reliability", "B", "--credibility", "4", "--id", "ex:b"]
    second = run(*regraded)
    assert second.stdout == "ex:b recorded at log position 18\n"
    assert second.stderr == (
        "warning: Example Monitor is graded D; the grade B given here changes nothing "
        '(to re-grade: tracker grade "Example Monitor" B --reason TEXT)\n'
        "warning: claim ex:b repeats ex:2000 (same type, subject, attribute, value, date and "
        "source under another id)\n"
    )
    shown = run("show", "--as-of", "2024-06-01", "--subject", "Russia").stdout
    assert "    2,000 troops @ 2024-05~  Example Monitor D4  ex:b\n" in shown


def test_retracted_content_says_how_to_reinstate_and_reinstate_brings_it_back(  # type: ignore[no-untyped-def]
    run,
) -> None:
    run(*ADD_2000, "--id", "ex:2000")
    run("retract", "ex:2000", "--reason", "unsourced")
    again = run(*ADD_2000, "--id", "ex:2000")
    assert (again.exit_code, again.stdout, again.stderr) == (
        0,
        "ex:2000 already recorded at log position 17; nothing appended\n",
        "warning: claim ex:2000 is retracted; nothing appended "
        "(to bring it back: tracker reinstate ex:2000 --reason TEXT)\n",
    )
    back = run("reinstate", "ex:2000", "--reason", "second source found")
    assert back.stdout == "ex:2000 reinstated at log position 19\n"
    assert "CONFLICT" in run("show", "--as-of", "2024-06-01", "--subject", "Russia").stdout
    twice = run("reinstate", "ex:2000", "--reason", "again")
    assert (twice.exit_code, twice.stderr) == (
        1,
        "Error: claim 'ex:2000' is not retracted; nothing to reinstate\n",
    )


def test_sources_lists_publishers_in_every_format(run) -> None:  # type: ignore[no-untyped-def]
    run(*ADD_2000, "--published", "2024-06-01")
    assert run("sources").stdout == (
        "SOURCE           RELIABILITY  CLAIMS  ARTICLES  FIRST_PUBLISHED  LAST_PUBLISHED\n"
        "Example Monitor  D            1       1         2024-06-01       2024-06-01\n"
        "New York Parrot  F            15      1         2025-02          2025-02\n"
    )
    assert json.loads(run("sources", "--format", "json").stdout)[0] == {
        "source": "Example Monitor",
        "reliability": "D",
        "claims": 1,
        "articles": 1,
        "first_published": "2024-06-01",
        "last_published": "2024-06-01",
    }
    assert run("sources", "--format", "csv").stdout.splitlines() == [
        "source,reliability,claims,articles,first_published,last_published",
        "Example Monitor,D,1,1,2024-06-01,2024-06-01",
        "New York Parrot,F,15,1,2025-02,2025-02",
    ]


def test_correct_refuses_a_reliability_and_names_tracker_grade(run) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "correct", "nyp-2025-02:russia-troops-2024-05", "--reliability", "B", "--reason", "x"
    )
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: reliability is the publisher's grade: "
        'tracker grade "New York Parrot" B --reason TEXT\n',
    )
