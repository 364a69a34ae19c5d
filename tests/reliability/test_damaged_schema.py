"""A SQLite file whose derived tables are damaged (issue 12, item 10): every command answers
or fails with one `Error:` line, never a traceback, whichever path reads the table (the
SQLAlchemy one or the raw driver cursor of `adapters/bulk.py`).

The damage a corrupt page or a hand edit leaves: a column gone, a table gone, a table of the
wrong shape. The log itself stays intact, so `verify` names the damage and reads still work
where they can.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from reliability_support import report
from sqlalchemy import create_engine, text

from tracker.cli import cli

DAMAGE = {
    "claims without its credibility column": ["ALTER TABLE claims DROP COLUMN credibility"],
    "claims without its value column": ["ALTER TABLE claims DROP COLUMN value"],
    "claims dropped": ["DROP TABLE claims"],
    "projection dropped": ["DROP TABLE projection"],
    "claims replaced by a table of one column": [
        "DROP TABLE claims",
        "CREATE TABLE claims (id TEXT)",
    ],
    "claims with text in a day column": ["UPDATE claims SET first_day = 'soon'"],
}

COMMANDS = [
    ["show", "--as-of", "2025-03"],
    ["show", "--as-of", "2025-03", "--format", "json"],
    ["diff", "--from", "2024-01", "--to", "2025-03"],
    ["timeline"],
    ["history", "Khalifa Haftar"],
    ["report", "--as-of", "2025-03", "--out", "{tmp}/report.html"],
    ["export", "claims"],
    ["export", "picture", "--as-of", "2025-03"],
    ["export", "timelinejs"],
    ["info"],
    ["verify"],
    [
        "add",
        *("--type", "diplomacy.visit", "--date", "2025", "--subject", "S"),
        *("--summary", "x", "--source", "y"),
    ],
    ["db", "rebuild"],
]


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_derived_table_gives_one_error_line_or_an_answer(
    tmp_path: Path, seed_file: Path, damage: str
) -> None:
    url = f"sqlite:///{tmp_path / 't.db'}"
    assert CliRunner().invoke(cli, ["--db", url, "import", str(seed_file)]).exit_code == 0
    engine = create_engine(url)
    with engine.begin() as conn:
        for statement in DAMAGE[damage]:
            conn.execute(text(statement))
    engine.dispose()
    seen, wrong = {}, []
    for args in COMMANDS:
        args = [a.replace("{tmp}", str(tmp_path)) for a in args]
        result = CliRunner().invoke(cli, ["--db", url, *args])
        seen[" ".join(args[:2])] = result.exit_code
        lines = result.stderr.splitlines()
        clear = result.exit_code == 0 or (
            result.exit_code == 1
            and isinstance(result.exception, SystemExit)
            and len(lines) == 1
            and lines[0].startswith("Error: ")
        )
        if not clear:
            wrong.append((args[0], result.exit_code, repr(result.exception)[:200], lines[-1:]))
    report(f"damaged_schema_{damage.replace(' ', '_')}", {"exit codes": seen}, show=False)
    assert wrong == []
