"""Rendering for the terminal and for machines: aligned tables, JSON, CSV."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any, TextIO

import click

from tracker.cli.jsonout import indented, indented_pieces
from tracker.cli.terminal import (
    columns,
    cut,
    escape,
    escape_lines,
    out,
    pad,
    safe_json,
    style,
    width,
)
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
    """An aligned table fitted to the terminal (`terminal.columns`): cells escaped, aligned by
    display width, the widest columns cut with `…` until the table fits. A row's colour shows
    only when colour is on (`terminal.style`)."""
    head = [escape(h.upper()) for h in headers]
    body = [[escape(cell) for cell in row] for row in rows]
    natural = [width(h) for h in head]
    for row in body:
        natural = [max(w, width(cell)) for w, cell in zip(natural, row, strict=True)]
    room = columns()
    flexible = [h.lower() in FLEXIBLE for h in headers]
    widths = fit(natural, room, flexible) if room is not None else natural
    lines = [_line(head, widths)]
    for index, row in enumerate(body):
        colour = colours[index] if colours else None
        lines.append(style(_line(row, widths), colour))
    return "\n".join(lines)


def fit(
    natural: Sequence[int], room: int, flexible: Sequence[bool] | None = None, gap: int = 2
) -> list[int]:
    """Column widths within `room`. The flexible columns (long free text) give way first, the
    widest first, down to `FLEX_WIDTH`; then every column does, the widest first, down to
    `MIN_WIDTH` (water-filling: the cut columns end at one common width)."""
    budget = room - gap * (len(natural) - 1)
    widths = list(natural)
    if flexible is not None and any(flexible):
        widths = _fill_some(widths, flexible, budget, FLEX_WIDTH)
        rigid = [not f for f in flexible]
        widths = _fill_some(widths, rigid, budget, RIGID_WIDTH)
    return _fill(widths, budget, MIN_WIDTH)


def _fill_some(widths: list[int], chosen: Sequence[bool], budget: int, floor: int) -> list[int]:
    """`_fill` on the chosen columns alone, the others kept as they are."""
    kept = sum(w for w, c in zip(widths, chosen, strict=True) if not c)
    shrunk = iter(
        _fill([w for w, c in zip(widths, chosen, strict=True) if c], budget - kept, floor)
    )
    return [next(shrunk) if c else w for w, c in zip(widths, chosen, strict=True)]


def _fill(natural: list[int], budget: int, floor: int) -> list[int]:
    """`natural` capped at the largest common width that fits `budget` (never below `floor`),
    what the cap leaves over going back to the first cut columns."""
    if sum(natural) <= budget or not natural:
        return natural
    low, high = 0, max(natural)
    while low < high:
        cap = (low + high + 1) // 2
        if sum(min(w, cap) for w in natural) <= budget:
            low = cap
        else:
            high = cap - 1
    cap = max(low, min(floor, max(natural)))
    widths = [min(w, cap) for w in natural]
    spare = budget - sum(widths)
    for i, w in enumerate(natural):
        if spare <= 0:
            break
        extra = min(spare, w - widths[i])
        widths[i] += extra
        spare -= extra
    return widths


MIN_WIDTH = 4
FLEX_WIDTH = 24
RIGID_WIDTH = 12  # then the other columns, down to this
# Columns of free text: they shrink before the others (a cut summary still reads).
FLEXIBLE = frozenset(
    {"summary", "value", "sources", "source", "reason", "quote", "change", "about"}
)


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(pad(cut(c, w), w) for c, w in zip(cells, widths, strict=True)).rstrip()


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
    """Indented JSON, every control character escaped (`terminal.safe_json`)."""
    return safe_json(indented(data))


def dump_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV text, formula-like cells neutralised (it may well be opened in a spreadsheet)."""
    from tracker.adapters.files import write_csv

    out = io.StringIO()
    write_csv(out, headers, rows)
    return out.getvalue()


def emit(fmt: str, data: Any, as_csv: Callable[[], str], as_table: Callable[[], str]) -> None:
    """Print one result in the chosen format; the CSV and table are built only when asked."""
    if fmt == "json":
        out(dump_json(data))
    elif fmt == "csv":
        out_csv(as_csv())
    else:
        out(as_table())


__all__ = ["out"]  # re-exported: commands print through render


def out_csv(text: str) -> None:
    """A view as CSV, control characters escaped as in a table: it may reach a terminal, or
    a log a terminal shows. The exact text of claims is `tracker export claims`' to give."""
    out(escape_lines(text), nl=False)


def stream_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """As `out_csv(dump_csv(headers, rows))` on a pipe, each row written as it is made: the
    reader gets the first rows at once, and memory follows a row, not the view."""
    from tracker.adapters.files import write_csv

    write_csv(_Escaped(sys.stdout), headers, rows)


def stream_json(data: Mapping[str, Any]) -> None:
    """As `out(dump_json(data))` on a pipe, the lists given as iterators written an item at a
    time (`jsonout.indented_pieces`)."""
    for piece in indented_pieces(data):
        sys.stdout.write(safe_json(piece))
    sys.stdout.write("\n")


class _Escaped:
    """A text stream that escapes what it is given as `escape_lines` does: character by
    character, so escaping each piece gives what escaping the whole would."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(escape_lines(text))
