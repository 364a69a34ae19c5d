"""Change over time: `tracker diff`, `timeline`, `history`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from tracker.cli.render import (
    FORMATS,
    STATUS_COLOURS,
    dump_csv,
    dump_json,
    json_value,
    signed,
    table,
    with_unit,
)
from tracker.cli.show import occurrence_json, occurrence_table, short, slot_value
from tracker.domain.diff import SlotChange
from tracker.domain.events import format_instant
from tracker.domain.history import HistoryRow

if TYPE_CHECKING:  # the services pull in SQLAlchemy: not needed for `--help`
    from tracker.services import KnownDiff, WorldDiff


def register(cli: click.Group) -> None:
    for command in (diff, timeline, history):
        cli.add_command(command)


@click.command()
@click.option("--from", "start", metavar="DATE", help="Valid date A (world change).")
@click.option("--to", "end", metavar="DATE", help="Valid date B (world change).")
@click.option("--known-at", "known_at", metavar="WHEN", help="Recorded-time cut for --from/--to.")
@click.option("--known-from", "known_from", metavar="WHEN", help="Recorded moment K1.")
@click.option("--known-to", "known_to", metavar="WHEN", help="Recorded moment K2 (default now).")
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
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
    """What changed: in the world between valid dates A and B (--from A --to B), or in our
    knowledge between recorded moments K1 and K2 (--known-from K1 --known-to K2)."""
    world = start is not None or end is not None
    if world == (known_from is not None) or (world and (start is None or end is None)):
        raise click.UsageError("give either --from A --to B, or --known-from K1 [--known-to K2]")
    if world and as_of:
        raise click.UsageError("--as-of goes with --known-from; --from/--to are valid dates")
    if not world and known_at:
        raise click.UsageError("--known-at goes with --from/--to")
    tracker = app.tracker()
    if world:
        result: WorldDiff = tracker.diff(start, end, known_at)
        emit(fmt, world_json(result), lambda: world_csv(result), lambda: world_table(result))
    else:
        known: KnownDiff = tracker.diff_known(known_from, known_to, as_of)
        emit(fmt, known_json(known), lambda: known_csv(known), lambda: known_table(known))


def emit(fmt: str, data: Any, as_csv: Any, as_table: Any) -> None:
    if fmt == "json":
        click.echo(dump_json(data))
    elif fmt == "csv":
        click.echo(as_csv(), nl=False)
    else:
        click.echo(as_table())


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
    if change.delta is not None:
        percent = f", {signed(change.percent)}%" if change.percent is not None else ""
        text += f" ({signed(change.delta)}{percent})"
    return text


def change_json(change: SlotChange) -> dict[str, Any]:
    return {
        "subject": change.subject,
        "attribute": change.attribute,
        "change": change.change,
        "before": json_value(change.before.value) if change.before else None,
        "after": json_value(change.after.value) if change.after else None,
        "delta": json_value(str(change.delta)) if change.delta is not None else None,
        "percent": float(round(change.percent, 2)) if change.percent is not None else None,
        "status_before": change.before.status if change.before else None,
        "status_after": change.after.status if change.after else None,
        "unit": shown.unit if (shown := change.after or change.before) else None,
    }


def world_json(result: WorldDiff) -> dict[str, Any]:
    return {
        "from": result.start.isoformat(),
        "to": result.end.isoformat(),
        "known_at": result.cut.label(),
        "position": result.cut.position,
        "changes": [change_json(c) for c in result.changes],
        "occurrences": [occurrence_json(o) for o in result.occurrences],
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


def _change_rows(changes: list[SlotChange]) -> list[list[Any]]:
    rows = []
    for c in changes:
        data = change_json(c)
        rows.append(["slot", *(("" if data[k] is None else data[k]) for k in CHANGE_COLUMNS[1:])])
    return rows


def world_csv(result: WorldDiff) -> str:
    rows = _change_rows(result.changes)
    rows += [
        ["occurrence", o.subject, "", o.type, "", "", o.certainty, o.summary, "", "", o.date]
        for o in result.occurrences
    ]
    return dump_csv(CHANGE_COLUMNS, rows)


def _changes_table(changes: list[SlotChange]) -> str:
    rows = [[c.subject, c.attribute, c.change, change_text(c)] for c in changes]
    colours = [STATUS_COLOURS.get(c.after.status) if c.after else None for c in changes]
    return table(["subject", "attribute", "change", "before → after"], rows, colours)


def world_table(result: WorldDiff) -> str:
    parts = [
        f"Change from {result.start} to {result.end}, as known at {result.cut.label()} "
        f"(log position {result.cut.position})",
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


def history_json(row: HistoryRow) -> dict[str, Any]:
    return {
        "position": row.position,
        "recorded_at": format_instant(row.recorded_at),
        "kind": row.kind,
        "claim": row.claim,
        "value": json_value(row.value),
        "date": row.date,
        "source": row.source,
        "reason": row.reason,
        "rank": row.detail,
    }


HISTORY_COLUMNS = (
    "position",
    "recorded_at",
    "kind",
    "claim",
    "value",
    "date",
    "source",
    "reason",
    "rank",
)


def history_csv(rows: list[HistoryRow]) -> str:
    return dump_csv(
        HISTORY_COLUMNS,
        [[("" if v is None else v) for v in history_json(r).values()] for r in rows],
    )


def history_table(rows: list[HistoryRow]) -> str:
    body = [
        [
            str(r.position),
            r.recorded_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            r.kind + (f" {r.detail}" if r.detail else ""),
            r.claim,
            with_unit(r.value, None) if r.value is not None else "",
            r.date or "",
            r.source or "",
            r.reason or "",
        ]
        for r in rows
    ]
    return table(
        ["position", "recorded at", "kind", "claim", "value", "date", "source", "reason"], body
    )


def known_json(result: KnownDiff) -> dict[str, Any]:
    return {
        "known_from": result.first.label(),
        "known_to": result.second.label(),
        "positions": [result.first.position, result.second.position],
        "as_of": result.as_of.isoformat(),
        "events": [history_json(r) for r in result.events],
        "changes": [change_json(c) for c in result.changes],
    }


def known_csv(result: KnownDiff) -> str:
    return history_csv(result.events)


def known_table(result: KnownDiff) -> str:
    parts = [
        f"Knowledge from {result.first.label()} (log position {result.first.position}) "
        f"to {result.second.label()} (log position {result.second.position})",
        "",
    ]
    parts += (
        ["Log events", history_table(result.events)] if result.events else ["Log events: none."]
    )
    parts += ["", f"Picture as of {result.as_of}"]
    parts.append(_changes_table(result.changes) if result.changes else "no slot changed.")
    return "\n".join(parts)


@click.command()
@click.option("--subject", metavar="NAME", help="Only this subject (case-insensitive).")
@click.option("--from", "start", metavar="DATE", help="Claims whose window reaches this date.")
@click.option("--to", "end", metavar="DATE", help="Claims that begin by this date.")
@click.option("--type", "type_code", metavar="TYPE", help="Only this type code.")
@click.option("--known-at", "known_at", metavar="WHEN", help="Recorded-time cut.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def timeline(
    app: Any,
    subject: str | None,
    start: str | None,
    end: str | None,
    type_code: str | None,
    known_at: str | None,
    fmt: str,
) -> None:
    """Claims in valid-time order (earliest first; ties by log position)."""
    states, knowledge = app.tracker().timeline(subject, start, end, type_code, known_at)
    items = []
    for state in states:
        claim = state.claim
        source = knowledge.source_of(claim)
        items.append(
            {
                "claim": claim.id,
                "type": claim.type,
                "date": claim.date,
                "subject": claim.subject,
                "attribute": claim.attribute,
                "value": json_value(claim.value),
                "unit": claim.unit,
                "summary": claim.summary,
                "source": source.name,
                "originator": claim.originator,
                "reliability": source.reliability,
                "credibility": int(claim.credibility),
                "rank": state.rank,
                "position": state.position,
            }
        )
    columns = (
        "date",
        "type",
        "subject",
        "attribute",
        "value",
        "unit",
        "summary",
        "source",
        "originator",
        "reliability",
        "credibility",
        "rank",
        "claim",
        "position",
    )
    rows = [
        [
            state.claim.valid.label(),
            state.claim.type,
            state.claim.subject,
            (
                f"{state.claim.attribute} = {with_unit(state.claim.value, state.claim.unit)}"
                if state.claim.attribute
                else ""
            ),
            short(state.claim.summary),
            item["source"],
            state.claim.id,
        ]
        for state, item in zip(states, items, strict=True)
    ]
    emit(
        fmt,
        {"claims": items},
        lambda: dump_csv(
            columns, [[("" if i[c] is None else i[c]) for c in columns] for i in items]
        ),
        lambda: (
            table(
                ["date", "type", "subject", "observation", "summary", "source", "claim"],
                rows,
                ["bright_black" if s.rank == "deprecated" else None for s in states],
            )
            if rows
            else "No claims."
        ),
    )


@click.command()
@click.argument("target", metavar="CLAIM | SUBJECT/ATTRIBUTE | SUBJECT")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def history(app: Any, target: str, fmt: str) -> None:
    """Every log event that touched a claim, a slot, or a subject."""
    rows = app.tracker().history(target)
    emit(
        fmt,
        {"target": target, "events": [history_json(r) for r in rows]},
        lambda: history_csv(rows),
        lambda: history_table(rows),
    )
