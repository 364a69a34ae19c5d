"""The filter options of SPEC §11, shared by `show`, `timeline`, `search`, `report` and
`export picture`: six options gathered into one `where` argument."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from tracker.cli.options import unknown_type_names
from tracker.domain.filters import CREDIBILITIES, RELIABILITIES, ClaimFilter

_OPTIONS = (
    click.option(
        "--type", "f_types", multiple=True, metavar="T", help="Only claims of this type (repeat)."
    ),
    click.option(
        "--place", "f_places", multiple=True, metavar="P", help="Only claims at this place."
    ),
    click.option(
        "--source", "f_sources", multiple=True, metavar="S", help="Only claims from this source."
    ),
    click.option(
        "--mentions",
        "f_mentions",
        multiple=True,
        metavar="X",
        help="Only claims whose subject, actor or target is X.",
    ),
    click.option(
        "--min-reliability",
        "f_reliability",
        type=click.Choice(list(RELIABILITIES), case_sensitive=False),
        help="Only sources graded this reliable or better (A best).",
    ),
    click.option(
        "--min-credibility",
        "f_credibility",
        type=click.Choice(list(CREDIBILITIES)),
        help="Only claims this credible or better (1 best).",
    ),
)


def filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the filter options; the command receives them as `where` (a `ClaimFilter`).
    A `--type` the log's catalogue does not hold is a usage error naming `--type`."""

    @functools.wraps(command)
    def wrapper(
        *args: Any,
        f_types: tuple[str, ...],
        f_places: tuple[str, ...],
        f_sources: tuple[str, ...],
        f_mentions: tuple[str, ...],
        f_reliability: str | None,
        f_credibility: str | None,
        **kwargs: Any,
    ) -> Any:
        where = ClaimFilter.of(
            f_types, f_places, f_sources, f_mentions, f_reliability, f_credibility
        )
        with unknown_type_names("f_types"):
            return command(*args, where=where, **kwargs)

    for option in reversed(_OPTIONS):
        wrapper = option(wrapper)
    return wrapper
