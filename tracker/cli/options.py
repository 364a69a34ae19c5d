"""Checks shared by options of several commands."""

from __future__ import annotations

from typing import Any

import click


def not_blank(_ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
    """A name that is empty or only spaces matches nothing at one time and everything at
    another (a subject filter): a usage error rather than a silent guess."""
    if isinstance(value, str) and not value.strip():
        raise click.BadParameter("must not be empty")
    return value
