"""`tracker report`: the picture, the timeline and the numeric slots as one HTML file."""

from __future__ import annotations

from typing import IO, Any

import click

from tracker.adapters.outputs import atomic_output
from tracker.cli.filters import filter_options
from tracker.cli.options import CUT, VALID, WHEN, not_blank
from tracker.domain.filters import ClaimFilter


def register(cli: click.Group) -> None:
    cli.add_command(report)


@click.command()
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    type=CUT,
    help="Valid date of the picture (a coarse date means the end of that period). Default: today.",
)
@click.option(
    "--from", "start", metavar="DATE", type=VALID, help="Only claims whose dates reach this date."
)
@click.option(
    "--to", "end", metavar="DATE", type=CUT, help="Only claims whose dates begin by this date."
)
@click.option(
    "--subject",
    metavar="NAME",
    callback=not_blank,
    help="Only this subject (case-insensitive).",
)
@click.option(
    "--known-at",
    "known_at",
    metavar="WHEN",
    type=WHEN,
    help="Recorded-time cut: ISO datetime, date (end of that UTC day), now, or @N.",
)
@filter_options
@click.option("--title", metavar="TEXT", help="The report's title, on the page and its tab.")
@click.option("--note", metavar="TEXT", help="A note under the title (blank lines: paragraphs).")
@click.option(
    "--note-file",
    "note_file",
    type=click.File("r", encoding="utf-8"),
    metavar="FILE",
    help="The note, read from a UTF-8 text file (- for standard input).",
)
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
    title: str | None,
    note: str | None,
    note_file: IO[str] | None,
    out: str,
) -> None:
    """Write one self-contained HTML report that opens offline and prints on A4.

    A title and note, the story of the occurrences with their quotes and links, a chart per
    numeric slot, the picture as of a date (with a slider over earlier dates) and the
    sources.

    \b
    Examples:
      tracker report --out libya.html
      tracker report --as-of 2025-02 --from 2024 --out libya.html
      tracker report --subject Russia --known-at 2025-03-01 --out russia.html
    """
    # Imported here: Jinja2 is only needed by this command, and `tracker.report` reuses the
    # renderers of `tracker.cli.show`.
    from tracker.cli.show import note_unmatched
    from tracker.report import Heading, Query, build_report, render

    if note is not None and note_file is not None:
        raise click.UsageError("give --note or --note-file, not both")
    if note_file is not None:
        try:
            note = note_file.read()
        except UnicodeDecodeError:
            raise click.BadParameter("not UTF-8 text", param_hint="--note-file") from None
    query = Query(
        as_of=as_of, known_at=known_at, start=start, end=end, subject=subject, where=where
    )
    built = build_report(app.tracker(), query, Heading(title, note))
    page = render(built)
    with atomic_output(out, app.own_files()) as stream:
        stream.write(page)
    note_unmatched(app, subject)  # an empty report, and why: as `show` and `timeline` say it
    counts = (
        _count(built.timeline["total"], "occurrence"),
        _count(len(built.slots), "numeric slot"),
        _count(len(built.sources), "source"),
    )
    click.echo(f"{out}: as of {built.meta['as_of']}, {', '.join(counts)}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
