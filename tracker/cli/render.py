"""Rendering for the terminal and for machines: aligned tables, JSON, CSV."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import click

from tracker.domain.values import read_value

FORMATS = click.Choice(["table", "json", "csv"])
EN_DASH = "\u2013"  # between the ends of a range, as typeset


def json_value(value: str | None) -> Any:
    """A single figure (exact or `~`) is a number, whole ones integers; any other figure is
    its canonical text (`>17000`, `300..350`); text stays text."""
    figure = read_value(value)
    if figure is None or not figure.numeric:
        return value
    return json_number(figure.single) if figure.single is not None else figure.text


def json_number(number: Decimal | None) -> Any:
    """Whole numbers stay integers in JSON, other numbers are floats."""
    if number is None:
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def figure_json(value: str | None) -> dict[str, Any]:
    """The `low`, `high` (null when open-ended) and `approximate` of a value (SPEC §10)."""
    figure = read_value(value)
    if figure is None:
        return {"low": None, "high": None, "approximate": False}
    return {
        "low": json_number(figure.low),
        "high": json_number(figure.high),
        "approximate": figure.approximate,
    }


def human_value(value: str | None) -> str:
    """Figures as a reader writes them (`1,800`, `≈1,800`, `>17,000`, `300`-en dash-`350`,
    `≥1,000`); text as it is."""
    figure = read_value(value)
    if figure is None:
        return "—"
    if not figure.numeric:
        return figure.text
    if figure.single is not None:
        return ("≈" if figure.approximate else "") + human_number(figure.single)
    if figure.bounded:
        assert figure.low is not None and figure.high is not None
        return f"{human_number(figure.low)}{EN_DASH}{human_number(figure.high)}"
    parts = []
    if figure.low is not None:
        parts.append(f"{'>' if figure.low_open else '≥'}{human_number(figure.low)}")
    if figure.high is not None:
        parts.append(f"{'<' if figure.high_open else '≤'}{human_number(figure.high)}")
    return " and ".join(parts)


def human_number(number: Decimal) -> str:
    """A number with thousands separators."""
    if number == number.to_integral_value():
        return f"{number.to_integral_value():,f}"  # not through int: no digit limit
    return f"{number:,f}"


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


def signed(number: Decimal, exact: bool = False) -> str:
    """+1,000 / -250 / +12.5: a change with its sign and thousands separators; one decimal
    place unless `exact` (a percentage is rounded, a difference of figures is not)."""
    whole = number == number.to_integral_value()
    text = human_number(number) if exact or whole else f"{number:,.1f}"
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
