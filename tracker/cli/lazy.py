"""`tracker`'s commands, each module imported when one of its commands is run.

`tracker --help` lists every command from `COMMANDS`, without importing the command modules
(and through them the domain, SQLAlchemy and the rest): start-up is the budget of a command
that prints a screen of text. A test checks the table against the modules themselves.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

import click

# Each command: the module of tracker.cli that registers it, and its summary in the help
# (`groups.summary` of the command). Modules register in this order.
COMMANDS: dict[str, tuple[str, str]] = {
    "add": ("write", "Append one claim, citing an article of a publisher."),
    "correct": (
        "write",
        "Correct a claim: the same claim with some fields changed (claim.corrected).",
    ),
    "retract": (
        "write",
        "Retract a claim: it leaves the picture, and stays in the log and in `history`.",
    ),
    "reinstate": (
        "write",
        "Reinstate a retracted claim: it returns to the picture (a claim.reinstated).",
    ),
    "rank": (
        "write",
        "Rank a claim: preferred resolves a conflict, deprecated hides it (shown with --all).",
    ),
    "grade": (
        "sources",
        "Grade a publisher's reliability A-F (a source.graded): every view then shows the grade "
        "as known at its --known-at.",
    ),
    "sources": (
        "sources",
        "List the publishers: grade, active claims, articles, first and last published.",
    ),
    "alias": (
        "judging",
        "Read claims about NAME as claims about CANONICAL (a subject.aliased): their slots "
        "merge, so a disagreement shows as a conflict.",
    ),
    "unalias": ("judging", "Read NAME as itself again (a subject.unaliased)."),
    "distinct": (
        "judging",
        "Judge A and B different entities (a subject.distinguished): no longer suggested as "
        "similar.",
    ),
    "subjects": (
        "judging",
        "Each subject after aliases: its other names, claims, attributes, first and last dates.",
    ),
    "import": (
        "importing",
        "Import .csv, .jsonl or .toml (article) files, one transaction each; `-` reads stdin.",
    ),
    "show": (
        "show",
        "The picture of the world as of a date: slots with their values, and occurrences.",
    ),
    "diff": ("change", "What changed, in the world or in what we knew."),
    "timeline": ("history", "Claims in valid-time order (earliest first; ties by log position)."),
    "history": ("history", "Every log event that touched a claim, a slot, or a subject."),
    "search": (
        "search",
        "Claims having every word of TEXT in their summary, quote, subject, actor, target, "
        "place or source, best first.",
    ),
    "export": ("export", "Export claims, the log, the picture, a diff, or a TimelineJS sheet."),
    "restore": (
        "export",
        "Load an `export log` file into an empty database, keeping positions, times and hashes.",
    ),
    "report": (
        "report",
        "Write one self-contained HTML report that opens offline and prints on A4.",
    ),
    "types": (
        "admin",
        "List the type codes a claim can have, with their shape; `types add` adds one.",
    ),
    "info": ("admin", "Database location, schema revision, counts, chain head."),
    "verify": (
        "admin",
        "Recompute the hash chain and check positions; exit 1 at the first broken position.",
    ),
    "db": ("admin", "Database schema commands: upgrade, rebuild."),
}
MODULES = tuple(dict.fromkeys(module for module, _ in COMMANDS.values()))


class LazyGroup(click.Group):
    """A group whose commands are registered by their modules when first asked for.

    `lazy`: the table of those commands (`COMMANDS`); without it, a plain group. Reading
    `commands` from outside registers every module (a test walking the commands sees them
    all); click's own lookups go through `get_command`, which imports one module.
    """

    def __init__(
        self, *args: Any, lazy: dict[str, tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        self._registered: dict[str, click.Command] = {}
        self._table = lazy or {}
        self._loaded: set[str] = set()
        super().__init__(*args, **kwargs)

    @property  # type: ignore[override]
    def commands(self) -> dict[str, click.Command]:
        for module, _ in self._table.values():
            self._load(module)
        return self._registered

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._registered = dict(value)

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        name = name or cmd.name
        if name is None:
            raise TypeError("Command has no name.")
        self._registered[name] = cmd

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self._registered:
            listed = self._table.get(cmd_name)
            if listed is not None:
                self._load(listed[0])
            else:  # not in the table: perhaps a module registers it all the same
                return self.commands.get(cmd_name)
        return self._registered.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self._registered.keys() | self._table.keys())

    def summaries(self, ctx: click.Context) -> list[tuple[str, str]]:
        """(name, summary) of every command shown in the help, from `COMMANDS` for the
        commands not registered yet."""
        from tracker.cli.groups import summary

        rows = []
        for name in self.list_commands(ctx):
            command = self._registered.get(name)
            if command is None:
                rows.append((name, self._table[name][1]))
            elif not command.hidden:
                rows.append((name, summary(command)))
        return rows

    def _load(self, module: str) -> None:
        if module not in self._loaded:
            self._loaded.add(module)
            import_module(f"tracker.cli.{module}").register(self)
