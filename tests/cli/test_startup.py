"""Start-up: `tracker --help` imports no command module and no SQLAlchemy; the table it lists
the commands from (`lazy.COMMANDS`) is what the command modules register."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from importlib import import_module
from pathlib import Path

import click

import tracker.cli
from tracker.cli.groups import summary
from tracker.cli.lazy import COMMANDS, MODULES

PROBE = """
import sys
from tracker.cli import main
sys.argv = ["tracker", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
loaded = sorted(m for m in sys.modules
                if m.split(".")[0] in ("sqlalchemy", "alembic", "jinja2", "subprocess")
                or m.startswith(("tracker.cli.", "tracker.services", "tracker.adapters")))
print(" ".join(loaded), file=sys.stderr)
"""


def loaded_by(*args: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True
    )
    return result.stderr.split()


def test_help_imports_no_command_module_and_no_sqlalchemy() -> None:
    loaded = loaded_by("--help")
    assert "tracker.cli.lazy" in loaded  # the probe sees what it should
    # No SQLAlchemy, alembic…, nor subprocess (only a pager needs it).
    assert [m for m in loaded if m.split(".")[0] != "tracker"] == []
    assert [m for m in loaded if m.startswith(("tracker.services", "tracker.adapters"))] == []
    assert [m for m in loaded if m.removeprefix("tracker.cli.") in MODULES] == []


def test_a_command_imports_its_own_module() -> None:
    loaded = loaded_by("show", "--help")
    assert "tracker.cli.show" in loaded
    assert "tracker.cli.report" not in loaded and "tracker.cli.export" not in loaded


def command_modules() -> list[str]:
    """Every module of tracker.cli that registers commands (has `register`)."""
    found = []
    for info in pkgutil.iter_modules(tracker.cli.__path__):
        if hasattr(import_module(f"tracker.cli.{info.name}"), "register"):
            found.append(info.name)
    return found


def test_the_table_is_what_the_modules_register() -> None:
    registered: dict[str, tuple[str, str]] = {}
    assert set(MODULES) <= set(command_modules())
    for module in command_modules():
        group = click.Group()
        import_module(f"tracker.cli.{module}").register(group)
        for name in group.commands:
            registered[name] = (module, summary(group.commands[name]))
    missing = {name: entry for name, entry in registered.items() if COMMANDS.get(name) != entry}
    assert not missing, f"lazy.COMMANDS should hold: {missing}"
    assert registered.keys() == COMMANDS.keys()


def help_text(*code: str) -> str:
    script = "\n".join(["from tracker.cli import cli, main", *code, "main()"])
    run = subprocess.run([sys.executable, "-c", script, "--help"], capture_output=True, text=True)
    return run.stdout


def test_help_lists_the_same_as_with_every_command_loaded() -> None:
    lazy = help_text()
    loaded = help_text(f"assert len(cli.commands) == {len(COMMANDS)}")
    assert "Record:" in lazy and "  show " in lazy
    assert lazy == loaded


def test_a_command_on_sqlite_loads_no_postgresql_dialect(tmp_path: Path, seed_file: Path) -> None:
    """A dialect keyword in a table's definition (`postgresql_where`) makes SQLAlchemy import
    that dialect's package, ~10% of a SQLite command's start-up; none may be left at import."""
    db = str(tmp_path / "t.db")
    subprocess.run(
        [sys.executable, "-m", "tracker", "--db", db, "import", str(seed_file)],
        capture_output=True,
        check=True,
    )
    loaded = loaded_by("--db", db, "show", "--as-of", "2025-02")
    assert "tracker.adapters.picture_rows" in loaded  # the probe saw the picture read
    assert [m for m in loaded if m.startswith("sqlalchemy.dialects.sqlite")] != []
    assert [m for m in loaded if m.startswith("sqlalchemy.dialects.postgresql")] == []
