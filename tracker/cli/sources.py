"""Publishers: `tracker grade` and `tracker sources` (SPEC §9)."""

from __future__ import annotations

from typing import Any

import click

from tracker.cli.render import FORMATS, dump_csv, emit, table

SOURCE_COLUMNS = (
    "source",
    "reliability",
    "claims",
    "articles",
    "first_published",
    "last_published",
)


def register(cli: click.Group) -> None:
    for command in (grade, sources):
        cli.add_command(command)


@click.command()
@click.argument("source", metavar="SOURCE")
@click.argument("grade", metavar="A-F")
@click.option("--reason", required=True, help="Why the publisher is graded so.")
@click.pass_obj
def grade(app: Any, source: str, grade: str, reason: str) -> None:
    """Grade a publisher's reliability A-F (a source.graded): every view then shows the
    grade as known at its --known-at.

    \b
    Example:
      tracker grade "New York Parrot" C --reason "track record checked"
    """
    graded = app.tracker().grade(source, grade, reason)
    if graded.position is None:
        click.echo(f"{graded.source} is already graded {graded.grade}; nothing appended")
    else:
        click.echo(f"{graded.source} graded {graded.grade} at log position {graded.position}")


@click.command()
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def sources(app: Any, fmt: str) -> None:
    """List the publishers: grade, active claims, articles, first and last published.

    \b
    Example:
      tracker sources --format csv
    """
    rows = app.tracker().sources()
    records = [
        {
            "source": r.source,
            "reliability": r.reliability,
            "claims": r.claims,
            "articles": r.articles,
            "first_published": r.first_published,
            "last_published": r.last_published,
        }
        for r in rows
    ]
    cells = [[str(v) if v is not None else "" for v in record.values()] for record in records]
    emit(
        fmt,
        records,
        lambda: dump_csv(SOURCE_COLUMNS, cells),
        lambda: table(list(SOURCE_COLUMNS), cells) if cells else "No sources recorded.",
    )
