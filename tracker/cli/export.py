"""`tracker export …` and `tracker restore`: everything out, and the log back in."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import Any

import click

from tracker.adapters.exports import TIMELINEJS_COLUMNS, log_lines
from tracker.adapters.files import write_csv
from tracker.adapters.outputs import atomic_output
from tracker.cli.change import CHANGE_COLUMNS, world_rows
from tracker.cli.filters import filter_options
from tracker.cli.groups import Group
from tracker.cli.options import CUT, WHEN
from tracker.cli.show import CSV_COLUMNS, picture_rows
from tracker.domain.filters import ClaimFilter
from tracker.domain.rows import COLUMNS

OUT = click.option("--out", metavar="FILE", help="Write here (whole or not at all), not stdout.")


def register(cli: click.Group) -> None:
    cli.add_command(export)
    cli.add_command(restore)


@click.group(cls=Group)
def export() -> None:
    """Export claims, the log, the picture, a diff, or a TimelineJS sheet.

    \b
    Examples:
      tracker export claims --out claims.csv
      tracker export log --out backup.jsonl
      tracker export picture --as-of 2025-02
    """


@export.command()
@click.option(
    "--all", "include_retracted", is_flag=True, help="Retracted claims too, as op=retract."
)
@OUT
@click.pass_obj
def claims(app: Any, include_retracted: bool, out: str | None) -> None:
    """Claims in the import format (CSV): re-importing them appends nothing.

    Types added with `tracker types add` come first, as op=type rows.

    \b
    Examples:
      tracker export claims --out claims.csv
      tracker export claims --all > everything.csv
    """
    with (
        app.tracker().export_claims(include_retracted) as rows,
        atomic_output(out, app.own_files()) as stream,
    ):
        write_csv(stream, COLUMNS, rows)


@export.command()
@OUT
@click.pass_obj
def log(app: Any, out: str | None) -> None:
    """Every log event as JSON Lines: position, recorded_at, kind, payload, hash.

    \b
    Examples:
      tracker export log --out backup.jsonl
      tracker --db new.db restore backup.jsonl
    """
    with (
        closing(app.tracker().store.entries()) as entries,
        atomic_output(out, app.own_files()) as stream,
    ):
        stream.writelines(log_lines(entries))


@export.command()
@click.option("--as-of", "as_of", metavar="DATE", type=CUT, help="Valid date (default today).")
@click.option("--known-at", "known_at", metavar="WHEN", type=WHEN, help="Recorded-time cut.")
@filter_options
@OUT
@click.pass_obj
def picture(
    app: Any, as_of: str | None, known_at: str | None, where: ClaimFilter, out: str | None
) -> None:
    """The table of `show` as CSV (filtered as `show` is).

    \b
    Examples:
      tracker export picture --as-of 2025-02 --out picture.csv
      tracker export picture --as-of 2024-06 --known-at 2025-01-01
      tracker export picture --mentions Wagner --min-reliability B
    """
    with (
        app.tracker().picture_streamed(as_of, known_at, where) as picture,
        atomic_output(out, app.own_files()) as stream,
    ):
        write_csv(stream, CSV_COLUMNS, picture_rows(picture.slots, picture.occurrences))


@export.command()
@click.option("--from", "start", metavar="DATE", type=CUT, required=True, help="Valid date A.")
@click.option("--to", "end", metavar="DATE", type=CUT, required=True, help="Valid date B.")
@click.option("--known-at", "known_at", metavar="WHEN", type=WHEN, help="Recorded-time cut.")
@OUT
@click.pass_obj
def diff(app: Any, start: str, end: str, known_at: str | None, out: str | None) -> None:
    """The table of `diff --from --to` as CSV.

    \b
    Examples:
      tracker export diff --from 2024-03 --to 2024-06 --out diff.csv
      tracker export diff --from 2024 --to 2025
    """
    with (
        app.tracker().diff_streamed(start, end, known_at) as result,
        atomic_output(out, app.own_files()) as stream,
    ):
        write_csv(stream, CHANGE_COLUMNS, world_rows(result.changes, result.occurrences))


@export.command()
@OUT
@click.pass_obj
def timelinejs(app: Any, out: str | None) -> None:
    """A TimelineJS spreadsheet (CSV); imprecise dates are spelled out in Display Date.

    \b
    Examples:
      tracker export timelinejs --out timeline.csv
      tracker export timelinejs | head
    """
    with app.tracker().timelinejs() as rows, atomic_output(out, app.own_files()) as stream:
        write_csv(stream, TIMELINEJS_COLUMNS, rows)


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def restore(app: Any, path: Path) -> None:
    """Load an `export log` file into an empty database, keeping positions, times and hashes.

    \b
    Examples:
      tracker export log --out backup.jsonl
      tracker --db restored.db restore backup.jsonl
    """
    count = app.tracker().restore(path)
    click.echo(f"restored {count} events; hash chain verified")
