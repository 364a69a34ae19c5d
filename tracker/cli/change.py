"""Change over time: `tracker diff`, in the world and in our knowledge."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from tracker.cli.history import HISTORY_COLUMNS, history_cells, history_json, history_table
from tracker.cli.options import CUT, WHEN
from tracker.cli.render import (
    FORMATS,
    STATUS_COLOURS,
    dump_csv,
    emit,
    json_number,
    json_value,
    signed,
    stream_csv,
    stream_json,
    table,
)
from tracker.cli.show import occurrence_json, occurrence_table, slot_value
from tracker.cli.terminal import line, stdout_tty, terminal_options
from tracker.domain.diff import SlotChange
from tracker.domain.picture import OccurrenceView
from tracker.domain.values import number_text

if TYPE_CHECKING:  # the services pull in SQLAlchemy: not needed for `--help`
    from tracker.services import KnownDiff, WorldDiff
    from tracker.services.exporting import DiffStream


def register(cli: click.Group) -> None:
    cli.add_command(diff)


@click.command()
@terminal_options
@click.option("--from", "start", metavar="DATE", type=CUT, help="Valid date A (world change).")
@click.option("--to", "end", metavar="DATE", type=CUT, help="Valid date B (world change).")
@click.option(
    "--known-at", "known_at", metavar="WHEN", type=WHEN, help="Recorded-time cut for --from/--to."
)
@click.option("--known-from", "known_from", metavar="WHEN", type=WHEN, help="Recorded moment K1.")
@click.option(
    "--known-to", "known_to", metavar="WHEN", type=WHEN, help="Recorded moment K2 (default now)."
)
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    type=CUT,
    help="Valid date of the picture compared with --known-from/--known-to (default today).",
)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def diff(
    app: Any,
    start: str | None,
    end: str | None,
    known_at: str | None,
    known_from: str | None,
    known_to: str | None,
    as_of: str | None,
    fmt: str,
) -> None:
    """What changed, in the world or in what we knew.

    In the world between valid dates A and B (--from A --to B), or in our knowledge between
    recorded moments K1 and K2 (--known-from K1 --known-to K2).

    \b
    Examples:
      tracker diff --from 2024-03-01 --to 2024-06-01
      tracker diff --known-from 2025-03-01 --as-of 2025-02
      tracker diff --from 2024 --to 2025 --format json
    """
    world = start is not None or end is not None
    if world == (known_from is not None) or (world and (start is None or end is None)):
        raise click.UsageError("give either --from A --to B, or --known-from K1 [--known-to K2]")
    if world and as_of:
        raise click.UsageError("--as-of goes with --known-from; --from/--to are valid dates")
    if not world and known_at:
        raise click.UsageError("--known-at goes with --from/--to")
    tracker = app.tracker()
    if world and fmt != "table" and not stdout_tty():
        # Down a pipe, written as it is read (`export diff`'s reads).
        with tracker.diff_streamed(start, end, known_at) as stream:
            if fmt == "csv":
                stream_csv(CHANGE_COLUMNS, world_rows(stream.changes, stream.occurrences))
            else:
                stream_json(world_json(stream, iter))
    elif world:
        result: WorldDiff = tracker.diff(start, end, known_at)
        emit(fmt, world_json(result), lambda: world_csv(result), lambda: world_table(result))
    else:
        known: KnownDiff = tracker.diff_known(known_from, known_to, as_of)
        emit(fmt, known_json(known), lambda: known_csv(known), lambda: known_table(known))


def change_text(change: SlotChange) -> str:
    """`800 troops → 1,800 troops (+1,000, +125%)`."""
    before = slot_value(change.before) if change.before else "none"
    after = slot_value(change.after) if change.after else "none"
    text = f"{before} → {after}"
    hidden = change.after.deprecated_hidden if change.after else 0
    if hidden != (change.before.deprecated_hidden if change.before else 0):
        text += f" [{hidden} deprecated hidden]"
    if change.after and change.after.resolved_by:
        text += f" [resolved by preferred {change.after.resolved_by}]"
    if (shown := delta_text(change)) is not None:
        text += f" ({shown})"
    return text


def delta_text(change: SlotChange) -> str | None:
    """`+1,000, +125%`; `≈ +650..+700` between ranges or with an approximate figure."""
    difference = change.difference
    if difference is None:
        return None
    about = "≈ " if difference.approximate else ""
    if difference.single is None:
        return f"{about}{signed(difference.low, True)}..{signed(difference.high, True)}"
    percent = f", {about}{signed(difference.percent)}%" if difference.percent is not None else ""
    return f"{about}{signed(difference.single, True)}{percent}"


def delta_json(change: SlotChange) -> Any:
    """A number between single figures, `low..high` between ranges, null otherwise."""
    difference = change.difference
    if difference is None:
        return None
    if difference.single is not None:
        return json_number(difference.single)
    return f"{number_text(difference.low)}..{number_text(difference.high)}"


def change_json(change: SlotChange) -> dict[str, Any]:
    return {
        "subject": change.subject,
        "attribute": change.attribute,
        "change": change.change,
        "before": json_value(change.before.value) if change.before else None,
        "after": json_value(change.after.value) if change.after else None,
        "delta": delta_json(change),
        "delta_approximate": bool(change.difference and change.difference.approximate),
        "percent": _percent(change.percent) if change.percent is not None else None,
        "status_before": change.before.status if change.before else None,
        "status_after": change.after.status if change.after else None,
        "unit": shown.unit if (shown := change.after or change.before) else None,
        "unit_before": change.before.unit if change.before else None,
    }


def world_json(
    result: WorldDiff | DiffStream, items: Callable[[Iterator[Any]], Any] = list
) -> dict[str, Any]:
    """`items`: what the lists are made into (`iter`: streamed, `render.stream_json`)."""
    return {
        "from": result.start.isoformat(),
        "to": result.end.isoformat(),
        "known_at": result.cut.label(),
        "position": result.cut.position,
        "changes": items(map(change_json, result.changes)),
        "occurrences": items(map(occurrence_json, result.occurrences)),
    }


CHANGE_COLUMNS = (
    "section",
    "subject",
    "attribute",
    "change",
    "status_before",
    "before",
    "status_after",
    "after",
    "delta",
    "percent",
    "unit",
)


def _change_rows(changes: Iterable[SlotChange]) -> Iterator[list[Any]]:
    for c in changes:
        data = change_json(c)
        yield ["slot", *(("" if data[k] is None else data[k]) for k in CHANGE_COLUMNS[1:])]


def world_csv(result: WorldDiff) -> str:
    return dump_csv(CHANGE_COLUMNS, list(world_rows(result.changes, result.occurrences)))


def world_rows(
    changes: Iterable[SlotChange], occurrences: Iterable[OccurrenceView]
) -> Iterator[list[Any]]:
    """The rows of `world_csv` (under `CHANGE_COLUMNS`), made as they are written: an export
    streams the occurrences."""
    yield from _change_rows(changes)
    for o in occurrences:
        yield ["occurrence", o.subject, "", o.type, "", "", o.certainty, o.summary, "", "", o.date]


def _changes_table(changes: list[SlotChange]) -> str:
    rows = [[c.subject, c.attribute, c.change, change_text(c)] for c in changes]
    colours = [STATUS_COLOURS.get(c.after.status) if c.after else None for c in changes]
    return table(["subject", "attribute", "change", "before → after"], rows, colours)


def world_table(result: WorldDiff) -> str:
    parts = [
        line(
            f"Change from {result.start} to {result.end}, as known at {result.cut.label()} "
            f"(log position {result.cut.position})"
        ),
        "",
    ]
    parts += ["Slots", _changes_table(result.changes)] if result.changes else ["Slots: no change."]
    parts.append("")
    if result.occurrences:
        parts += [
            f"Occurrences in ({result.start}, {result.end}]",
            occurrence_table(result.occurrences),
        ]
    else:
        parts.append(f"Occurrences in ({result.start}, {result.end}]: none.")
    return "\n".join(parts)


def known_json(result: KnownDiff) -> dict[str, Any]:
    return {
        "known_from": result.first.label(),
        "known_to": result.second.label(),
        "positions": [result.first.position, result.second.position],
        "as_of": result.as_of.isoformat(),
        "events": [history_json(r) for r in result.events],
        "changes": [change_json(c) for c in result.changes],
    }


KNOWN_COLUMNS = (
    "section",
    *HISTORY_COLUMNS,
    *(c for c in CHANGE_COLUMNS[1:] if c not in HISTORY_COLUMNS),
)


def known_csv(result: KnownDiff) -> str:
    """Both sections, as `show`'s CSV: `event` rows (the log), then `slot` rows (the picture)."""
    width = len(KNOWN_COLUMNS)
    rows = []
    for row in result.events:
        cells = ["event", *history_cells(row)]
        rows.append(cells + [""] * (width - len(cells)))
    for change in result.changes:
        data = change_json(change)
        rows.append(["slot", *("" if data.get(k) is None else data[k] for k in KNOWN_COLUMNS[1:])])
    return dump_csv(KNOWN_COLUMNS, rows)


def known_table(result: KnownDiff) -> str:
    parts = [
        line(
            f"Knowledge from {result.first.label()} (log position {result.first.position}) "
            f"to {result.second.label()} (log position {result.second.position})"
        ),
        "",
    ]
    parts += (
        ["Log events", history_table(result.events)] if result.events else ["Log events: none."]
    )
    parts += ["", f"Picture as of {result.as_of}"]
    parts.append(_changes_table(result.changes) if result.changes else "no slot changed.")
    return "\n".join(parts)


def _percent(percent: Decimal) -> float:
    """To two places; a percentage past Decimal's 28 digits cannot be rounded there."""
    return float(round(percent, 2)) if percent.adjusted() < 25 else float(percent)
