"""`tracker show`: the picture as of a valid date, as known at a recorded time."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import click

from tracker.cli.filters import filter_options
from tracker.cli.options import CUT, WHEN, not_blank
from tracker.cli.picture_text import occurrence_table, picture_table, slot_value
from tracker.cli.render import (
    FORMATS,
    dump_csv,
    dump_json,
    figure_json,
    json_value,
    out,
    out_csv,
    stream_csv,
    stream_json,
)
from tracker.cli.terminal import stdout_tty, terminal_options
from tracker.domain.filters import ClaimFilter
from tracker.domain.picture import Candidate, OccurrenceView, Picture, SlotView

__all__ = ["occurrence_table", "slot_value"]  # for `change` and the report

if TYPE_CHECKING:  # the services pull in SQLAlchemy: not needed for `--help`
    from tracker.services import Cut
    from tracker.services.exporting import PictureStream


# On a terminal, with no --limit, a table lists this many newest occurrences (read from an
# index: a long list costs only what is shown) and says how to see the rest.
TERMINAL_LIMIT = 100
TERMINAL_MORE = "a terminal lists the {limit} newest: --limit N, or a pipe, lists more"
TERMINAL_MORE_SLOTS = "a terminal lists the first {limit}: --limit N, or a pipe, lists them all"


def register(cli: click.Group) -> None:
    cli.add_command(show)


@click.command()
@terminal_options
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    type=CUT,
    help="Valid date (YYYY-MM-DD, YYYY-MM, YYYY; "
    "a coarse date means the end of that period). Default: today.",
)
@click.option(
    "--known-at",
    "known_at",
    metavar="WHEN",
    type=WHEN,
    help="Recorded-time cut: ISO datetime, date (end of that UTC day), now, or @N.",
)
@click.option(
    "--subject",
    metavar="NAME",
    callback=not_blank,
    help="Only this subject (case-insensitive).",
)
@click.option("--all", "show_all", is_flag=True, help="Show deprecated claims too.")
@filter_options
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    metavar="N",
    help="List the N newest occurrences only (and say how many more there are). "
    f"Default: all; a table on a terminal lists the {TERMINAL_LIMIT} newest occurrences and "
    f"its first {TERMINAL_LIMIT} slots.",
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
    """The picture of the world as of a date: slots with their values, and occurrences.

    \b
    Examples:
      tracker show --as-of 2025-02
      tracker show --as-of 2024-05-15 --subject Russia
      tracker show --as-of 2024-06 --known-at 2025-03-01 --format json
      tracker show --type diplomacy.visit --min-reliability B --limit 20
    """
    if fmt != "table" and limit is None and subject is None and not show_all and not stdout_tty():
        # The whole picture down a pipe: written as it is read (`export picture`'s reads).
        with app.tracker().picture_streamed(as_of, known_at, where) as stream:
            if fmt == "csv":
                stream_csv(CSV_COLUMNS, picture_rows(stream.slots, stream.occurrences))
            else:
                stream_json(picture_json(stream, stream.cut, iter))
        return
    defaulted = limit is None and fmt == "table" and stdout_tty()
    if defaulted:  # a terminal is read a screen at a time: list the newest, say the rest
        limit = TERMINAL_LIMIT
    # A terminal's table pages its slots too (found through the slot index, so the first
    # screen costs what it shows); `--limit N` is for the occurrences only (SPEC §11).
    slots = TERMINAL_LIMIT if defaulted else None
    picture, cut = app.tracker().show(as_of, known_at, subject, show_all, where, limit, slots)
    note_unmatched(app, subject)
    if fmt == "json":
        data = picture_json(picture, cut)
        if limit is not None:  # only then: a picture's JSON keeps its keys otherwise
            data["more_occurrences"] = picture.more
        out(dump_json(data))
    elif fmt == "csv":
        out_csv(picture_csv(picture))
    else:
        more = TERMINAL_MORE.format(limit=limit) if defaulted else None
        more_slots = TERMINAL_MORE_SLOTS.format(limit=limit) if defaulted else None
        out(picture_table(picture, cut, more, more_slots))


def note_unmatched(app: Any, subject: str | None) -> None:
    """A `--subject` that names nothing known is said so on stderr, with the closest names."""
    if subject is not None:
        note = app.tracker().unmatched_subject(subject)
        if note is not None:
            click.echo(f"note: {note}", err=True)


def _candidate_json(c: Candidate) -> dict[str, Any]:
    return {
        "claim": c.claim,
        "value": json_value(c.value),
        **figure_json(c.value),
        "unit": c.unit,
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
        **figure_json(slot.value),
        "unit": slot.unit,
        "date": slot.date,
        "claim": slot.claim,
        "sources": list(slot.sources),
        "candidates": [_candidate_json(c) for c in slot.candidates],
        "resolved_by": slot.resolved_by,
        "deprecated_hidden": slot.deprecated_hidden,
        "aliases": list(slot.aliases),
    }


def picture_json(
    picture: Picture | PictureStream, cut: Cut, items: Callable[[Iterator[Any]], Any] = list
) -> dict[str, Any]:
    """`items`: what the lists are made into (`iter`: streamed, `render.stream_json`)."""
    return {
        "as_of": picture.as_of.isoformat(),
        "known_at": cut.label(),
        "position": cut.position,
        "slots": items(map(slot_json, picture.slots)),
        "occurrences": items(map(occurrence_json, picture.occurrences)),
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
    return dump_csv(CSV_COLUMNS, list(picture_rows(picture.slots, picture.occurrences)))


def picture_rows(
    slots: Iterable[SlotView], occurrences: Iterable[OccurrenceView]
) -> Iterator[list[Any]]:
    """The rows of `picture_csv` (under `CSV_COLUMNS`), made as they are written: an export
    streams the occurrences."""
    for s in slots:
        yield [
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
        for c in s.candidates:
            yield [
                "candidate",
                s.subject,
                s.attribute,
                s.status,
                c.value or "",
                c.unit or "",
                c.date,
                "",
                "",
                "",
                c.claim,
                c.source,
            ]
    for o in occurrences:
        yield [
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
        "aliases": list(o.aliases),
    }
