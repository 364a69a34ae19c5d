"""A database written by a newer tracker (issue 12, item 15): every command, `db upgrade`
included, says so in one line and changes nothing. Before, the advice was to run
`tracker db upgrade`, which then crashed on the revision it did not know."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from tracker.cli import cli

COMMANDS = [
    ["show", "--as-of", "2025"],
    ["info"],
    ["verify"],
    ["db", "upgrade"],
    ["db", "rebuild"],
    ["export", "log"],
    [
        "add",
        "--type",
        "diplomacy.visit",
        "--date",
        "2025",
        "--subject",
        "S",
        "--summary",
        "x",
        "--source",
        "y",
    ],
]


@pytest.mark.parametrize("revision", ["9999", "a1b2c3d4e5f6"])
def test_every_command_says_the_database_comes_from_a_newer_tracker(
    db_url: str, seed_file: Path, revision: str
) -> None:
    assert CliRunner().invoke(cli, ["--db", db_url, "import", str(seed_file)]).exit_code == 0
    engine = create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        events = conn.execute(text("SELECT count(*) FROM log")).scalar()
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    for args in COMMANDS:
        result = CliRunner().invoke(cli, ["--db", db_url, *args])
        assert result.exit_code == 1, (args, result.output, result.exception)
        assert isinstance(result.exception, SystemExit)
        assert result.stderr.count("\n") == 1, result.stderr
        assert result.stderr.startswith(f"Error: the database is at schema revision {revision}")
        assert "made by a newer tracker" in result.stderr
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == revision
        assert conn.execute(text("SELECT count(*) FROM log")).scalar() == events
    engine.dispose()
