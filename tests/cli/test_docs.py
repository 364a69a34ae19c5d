"""The README is the front door: every command has help and appears in it."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tracker.adapters.files import load_catalogue
from tracker.cli import cli

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((prefix + name, command))
        if isinstance(command, click.Group):
            found += commands(command, prefix + name + " ")
    return found


@pytest.mark.parametrize(("name", "command"), commands(cli))
def test_every_command_has_help_and_is_in_the_readme(name: str, command: click.Command) -> None:
    assert command.help, f"{name} has no help text"
    assert f"tracker {name}" in README, f"`tracker {name}` is not in the README"
    result = CliRunner().invoke(cli, [*name.split(), "--help"], prog_name="tracker")
    assert result.exit_code == 0 and result.stdout.startswith("Usage: tracker")


def test_every_type_code_in_a_help_example_is_in_the_catalogue() -> None:
    """An example to copy must run: its `--type` names a code `tracker types` lists."""
    catalogue = load_catalogue()
    named = set()
    for name, _ in commands(cli):
        shown = CliRunner().invoke(cli, [*name.split(), "--help"], prog_name="tracker").stdout
        examples = shown.partition("Examples:")[2]
        named |= {(name, code) for code in re.findall(r"--type[ =](\S+)", examples)}
    assert {name for name, _ in named} >= {"add", "show", "timeline", "search"}
    assert [(name, code) for name, code in sorted(named) if catalogue.find(code) is None] == []
