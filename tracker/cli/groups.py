"""What every command shares: `tracker --help` in sections, `--db` after the command name,
every missing required parameter reported at once."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import click

from tracker.cli.lazy import LazyGroup

# The sections of `tracker --help`, in order, and the commands each holds. A command not
# listed goes by its name's closest kind (`FALLBACK`), else to the last section: adding a
# command never breaks the help.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Record", ("add", "import", "types")),
    ("Judge", ("correct", "retract", "rank", "reinstate", "alias", "unalias", "distinct", "grade")),
    ("Look", ("show", "timeline", "subjects", "sources", "search", "info")),
    ("Change", ("diff", "history", "report")),
    ("Exchange", ("export", "restore")),
    ("Admin", ("verify", "db")),
)
FALLBACK = "Admin"

# Read commands open an existing database and never create one (SPEC §11).
READERS = frozenset(
    (
        "show",
        "diff",
        "timeline",
        "history",
        "export",
        "report",
        "verify",
        "info",
        "subjects",
        "sources",
        "search",
        "types",
    )
)


# Writers inside a read command's group.
WRITERS_WITHIN = frozenset(("types add",))


def reads_only(ctx: click.Context) -> bool:
    """Whether the command running is a read (`show`, `export log`), which never creates."""
    words = ctx.command_path.split()[1:]
    return bool(words) and words[0] in READERS and " ".join(words) not in WRITERS_WITHIN


def section_of(name: str) -> str:
    for title, names in SECTIONS:
        if name in names:
            return title
    return FALLBACK


def summary(command: click.Command) -> str:
    """The first sentence of the help, whole (click's short help cuts at 45 characters)."""
    if command.short_help:
        return command.short_help
    text = (command.help or "").strip()
    paragraph = " ".join(text.split("\n\n", 1)[0].split())
    end = paragraph.find(". ")
    return paragraph if end < 0 else paragraph[: end + 1]


def format_sections(group: click.Group, ctx: click.Context, formatter: click.HelpFormatter) -> None:
    listed: dict[str, list[tuple[str, str]]] = {title: [] for title, _ in SECTIONS}
    for name, text in _summaries(group, ctx):
        listed[section_of(name)].append((name, text))
    for title, names in SECTIONS:
        rows = sorted(listed[title], key=lambda row: _order(names, row[0]))
        if rows:
            with formatter.section(title):
                formatter.write_dl(rows)


def _summaries(group: click.Group, ctx: click.Context) -> list[tuple[str, str]]:
    """(name, summary) of the commands the help lists; a `LazyGroup` gives them without
    importing its commands' modules."""
    if isinstance(group, LazyGroup):
        return group.summaries(ctx)
    rows = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is not None and not command.hidden:
            rows.append((name, summary(command)))
    return rows


def _order(names: tuple[str, ...], name: str) -> tuple[int, str]:
    return (names.index(name) if name in names else len(names), name)


def shared(command: click.Command) -> None:
    """What every command (and subcommand) gets: `--db`, and its examples after its options."""
    # A lazy group shares each command as it is added (`TrackerGroup.add_command`).
    if isinstance(command, click.Group) and not isinstance(command, LazyGroup):
        for sub in command.commands.values():
            shared(sub)
    db_option(command)
    examples_last(command)
    if not command.short_help:  # listed whole, not cut at 45 characters
        command.short_help = summary(command)


def examples_last(command: click.Command) -> None:
    """The help's Examples block shown at the end, after the options (as the epilog)."""
    text = command.help or ""
    at = text.find("Examples:")
    if at < 0 or command.epilog:
        return
    start = text.rfind("\b", 0, at)
    start = start if start >= 0 and not text[start + 2 : at].strip() else at
    command.help, command.epilog = text[:start].rstrip(), text[start:].strip()


def db_option(command: click.Command) -> None:
    """`--db` taken after the command name too (`tracker show --db x.db`); it wins."""
    if any("--db" in getattr(p, "opts", ()) for p in command.params):
        return
    command.params.append(
        click.Option(
            ["--db", "db_after"],
            metavar="URL",
            expose_value=False,
            callback=_set_db,
            help="Database (as `tracker --db`).",
        )
    )


def _set_db(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is None:
        return
    app = ctx.find_object(_app_type())
    if app is not None:
        app.db = value


def _app_type() -> type:
    from tracker.cli import App

    return App


def check_required(ctx: click.Context, name: str, command: click.Command, args: list[str]) -> None:
    """Report every missing required parameter in one usage error (exit 2); click would
    report them one run at a time. One missing parameter is left to click's own message."""
    if isinstance(command, click.Group):
        return
    sub = command.context_class(command, parent=ctx, info_name=name, resilient_parsing=True)
    try:
        opts, _, _ = command.make_parser(sub).parse_args(args=list(args))
    except click.UsageError:
        return  # click reports it when it parses for real
    params = command.get_params(sub)
    if any(p.is_eager and not _absent(p, opts.get(p.name)) for p in params):
        return  # --help, --version
    missing = [p for p in params if p.required and _absent(p, opts.get(p.name))]
    if len(missing) < 2:
        return
    raise click.UsageError(f"Missing {_listed(missing)}.", ctx=sub)


# What click's parser leaves for a parameter not given (a sentinel since click 8.3).
_UNSET = getattr(click.core, "UNSET", None)


def _absent(param: click.Parameter, value: Any) -> bool:
    if value is not _UNSET and value not in (None, (), False):
        return False
    return not (isinstance(param, click.Option) and param.envvar)


def _listed(missing: Iterable[click.Parameter]) -> str:
    arguments = [f"'{p.human_readable_name}'" for p in missing if isinstance(p, click.Argument)]
    options = [f"'{p.opts[0]}'" for p in missing if isinstance(p, click.Option)]
    parts = []
    if arguments:
        parts.append(("argument " if len(arguments) == 1 else "arguments ") + ", ".join(arguments))
    if options:
        parts.append(("option " if len(options) == 1 else "options ") + ", ".join(options))
    return " and ".join(parts)


class Group(click.Group):
    """A command group whose commands report every missing required parameter at once."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and name is not None:
            check_required(ctx, name, command, rest)
        return name, command, rest
