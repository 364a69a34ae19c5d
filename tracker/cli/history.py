"""Along time: `tracker timeline` (claims in valid-time order) and `history` (log events)."""

from __future__ import annotations

from typing import Any

import click

from tracker.cli.filters import filter_options
from tracker.cli.options import CUT, VALID, WHEN, not_blank
from tracker.cli.picture_text import short_id
from tracker.cli.render import FORMATS, dump_csv, emit, json_value, table, with_unit
from tracker.cli.show import note_unmatched
from tracker.cli.terminal import terminal_options
from tracker.domain.events import format_instant
from tracker.domain.filters import ClaimFilter
from tracker.domain.history import HistoryRow
from tracker.domain.model import subject_key


def register(cli: click.Group) -> None:
    for command in (timeline, history):
        cli.add_command(command)


def history_json(row: HistoryRow) -> dict[str, Any]:
    judgement = row.kind.startswith("subject.")
    shown = {
        "position": row.position,
        "recorded_at": format_instant(row.recorded_at),
        "kind": row.kind,
        "claim": row.claim or None,
        "value": json_value(row.value),
        "date": row.date,
        "source": row.source,
        "reason": row.reason,
        "rank": None if judgement else row.detail,
        "subject": row.subject,
        "attribute": row.attribute,
        "type": row.type,
        "summary": row.summary,
        "changes": [{"field": c.field, "before": c.before, "after": c.after} for c in row.changes],
    }
    if judgement:
        shown["names"] = row.detail  # what the judgement says: `NAME → CANONICAL`, `A ≠ B`
    return shown


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
    "subject",
    "attribute",
    "type",
    "summary",
    "changes",
)


def history_cells(row: HistoryRow) -> list[Any]:
    """A row as CSV cells in `HISTORY_COLUMNS` order; changes as `field: a → b; …`."""
    data = history_json(row)
    data["changes"] = "; ".join(map(str, row.changes))
    return [("" if data[k] is None else data[k]) for k in HISTORY_COLUMNS]


def history_csv(rows: list[HistoryRow]) -> str:
    return dump_csv(HISTORY_COLUMNS, [history_cells(r) for r in rows])


def what_changed(row: HistoryRow) -> str:
    """What an event did to its claim, in a few words, and why."""
    if _judgement(row):
        text = ""
    elif row.changes:
        text = "; ".join(map(str, row.changes))
    elif row.detail:
        text = f"rank: {row.detail}"
    elif row.kind == "claim.asserted" and row.value is not None:
        text = f"value: {with_unit(row.value, None)}"
    else:
        text = ""
    if row.reason:
        text = f"{text} ({row.reason})" if text else f"({row.reason})"
    return text


def _judgement(row: HistoryRow) -> bool:
    """A judgement about names (`subject.aliased`, …): its `detail` says what it judged."""
    return row.kind.startswith("subject.")


def history_table(rows: list[HistoryRow]) -> str:
    body = [
        [
            str(r.position),
            r.recorded_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            f"{r.kind} {r.detail}" if _judgement(r) else r.kind.removeprefix("claim."),
            short_id(r.claim) if r.claim else "",
            f"{r.subject} / {r.attribute or r.type}" if r.subject else "",
            r.summary,
            what_changed(r),
        ]
        for r in rows
    ]
    headers = ["pos", "recorded at", "kind", "claim", "about", "summary", "change"]
    return table(headers, body)


@click.command()
@terminal_options
@click.option(
    "--subject",
    metavar="NAME",
    callback=not_blank,
    help="Only this subject (case-insensitive).",
)
@click.option(
    "--from", "start", metavar="DATE", type=VALID, help="Claims whose window reaches this date."
)
@click.option("--to", "end", metavar="DATE", type=CUT, help="Claims that begin by this date.")
@click.option("--known-at", "known_at", metavar="WHEN", type=WHEN, help="Recorded-time cut.")
@filter_options
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def timeline(
    app: Any,
    subject: str | None,
    start: str | None,
    end: str | None,
    known_at: str | None,
    where: ClaimFilter,
    fmt: str,
) -> None:
    """Claims in valid-time order (earliest first; ties by log position).

    \b
    Examples:
      tracker timeline --subject "Khalifa Haftar"
      tracker timeline --from 2024 --to 2024-12 --type military.force_level
      tracker timeline --mentions Wagner --min-reliability B --format csv > timeline.csv
    """
    states, knowledge = app.tracker().timeline(subject, start, end, None, known_at, where)
    note_unmatched(app, subject)
    items = []
    for state in states:
        claim = state.claim
        source = knowledge.source_of(claim)
        items.append(
            {
                "claim": claim.id,
                "type": claim.type,
                "date": claim.date,
                "subject": knowledge.identity.shown([subject_key(claim.subject)])[0],
                "aliases": list(knowledge.identity.shown([subject_key(claim.subject)])[1]),
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
            knowledge.identity.shown([subject_key(state.claim.subject)])[0],
            (
                f"{state.claim.attribute} = {with_unit(state.claim.value, state.claim.unit)}"
                if state.claim.attribute
                else ""
            ),
            state.claim.summary,
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
@terminal_options
@click.argument("target", metavar="CLAIM | SUBJECT/ATTRIBUTE | SUBJECT", callback=not_blank)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def history(app: Any, target: str, fmt: str) -> None:
    """Every log event that touched a claim, a slot, or a subject.

    A claim may be named by a unique prefix of its id.

    \b
    Examples:
      tracker history nyp-2025-02:russia-troops-2024-05
      tracker history Russia/troops_in_libya
      tracker history "Khalifa Haftar" --format json
    """
    rows = app.tracker().history(target)
    emit(
        fmt,
        {"target": target, "events": [history_json(r) for r in rows]},
        lambda: history_csv(rows),
        lambda: history_table(rows),
    )
