"""`tracker show`: the picture as of a valid date, as known at a recorded time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import click

from tracker.cli.render import (
    FORMATS,
    STATUS_COLOURS,
    dump_csv,
    dump_json,
    human_value,
    json_value,
    table,
    with_unit,
)
from tracker.cli.filters import filter_options
from tracker.domain.filters import ClaimFilter
from tracker.domain.picture import Candidate, OccurrenceView, Picture, SlotView

if TYPE_CHECKING:  # the services pull in SQLAlchemy: not needed for `--help`
    from tracker.services import Cut

SUMMARY_WIDTH = 72


def register(cli: click.Group) -> None:
    cli.add_command(show)


@click.command()
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    help="Valid date (YYYY-MM-DD, YYYY-MM, YYYY; "
    "a coarse date means the end of that period). Default: today.",
)
@click.option(
    "--known-at",
    "known_at",
    metavar="WHEN",
    help="Recorded-time cut: ISO datetime, date (end of that UTC day), now, or @N.",
)
@click.option("--subject", metavar="NAME", help="Only this subject (case-insensitive).")
@click.option("--all", "show_all", is_flag=True, help="Show deprecated claims too.")
@filter_options
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    metavar="N",
    help="List the N newest occurrences only (and say how many more there are).",
)
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@click.pass_obj
def show(
    app: Any,
    as_of: str | None,
    known_at: str | None,
    subject: str | None,
    show_all: bool,
    where: ClaimFilter,
    limit: int | None,
    fmt: str,
) -> None:
    """The picture of the world as of a date: slots with their values, and occurrences."""
    picture, cut = app.tracker().show(as_of, known_at, subject, show_all, where)
    picture = limited(picture, limit)
    if fmt == "json":
        click.echo(dump_json(picture_json(picture, cut)))
    elif fmt == "csv":
        click.echo(picture_csv(picture), nl=False)
    else:
        click.echo(picture_table(picture, cut))


def limited(picture: Picture, limit: int | None) -> Picture:
    """The picture with its `limit` newest occurrences, counting the rest in `more`."""
    if limit is None or len(picture.occurrences) <= limit:
        return picture
    shown = picture.occurrences[:limit]
    return replace(picture, occurrences=shown, more=len(picture.occurrences) - limit)


def _candidate_json(c: Candidate) -> dict[str, Any]:
    return {
        "claim": c.claim,
        "value": json_value(c.value),
        "date": c.date,
        "source": c.source,
        "reliability": c.reliability,
        "credibility": int(c.credibility),
        "originator": c.originator,
        "rank": c.rank,
    }


def slot_json(slot: SlotView) -> dict[str, Any]:
    return {
        "subject": slot.subject,
        "attribute": slot.attribute,
        "status": slot.status,
        "value": json_value(slot.value),
        "unit": slot.unit,
        "date": slot.date,
        "claim": slot.claim,
        "sources": list(slot.sources),
        "candidates": [_candidate_json(c) for c in slot.candidates],
        "resolved_by": slot.resolved_by,
        "deprecated_hidden": slot.deprecated_hidden,
    }


def picture_json(picture: Picture, cut: Cut) -> dict[str, Any]:
    return {
        "as_of": picture.as_of.isoformat(),
        "known_at": cut.label(),
        "position": cut.position,
        "slots": [slot_json(s) for s in picture.slots],
        "occurrences": [occurrence_json(o) for o in picture.occurrences],
        "more_occurrences": picture.more,
        "deprecated_hidden": picture.deprecated_hidden,
        "changed_later": list(picture.changed_later),
    }


CSV_COLUMNS = (
    "section",
    "subject",
    "attribute",
    "status",
    "value",
    "unit",
    "date",
    "certainty",
    "type",
    "summary",
    "claim",
    "sources",
)


def picture_csv(picture: Picture) -> str:
    rows: list[list[Any]] = []
    for s in picture.slots:
        rows.append(
            [
                "slot",
                s.subject,
                s.attribute,
                s.status,
                s.value or "",
                s.unit or "",
                s.date or "",
                "",
                "",
                "",
                s.claim or "",
                "; ".join(s.sources),
            ]
        )
        rows.extend(
            [
                "candidate",
                s.subject,
                s.attribute,
                s.status,
                c.value or "",
                s.unit or "",
                c.date,
                "",
                "",
                "",
                c.claim,
                c.source,
            ]
            for c in s.candidates
        )
    rows.extend(
        [
            "occurrence",
            o.subject,
            "",
            "",
            "",
            "",
            o.date,
            o.certainty,
            o.type,
            o.summary,
            o.claim,
            "; ".join(o.sources),
        ]
        for o in picture.occurrences
    )
    return dump_csv(CSV_COLUMNS, rows)


def slot_value(slot: SlotView) -> str:
    """A slot's value as a reader needs it: conflicts and uncertainty spelled out."""
    if slot.status == "conflict":
        return " vs ".join(dict.fromkeys(with_unit(c.value, slot.unit) for c in slot.candidates))
    if slot.status == "possible":
        maybe = " or ".join(dict.fromkeys(human_value(c.value) for c in slot.candidates))
        before = with_unit(slot.value, slot.unit) if slot.value is not None else "none known"
        return f"{before}, possibly {maybe} already"
    if slot.status == "ended":
        return f"{with_unit(slot.value, slot.unit)} (until {slot.date})"
    return with_unit(slot.value, slot.unit)


def short(text: str) -> str:
    """A summary cut to fit a terminal table."""
    return text if len(text) <= SUMMARY_WIDTH else text[: SUMMARY_WIDTH - 1] + "…"


def occurrence_table(occurrences: Sequence[OccurrenceView]) -> str:
    rows = [[o.label, o.certainty, o.type, o.subject, short(o.summary)] for o in occurrences]
    colours = [STATUS_COLOURS.get(o.certainty) for o in occurrences]
    return table(["date", "certainty", "type", "subject", "summary"], rows, colours)


def occurrence_json(o: OccurrenceView) -> dict[str, Any]:
    return {
        "claim": o.claim,
        "type": o.type,
        "date": o.date,
        "certainty": o.certainty,
        "subject": o.subject,
        "summary": o.summary,
        "sources": list(o.sources),
        "actor": o.actor,
        "target": o.target,
        "place": o.place,
    }


def picture_table(picture: Picture, cut: Cut) -> str:
    parts = [
        f"Picture as of {picture.as_of.isoformat()}, as known at {cut.label()} "
        f"(log position {cut.position})"
    ]
    if picture.slots:
        rows = [
            [
                s.subject,
                s.attribute,
                s.status.upper() if s.status == "conflict" else s.status,
                slot_value(s),
                s.date or "",
                "; ".join(s.sources),
            ]
            for s in picture.slots
        ]
        parts += [
            "",
            "Slots",
            table(
                ["subject", "attribute", "status", "value", "date", "sources"],
                rows,
                [STATUS_COLOURS.get(s.status) for s in picture.slots],
            ),
        ]
        for s in picture.slots:
            parts += _slot_details(s)
    else:
        parts += ["", "Slots: none observed by this date."]
    if picture.occurrences:
        parts += ["", "Occurrences (newest first)", occurrence_table(picture.occurrences)]
        if picture.more:
            parts.append(f"… and {picture.more} more (--limit shows fewer or more).")
    else:
        parts += ["", "Occurrences: none by this date."]
    parts += _footers(picture)
    return "\n".join(parts)


def _slot_details(slot: SlotView) -> list[str]:
    lines = []
    if slot.status == "conflict" or slot.resolved_by:
        head = (
            f"resolved by preferred claim {slot.resolved_by}"
            if slot.resolved_by
            else "conflicting sources, not resolved"
        )
        lines.append(f"  {slot.subject} / {slot.attribute}: {head}")
        lines += [
            f"    {with_unit(c.value, slot.unit)} @ {c.date}  {c.source} "
            f"[{c.reliability}{c.credibility}]"
            f"{' ' + c.rank if c.rank != 'normal' else ''}  {c.claim}"
            for c in slot.candidates
        ]
    return lines


def _footers(picture: Picture) -> list[str]:
    lines = []
    if picture.deprecated_hidden:
        n = picture.deprecated_hidden
        lines.append(f"{n} deprecated claim{'s' if n > 1 else ''} hidden (--all shows them).")
    if picture.changed_later:
        ids = ", ".join(picture.changed_later)
        hint = picture.changed_later[0] if len(picture.changed_later) == 1 else "CLAIM"
        lines.append(f"Later log entries changed {ids}: see `tracker history {hint}`.")
    return ["", *lines] if lines else []
