"""Rendering for the terminal and for machines: aligned tables, JSON, CSV."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import click

from tracker.domain.values import numeric

FORMATS = click.Choice(["table", "json", "csv"])


def json_value(value: str | None) -> Any:
    """Whole numbers stay integers, other numbers are floats, text stays text."""
    number = numeric(value)
    if number is None:
        return value
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def human_value(value: str | None) -> str:
    """Numbers with thousands separators; text as it is."""
    number = numeric(value)
    if number is None:
        return value or "—"
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number:,}"


STATUS_COLOURS = {"conflict": "red", "possible": "yellow", "ended": "bright_black"}


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    colours: Sequence[str | None] | None = None,
) -> str:
    """An aligned table. A row's colour shows on a terminal only: click.echo strips it in pipes."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = ["  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for index, row in enumerate(rows):
        line = "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        colour = colours[index] if colours else None
        lines.append(click.style(line, fg=colour) if colour else line)
    return "\n".join(lines)


def with_unit(value: str | None, unit: str | None) -> str:
    shown = human_value(value)
    return f"{shown} {unit}" if unit and value is not None else shown


def signed(number: Decimal) -> str:
    """+1,000 / -250 / +12.5: a change with its sign and thousands separators."""
    whole = number == number.to_integral_value()
    text = f"{int(number):,}" if whole else f"{number:,.1f}"
    return text if text.startswith("-") else "+" + text


def dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def dump_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV text, formula-like cells neutralised (it may well be opened in a spreadsheet)."""
    from tracker.adapters.files import write_csv

    out = io.StringIO()
    write_csv(out, headers, rows)
    return out.getvalue()


def emit(fmt: str, data: Any, as_csv: Callable[[], str], as_table: Callable[[], str]) -> None:
    """Print one result in the chosen format; the CSV and table are built only when asked."""
    if fmt == "json":
        click.echo(dump_json(data))
    elif fmt == "csv":
        click.echo(as_csv(), nl=False)
    else:
        click.echo(as_table())
