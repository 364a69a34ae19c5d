"""Rendering for the terminal and for machines: aligned tables, JSON, CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import click

from tracker.domain.model import numeric

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
    return f"{number:,}" if isinstance(number, Decimal) else str(number)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain aligned table; empty cells as blanks."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = ["  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    return "\n".join(lines)


def dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def dump_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue()
