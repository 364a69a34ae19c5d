"""The `tracker` command: one group, one error translation point, commands in submodules."""

from __future__ import annotations

from typing import Any

import click

from tracker.cli.terminal import escape, terminal_options
from tracker.domain.errors import TrackerError


class TrackerGroup(click.Group):
    """Turns library errors into one `Error: …` line and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TrackerError as error:
            # Messages may quote the data: never let it drive the terminal.
            raise click.ClickException(escape(str(error))) from None


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
        if self._tracker is None:
            from tracker.db import open_store
            from tracker.services import Tracker, utc_now

            self._tracker = Tracker(open_store(self.url, utc_now), utc_now)
        return self._tracker


@click.group(cls=TrackerGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
    """Record dated claims with provenance; see the world as of any date, as known at any time."""
    ctx.obj = App(db)


def main() -> None:
    cli(prog_name="tracker")


from tracker.cli import (  # noqa: E402
    admin,
    change,
    export,
    history,
    importing,
    report,
    search,
    show,
    write,
)

for module in (write, importing, show, change, history, search, export, report, admin):
    module.register(cli)
