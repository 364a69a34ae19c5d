"""Writing by hand: `tracker add`, `correct`, `retract`, `rank`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

# (option, field, help) for every field of a claim and its source, shared by add and correct.
CLAIM_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("--type", "type", "Type code (see `tracker types`)."),
    (
        "--date",
        "date",
        "Valid date, EDTF subset: 2024-05-14, 2024-05, 2024-05~, "
        "[2024-02..2024-05], 2024-02/2024-05, ../2025-02.",
    ),
    ("--subject", "subject", "Who or what the claim is about."),
    ("--summary", "summary", "One sentence."),
    ("--source", "source", "Publisher or outlet name."),
    ("--source-url", "source_url", "URL of the source."),
    ("--source-title", "source_title", "Title of the source."),
    ("--published", "published", "When the source published it (EDTF date)."),
    ("--retrieved", "retrieved", "When the source was read (ISO datetime)."),
    ("--attribute", "attribute", "Makes the claim an observation of SUBJECT / ATTRIBUTE."),
    ("--value", "value", "The observed value (with --attribute)."),
    ("--unit", "unit", "Unit of the value."),
    ("--actor", "actor", "Who acted."),
    ("--target", "target", "Who or what was acted on."),
    ("--place", "place", "Where."),
    ("--quote", "quote", "The source's words."),
    ("--originator", "originator", "Who made the claim, if not the publisher."),
    (
        "--reliability",
        "reliability",
        "The publisher's first grade A-F (F: cannot be judged); re-grade: `tracker grade`.",
    ),
    ("--credibility", "credibility", "Claim credibility 1-6 (6: cannot be judged)."),
    ("--id", "id", "Stable claim id (default: derived from the content)."),
)


def claim_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for flag, name, help_text in reversed(CLAIM_OPTIONS):
        command = click.option(flag, name, metavar="TEXT", help=help_text)(command)
    return command


def register(cli: click.Group) -> None:
    for command in (add, correct, retract, reinstate, rank):
        cli.add_command(command)


@click.command()
@claim_options
@click.pass_obj
def add(app: Any, /, **fields: str | None) -> None:
    """Append one claim; its source is a publisher, graded with `tracker grade`."""
    added = app.tracker().add(fields)
    for warning in added.warnings:
        click.echo(warning, err=True)
    if added.appended:
        click.echo(f"{added.claim_id} recorded at log position {added.position}")
    else:
        click.echo(
            f"{added.claim_id} already recorded at log position {added.position}; nothing appended"
        )


@click.command()
@click.argument("claim_id", metavar="CLAIM")
@click.option("--reason", required=True, help="Why the claim is corrected.")
@claim_options
@click.pass_obj
def correct(app: Any, /, claim_id: str, reason: str, **fields: str | None) -> None:
    """Correct a claim: the same claim, with the given fields changed (a claim.corrected).

    A change in the world (800 then 1,800 troops) is a new claim (`tracker add`), never a
    correction.
    """
    corrected = app.tracker().correct(claim_id, reason, fields)
    click.echo(f"{claim_id} corrected at log position {corrected.entry.position}")
    if corrected.warning:
        click.echo(f"warning: {corrected.warning}", err=True)


@click.command()
@click.argument("claim_id", metavar="CLAIM")
@click.option("--reason", required=True, help="Why the claim is retracted.")
@click.pass_obj
def retract(app: Any, claim_id: str, reason: str) -> None:
    """Retract a claim: it leaves the picture, and stays in the log and in `history`."""
    entry = app.tracker().retract(claim_id, reason)
    click.echo(f"{claim_id} retracted at log position {entry.position}")


@click.command()
@click.argument("claim_id", metavar="CLAIM")
@click.option("--reason", required=True, help="Why the claim returns.")
@click.pass_obj
def reinstate(app: Any, claim_id: str, reason: str) -> None:
    """Reinstate a retracted claim: it returns to the picture (a claim.reinstated)."""
    entry = app.tracker().reinstate(claim_id, reason)
    click.echo(f"{claim_id} reinstated at log position {entry.position}")


@click.command()
@click.argument("claim_id", metavar="CLAIM")
@click.argument("rank", type=click.Choice(["preferred", "normal", "deprecated"]))
@click.option("--reason", required=True, help="Why the claim is ranked so.")
@click.pass_obj
def rank(app: Any, claim_id: str, rank: str, reason: str) -> None:
    """Rank a claim: preferred resolves a conflict, deprecated hides it (shown with --all)."""
    entry = app.tracker().rank(claim_id, rank, reason)
    click.echo(f"{claim_id} ranked {rank} at log position {entry.position}")
