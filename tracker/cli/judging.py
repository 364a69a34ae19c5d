"""Judging identity: `tracker alias`, `unalias`, `distinct`, `subjects`."""

from __future__ import annotations

from typing import Any

import click

from tracker.cli.render import FORMATS, dump_csv, emit, table


def register(cli: click.Group) -> None:
    for command in (alias, unalias, distinct, subjects):
        cli.add_command(command)


def _said(judged: Any, done: str, already: str) -> str:
    if judged.appended:
        return f"{done} at log position {judged.position}"
    return f"{already}; nothing appended"


@click.command()
@click.argument("name")
@click.option(
    "--as", "canonical", required=True, metavar="CANONICAL", help="The name to read it as."
)
@click.option("--reason", required=True, help="Why they are one entity.")
@click.pass_obj
def alias(app: Any, name: str, canonical: str, reason: str) -> None:
    """Read claims about NAME as claims about CANONICAL (a subject.aliased): their slots merge,
    so a disagreement shows as a conflict. Reversible with `tracker unalias`.

    \b
    Example:
      tracker alias "Russian Federation" --as Russia --reason "same state"
    """
    judged = app.tracker().alias(name, canonical, reason)
    click.echo(
        _said(
            judged, f"{name} aliased as {canonical}", f"{name} is already an alias of {canonical}"
        )
    )


@click.command()
@click.argument("name")
@click.option("--reason", required=True, help="Why the alias no longer holds.")
@click.pass_obj
def unalias(app: Any, name: str, reason: str) -> None:
    """Read NAME as itself again (a subject.unaliased).

    \b
    Example:
      tracker unalias "Russian Federation" --reason "two bodies after all"
    """
    judged = app.tracker().unalias(name, reason)
    click.echo(_said(judged, f"{name} unaliased", f"{name} is not an alias"))


@click.command()
@click.argument("a")
@click.argument("b")
@click.option("--reason", required=True, help="Why they are different entities.")
@click.pass_obj
def distinct(app: Any, a: str, b: str, reason: str) -> None:
    """Judge A and B different entities (a subject.distinguished): no longer suggested as similar.

    \b
    Example:
      tracker distinct "Khaled Haftar" "Khalifa Haftar" --reason "son and father"
    """
    judged = app.tracker().distinct(a, b, reason)
    click.echo(_said(judged, f"{a} and {b} judged distinct", f"{a} and {b} are already distinct"))


SUBJECT_COLUMNS = ("subject", "aliases", "claims", "attributes", "first", "last")
SIMILAR_COLUMNS = ("a", "b", "why", "command")


@click.command()
@click.option("--similar", is_flag=True, help="Pairs of subjects that look like one entity.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def subjects(app: Any, similar: bool, fmt: str) -> None:
    """Each subject after aliases: its other names, claims, attributes, first and last dates.

    With --similar: pairs that look like one entity (accents and transliteration, word order,
    one name inside the other, small edit distance), with the `tracker alias` command to
    run. Nothing is merged; pairs judged `tracker distinct` are left out.

    \b
    Examples:
      tracker subjects
      tracker subjects --similar --format json
    """
    if similar:
        pairs = app.tracker().similar()
        rows = [[p.a, p.b, p.why, p.command] for p in pairs]
        emit(
            fmt,
            [dict(zip(SIMILAR_COLUMNS, row, strict=True)) for row in rows],
            lambda: dump_csv(SIMILAR_COLUMNS, rows),
            lambda: table(SIMILAR_COLUMNS, rows),
        )
        return
    found = app.tracker().subjects()
    data = [
        {
            "subject": r.subject,
            "aliases": list(r.aliases),
            "claims": r.claims,
            "attributes": r.attributes,
            "first": r.first.isoformat(),
            "last": r.last.isoformat(),
        }
        for r in found
    ]
    flat = [
        [
            d["subject"],
            "; ".join(d["aliases"]),
            str(d["claims"]),
            str(d["attributes"]),
            d["first"],
            d["last"],
        ]
        for d in data
    ]
    emit(fmt, data, lambda: dump_csv(SUBJECT_COLUMNS, flat), lambda: table(SUBJECT_COLUMNS, flat))
