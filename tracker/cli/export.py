"""`tracker export …` and `tracker restore`: everything out, and the log back in."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import Any

import click

from tracker.adapters.exports import TIMELINEJS_COLUMNS, log_lines
from tracker.adapters.files import write_csv
from tracker.adapters.outputs import atomic_output
from tracker.cli.change import world_csv
from tracker.cli.filters import filter_options
from tracker.cli.show import picture_csv
from tracker.domain.filters import ClaimFilter
from tracker.domain.importing import COLUMNS

OUT = click.option("--out", metavar="FILE", help="Write here (whole or not at all), not stdout.")


def register(cli: click.Group) -> None:
    cli.add_command(export)
    cli.add_command(restore)


@click.group()
def export() -> None:
    """Export claims, the log, the picture, a diff, or a TimelineJS sheet."""


@export.command()
@click.option(
    "--all", "include_retracted", is_flag=True, help="Retracted claims too, as op=retract."
)
@OUT
@click.pass_obj
def claims(app: Any, include_retracted: bool, out: str | None) -> None:
    """Claims in the import format (CSV): re-importing them appends nothing."""
    with (
        app.tracker().export_claims(include_retracted) as rows,
        atomic_output(out, app.own_files()) as stream,
    ):
        write_csv(stream, COLUMNS, rows)


@export.command()
@OUT
@click.pass_obj
def log(app: Any, out: str | None) -> None:
    """Every log event as JSON Lines: position, recorded_at, kind, payload, hash."""
    with (
        closing(app.tracker().store.entries()) as entries,
        atomic_output(out, app.own_files()) as stream,
    ):
        stream.writelines(log_lines(entries))


@export.command()
@click.option("--as-of", "as_of", metavar="DATE", help="Valid date (default today).")
@click.option("--known-at", "known_at", metavar="WHEN", help="Recorded-time cut.")
@filter_options
@OUT
@click.pass_obj
def picture(
    app: Any, as_of: str | None, known_at: str | None, where: ClaimFilter, out: str | None
) -> None:
    """The table of `show` as CSV (filtered as `show` is)."""
    shown, _ = app.tracker().show(as_of, known_at, where=where)
    with atomic_output(out, app.own_files()) as stream:
        stream.write(picture_csv(shown))


@export.command()
@click.option("--from", "start", metavar="DATE", required=True, help="Valid date A.")
@click.option("--to", "end", metavar="DATE", required=True, help="Valid date B.")
@click.option("--known-at", "known_at", metavar="WHEN", help="Recorded-time cut.")
@OUT
@click.pass_obj
def diff(app: Any, start: str, end: str, known_at: str | None, out: str | None) -> None:
    """The table of `diff --from --to` as CSV."""
    result = app.tracker().diff(start, end, known_at)
    with atomic_output(out, app.own_files()) as stream:
        stream.write(world_csv(result))


@export.command()
@OUT
@click.pass_obj
def timelinejs(app: Any, out: str | None) -> None:
    """A TimelineJS spreadsheet (CSV); imprecise dates are spelled out in Display Date."""
    rows = app.tracker().timelinejs()
    with atomic_output(out, app.own_files()) as stream:
        write_csv(stream, TIMELINEJS_COLUMNS, rows)


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def restore(app: Any, path: Path) -> None:
    """Load an `export log` file into an empty database, keeping positions, times and hashes."""
    count = app.tracker().restore(path)
    click.echo(f"restored {count} events; hash chain verified")
