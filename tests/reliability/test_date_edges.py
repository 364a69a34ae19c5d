"""Dates at the edges of the calendar (issue 12, item 12): claims dated in year 1 or 9999 and
cuts at those edges, in valid time and recorded time, with and without time zones that push
an instant past them. Every reading command answers or gives one clear error, never a
traceback. Both backends."""

from __future__ import annotations

import itertools
from pathlib import Path

from click.testing import CliRunner
from reliability_support import report

from tracker.cli import cli

DATES = ["0001", "0001-01-01", "9999", "9999-12-31", "0001/9999", "../0001-01", "9999-12-31/.."]
VALID_CUTS = ["0001", "0001-01-01", "9999", "9999-12", "9999-12-31"]
KNOWN_CUTS = [
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00+01:00",
    "0001-01-01T00:00:00-01:00",
    "9999-12-31T23:59:59-05:00",
    "9999-12-31T23:59:59.999999+14:00",
    "@0",
]


def commands(tmp: Path) -> list[list[str]]:
    out = str(tmp / "report.html")
    runs: list[list[str]] = [["report", "--out", out], ["timeline"], ["history", "S"]]
    for cut in VALID_CUTS:
        runs += [["show", "--as-of", cut], ["report", "--as-of", cut, "--out", out]]
        runs += [["export", "picture", "--as-of", cut]]
    for a, b in itertools.combinations(VALID_CUTS, 2):
        runs.append(["diff", "--from", a, "--to", b])
    runs.append(["report", "--from", "0001", "--to", "9999", "--out", out])
    for cut in KNOWN_CUTS:
        runs += [["show", "--as-of", "2025", "--known-at", cut], ["timeline", "--known-at", cut]]
        runs.append(["report", "--as-of", "2025", "--known-at", cut, "--out", out])
    for a, b in itertools.combinations(KNOWN_CUTS[:4], 2):
        runs.append(["diff", "--as-of", "2025", "--known-from", a, "--known-to", b])
    return runs


def test_dates_at_the_calendar_edges_answer_or_fail_in_one_line(
    db_url: str, frozen: object, tmp_path: Path
) -> None:
    runner = CliRunner()
    for n, text in enumerate(DATES):
        for attribute in (None, "level"):
            args = ["add", "--type", "military.force_level" if attribute else "diplomacy.visit"]
            args += ["--date", text, "--subject", "S", "--summary", f"x{n}", "--source", "y"]
            if attribute:
                args += ["--attribute", attribute, "--value", str(n)]
            result = runner.invoke(cli, ["--db", db_url, *args])
            assert result.exit_code == 0, (text, result.output)
    exits: dict[str, int] = {}
    wrong = []
    for args in commands(tmp_path):
        result = runner.invoke(cli, ["--db", db_url, *args])
        exits[str(result.exit_code)] = exits.get(str(result.exit_code), 0) + 1
        lines = result.stderr.splitlines()
        if result.exit_code != 0 and not (
            isinstance(result.exception, SystemExit)
            and len(lines) == 1
            and lines[0].startswith("Error: ")
        ):
            wrong.append((args, result.exit_code, repr(result.exception)[:150]))
    report(f"date_edges_{db_url.split(':')[0]}", {"commands": sum(exits.values()), "exits": exits})
    assert wrong == []
