"""`tracker report`: the picture, the timeline and the numeric slots as one HTML file."""

from __future__ import annotations

from typing import Any

import click

from tracker.adapters.files import atomic_output
from tracker.cli.filters import filter_options
from tracker.domain.filters import ClaimFilter


def register(cli: click.Group) -> None:
    cli.add_command(report)


@click.command()
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="Valid date of the picture (a coarse date means the end of that period). Default: today.",
)
@click.option("--from", "start", metavar="DATE", help="Only claims whose dates reach this date.")
@click.option("--to", "end", metavar="DATE", help="Only claims whose dates begin by this date.")
@click.option("--subject", metavar="NAME", help="Only this subject (case-insensitive).")
@click.option(
    "--known-at",
    "known_at",
    metavar="WHEN",
    help="Recorded-time cut: ISO datetime, date (end of that UTC day), now, or @N.",
)
@filter_options
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="The HTML file to write (whole or not at all).",
)
@click.pass_obj
def report(
    app: Any,
    as_of: str | None,
    start: str | None,
    end: str | None,
    subject: str | None,
    known_at: str | None,
    where: ClaimFilter,
    out: str,
) -> None:
    """Write one self-contained HTML report: a timeline of occurrences, a chart per numeric
    slot, the picture as of a date and the sources. It opens offline."""
    # Imported here: Jinja2 is only needed by this command, and `tracker.report` reuses the
    # renderers of `tracker.cli.show`.
    from tracker.report import build_report, render

    built = build_report(app.tracker(), as_of, known_at, start, end, subject, where)
    page = render(built)
    with atomic_output(out) as stream:
        stream.write(page)
    counts = (
        _count(len(built.timeline), "occurrence"),
        _count(len(built.slots), "numeric slot"),
        _count(len(built.sources), "source"),
    )
    click.echo(f"{out}: as of {built.meta['as_of']}, {', '.join(counts)}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
