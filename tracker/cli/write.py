"""Writing by hand: `tracker add`, `correct`, `retract`, `rank`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from tracker.cli.options import CLAIM_CHECKS, not_blank, unknown_type_names

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


# What `add` cannot do without; `correct` takes every field as optional.
REQUIRED = frozenset(("type", "date", "subject", "summary", "source"))


def claim_options(command: Callable[..., Any], required: bool = False) -> Callable[..., Any]:
    """The claim's fields as options: a value that is bad in itself (a date, a grade, a blank
    required field) is a usage error naming the option, before the database is opened."""
    for flag, name, help_text in reversed(CLAIM_OPTIONS):
        command = click.option(
            flag,
            name,
            metavar="TEXT",
            type=CLAIM_CHECKS.get(name),
            callback=not_blank if name in REQUIRED else None,
            help=help_text,
            required=required and name in REQUIRED,
        )(command)
    return command


def add_options(command: Callable[..., Any]) -> Callable[..., Any]:
    return claim_options(command, required=True)


def register(cli: click.Group) -> None:
    for command in (add, correct, retract, reinstate, rank):
        cli.add_command(command)


@click.command()
@add_options
@click.pass_obj
def add(app: Any, /, **fields: str | None) -> None:
    """Append one claim, citing an article of a publisher.

    The source is the publisher, graded with `tracker grade`; the article (its url, title,
    dates) travels in the claim's own event.

    An observation (a value of SUBJECT / ATTRIBUTE) takes --attribute and --value; an
    occurrence (something happened) takes neither. The type says which (`tracker types`).

    \b
    Examples:
      tracker add --type diplomacy.visit --date 2025-02 --subject "Khalifa Haftar" \\
        --summary "Haftar began a visit to Belarus." --source "New York Parrot"
      tracker add --type military.force_level --date 2024-05 --subject Russia \\
        --attribute troops_in_libya --value 1800 --unit troops \\
        --summary "1,800 Russian troops in Libya." --source "New York Parrot" --credibility 3
    """
    with unknown_type_names("type"):
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
    """Correct a claim: the same claim with some fields changed (claim.corrected).

    A change in the world (800 then 1,800 troops) is a new claim (`tracker add`), never a
    correction. CLAIM may be a unique prefix of the claim id.

    \b
    Examples:
      tracker correct nyp-2025-02:gnu-mandate --date 2024-12 --reason "misread the date"
      tracker correct clm:71bb --value 2000 --reason "the article was updated"
    """
    with unknown_type_names("type"):
        corrected = app.tracker().correct(claim_id, reason, fields)
    click.echo(
        f"{corrected.entry.payload['supersedes']} corrected at log position "
        f"{corrected.entry.position}"
    )
    if corrected.warning:
        click.echo(f"warning: {corrected.warning}", err=True)


@click.command()
@click.argument("claim_id", metavar="CLAIM")
@click.option("--reason", required=True, help="Why the claim is retracted.")
@click.pass_obj
def retract(app: Any, claim_id: str, reason: str) -> None:
    """Retract a claim: it leaves the picture, and stays in the log and in `history`.

    CLAIM may be a unique prefix of the claim id.

    \b
    Examples:
      tracker retract nyp-2025-02:wilson-warning --reason "the post was a fake"
      tracker retract clm:71bb --reason "duplicate of an earlier claim"
    """
    entry = app.tracker().retract(claim_id, reason)
    click.echo(f"{entry.payload['claim_id']} retracted at log position {entry.position}")


@click.command()
@click.argument("claim_id", metavar="CLAIM")
@click.option("--reason", required=True, help="Why the claim returns.")
@click.pass_obj
def reinstate(app: Any, claim_id: str, reason: str) -> None:
    """Reinstate a retracted claim: it returns to the picture (a claim.reinstated).

    CLAIM may be a unique prefix of the claim id.

    \b
    Examples:
      tracker reinstate nyp-2025-02:wilson-warning --reason "the post was genuine after all"
      tracker reinstate clm:71bb --reason "retracted by mistake"
    """
    entry = app.tracker().reinstate(claim_id, reason)
    click.echo(f"{entry.payload['claim_id']} reinstated at log position {entry.position}")


@click.command()
@click.argument("claim_id", metavar="CLAIM")
@click.argument("rank", type=click.Choice(["preferred", "normal", "deprecated"]))
@click.option("--reason", required=True, help="Why the claim is ranked so.")
@click.pass_obj
def rank(app: Any, claim_id: str, rank: str, reason: str) -> None:
    """Rank a claim: preferred resolves a conflict, deprecated hides it (shown with --all).

    CLAIM may be a unique prefix of the claim id.

    \b
    Examples:
      tracker rank clm:71bb preferred --reason "confirmed by satellite imagery"
      tracker rank nyp-2025-02:russia-troops-2024-05 deprecated --reason "superseded estimate"
      tracker rank clm:71bb normal --reason "the other source was confirmed too"
    """
    entry = app.tracker().rank(claim_id, rank, reason)
    click.echo(f"{entry.payload['claim_id']} ranked {rank} at log position {entry.position}")
