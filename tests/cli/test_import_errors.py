"""What `import` says about a file's rows (SPEC §6 rule 6, §9): every error of a rejected
row, one line each in the order of its columns, and every warning as a `warning:` line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tracker.cli import cli

Run = Callable[..., Result]

DATE_FORMS = (
    "accepted forms: YYYY-MM-DD, YYYY-MM, YYYY, with ~ or ? after it (2024-05~), "
    "[YYYY-MM..YYYY-MM], START/END, START/.., ../END"
)
SUGGESTED = "did you mean diplomacy.visit, diplomacy.meeting, diplomacy.pledge?"


@pytest.fixture
def run(db_url: str, frozen: object) -> Run:
    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--db", db_url, *args], catch_exceptions=False)

    return invoke


def test_every_warning_of_an_import_is_a_warning_line_and_stays_structured_in_json(
    run: Run, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text(
        "id,type,date,subject,summary,source,reliability\n"
        "w:1,diplomacy.visit,2024-07,Haftar,A visit.,Wire,B\n"
        "w:2,diplomacy.visit,2024-07,haftar,The visit again.,wire,D\n",
        encoding="utf-8",
    )
    retract = tmp_path / "retract.csv"
    retract.write_text("op,id\nretract,w:9\n", encoding="utf-8")
    result = run("import", str(feed), str(retract))
    assert (result.exit_code, result.stderr.splitlines()) == (
        0,
        [
            f"warning: {feed}:3: reliability: Wire is graded B; the grade D given here changes "
            'nothing (to re-grade: tracker grade "Wire" D --reason TEXT)',
            f"warning: {feed}:3: id: claim w:2 repeats w:1 (same type, subject, attribute, "
            "value, date and source under another id)",
            f"{feed}: 2 new, 0 corrected, 0 unchanged, 0 retracted, 0 rejected",
            f"warning: {retract}:2: id: claim 'w:9' is unknown; nothing to retract",
            f"{retract}: 0 new, 0 corrected, 0 unchanged, 0 retracted, 0 rejected",
        ],
    )
    again = run("import", "--format", "json", str(retract))
    assert json.loads(again.stdout)["warnings"] == [
        {"line": 2, "column": "id", "message": "claim 'w:9' is unknown; nothing to retract"}
    ]
    assert again.stderr == f"warning: {retract}:2: id: claim 'w:9' is unknown; nothing to retract\n"
