"""`tracker add`: append one claim by hand."""

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
    ("--reliability", "reliability", "Source reliability A-F (F: cannot be judged)."),
    ("--credibility", "credibility", "Claim credibility 1-6 (6: cannot be judged)."),
    ("--id", "id", "Stable claim id (default: derived from the content)."),
)


def claim_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for flag, name, help_text in reversed(CLAIM_OPTIONS):
        command = click.option(flag, name, metavar="TEXT", help=help_text)(command)
    return command


def register(cli: click.Group) -> None:
    cli.add_command(add)


@click.command()
@claim_options
@click.pass_obj
def add(app: Any, /, **fields: str | None) -> None:
    """Append one claim (and its source, the first time that source is seen)."""
    added = app.tracker().add(fields)
    if added.appended:
        click.echo(f"{added.claim_id} recorded at log position {added.position}")
    else:
        click.echo(
            f"{added.claim_id} already recorded at log position {added.position}; nothing appended"
        )
