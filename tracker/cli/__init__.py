"""The `tracker` command: one group, one error translation point, commands in submodules."""

from __future__ import annotations

import sys
from typing import Any

import click

from tracker.cli.groups import Group, format_sections, reads_only, shared
from tracker.cli.lazy import COMMANDS, LazyGroup
from tracker.cli.terminal import escape, terminal_options
from tracker.domain.errors import TrackerError


class TrackerGroup(LazyGroup, Group):
    """Turns library errors into one `Error: …` line and exit 1; lists commands by section."""

    def invoke(self, ctx: click.Context) -> Any:
        from tracker.adapters.outputs import stdout_errors

        try:
            # What a command printed is flushed here, inside the translation: a full disk
            # or a closed pipe under stdout is then one line, not a traceback at exit.
            with stdout_errors():
                result = super().invoke(ctx)
                sys.stdout.flush()
            return result
        except TrackerError as error:
            # Messages may quote the data: never let it drive the terminal.
            raise click.ClickException(escape(str(error))) from None

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        shared(cmd)
        super().add_command(cmd, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        format_sections(self, ctx, formatter)


class App:
    """What every command needs, built on first use so `--help` touches no database."""

    def __init__(self, db: str | None) -> None:
        self.db = db
        self._tracker: Any = None

    @property
    def url(self) -> str:
        from tracker.config import resolve_url

        return resolve_url(self.db)

    def tracker(self) -> Any:
        """The application on this database; a read command never creates the database, nor
        does a dry run (on a SQLite file not made yet it checks against an empty database in
        a temporary folder, removed when the command ends)."""
        if self._tracker is None:
            from tracker.db import open_store, sqlite_file
            from tracker.services import Tracker, utc_now

            ctx = click.get_current_context(silent=True)
            url = self.url
            path = sqlite_file(url)
            if ctx is not None and ctx.params.get("dry_run") and path and not path.exists():
                from tempfile import TemporaryDirectory  # not paid by `--help`

                scratch = TemporaryDirectory(prefix="tracker-dry-run-")
                ctx.call_on_close(scratch.cleanup)
                url = f"sqlite:///{scratch.name}/{path.name}"
            store = open_store(url, utc_now, create=ctx is None or not reads_only(ctx))
            store.on_wait = _say_waiting
            self._tracker = Tracker(store, utc_now)
        return self._tracker

    def own_files(self) -> tuple[str, ...]:
        """The database's own file (SQLite), which no `--out` may replace."""
        from sqlalchemy.engine import make_url

        url = make_url(self.url)
        name = url.database
        if url.get_backend_name() != "sqlite" or not name or name == ":memory:":
            return ()
        return (name.removeprefix("file:"),)


def _say_waiting() -> None:
    click.echo("waiting for another writer…", err=True)


@click.group(
    cls=TrackerGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.option(
    "--db",
    metavar="URL",
    help="SQLAlchemy URL or SQLite file path "
    "(default: $TRACKER_DATABASE_URL, else a file in your data directory).",
)
@click.version_option(package_name="tracker")
@terminal_options
@click.pass_context
def cli(ctx: click.Context, db: str | None) -> None:
    """Record dated claims with provenance; see the world as of any date, as known at any time.

    \b
    Examples:
      tracker import events/
      tracker show --as-of 2025-02
      tracker show --db ~/libya.db --subject Russia --format json
    """
    ctx.obj = App(db)


def main() -> None:
    cli(prog_name="tracker")


# The commands register when first asked for (`lazy.COMMANDS` names their modules).
shared(cli)
