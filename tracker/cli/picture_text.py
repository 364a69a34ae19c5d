"""The picture as a terminal table: slots and occurrences with short claim ids and grades,
conflicts capped in the table and listed under it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tracker.cli.render import STATUS_COLOURS, human_value, table, with_unit
from tracker.cli.terminal import line
from tracker.domain.picture import OccurrenceView, Picture, SlotView

if TYPE_CHECKING:  # the services pull in SQLAlchemy: not needed for `--help`
    from tracker.services import Cut


def slot_value(slot: SlotView) -> str:
    """A slot's value as a reader needs it: conflicts and uncertainty spelled out."""
    if slot.status == "conflict":
        return " vs ".join(dict.fromkeys(with_unit(c.value, c.unit) for c in slot.candidates))
    if slot.status == "possible":
        maybe = " or ".join(dict.fromkeys(human_value(c.value) for c in slot.candidates))
        before = with_unit(slot.value, slot.unit) if slot.value is not None else "none known"
        return f"{before}, possibly {maybe} already"
    if slot.status == "ended":
        return f"{with_unit(slot.value, slot.unit)} (until {slot.date})"
    return with_unit(slot.value, slot.unit)


def short_id(claim: str | None) -> str:
    """A claim id as a table shows it: a content id (`clm:` and 16 hex digits) by its first
    eight digits, enough to name it (`tracker history clm:1a2b3c4d`); a feed's id whole."""
    if claim is None:
        return "—"
    head, _, tail = claim.rpartition(":")
    if head and len(tail) == 16 and all(ch in "0123456789abcdef" for ch in tail):
        return f"{head}:{tail[:8]}"
    return claim


def graded(source: str, grade: str) -> str:
    """A source with its grade: `Reuters B3` (publisher reliability, claim credibility)."""
    return f"{source} {grade}" if grade else source


def _slot_sources(slot: SlotView) -> str:
    """The sources of the value shown, with their grades as known at K; a conflict's are
    listed under the table."""
    if slot.status == "conflict":
        return f"{len(slot.candidates)} claims, see below"
    return "; ".join(graded(*pair) for pair in zip(slot.sources, slot.grades, strict=True))


def value_cell(slot: SlotView) -> str:
    """A slot's value in a table: a conflict of more than two values is capped."""
    values = dict.fromkeys(c.value for c in slot.candidates)
    if slot.status == "conflict" and len(values) > 2:
        return f"{len(values)} values, see below"
    return slot_value(slot)


def occurrence_table(occurrences: Sequence[OccurrenceView]) -> str:
    rows = [
        [
            o.label,
            o.certainty,
            o.type,
            o.subject,
            o.summary,
            graded("; ".join(o.sources), o.grade),
            short_id(o.claim),
        ]
        for o in occurrences
    ]
    colours = [STATUS_COLOURS.get(o.certainty) for o in occurrences]
    headers = ["date", "certainty", "type", "subject", "summary", "source", "claim"]
    return table(headers, rows, colours)


def picture_table(
    picture: Picture, cut: Cut, more: str | None = None, more_slots: str | None = None
) -> str:
    """The picture as text; `more`, `more_slots`: what to say of the occurrences, the slots a
    limit left out."""
    parts = [
        line(
            f"Picture as of {picture.as_of.isoformat()}, as known at {cut.label()} "
            f"(log position {cut.position})"
        )
    ]
    if picture.slots:
        rows = [
            [
                s.subject,
                s.attribute,
                s.status.upper() if s.status == "conflict" else s.status,
                value_cell(s),
                s.date or "",
                _slot_sources(s),
                short_id(s.claim),
            ]
            for s in picture.slots
        ]
        parts += [
            "",
            "Slots",
            table(
                ["subject", "attribute", "status", "value", "date", "sources", "claim"],
                rows,
                [STATUS_COLOURS.get(s.status) for s in picture.slots],
            ),
        ]
        for s in picture.slots:
            parts += map(line, _slot_details(s))
    elif picture.more_slots:
        parts += ["", "Slots"]
    else:
        parts += ["", "Slots: none observed by this date."]
    if picture.more_slots:
        said = f" ({more_slots})" if more_slots else ""
        parts.append(f"… more slots follow{said}.")
    if picture.occurrences:
        parts += ["", "Occurrences (newest first)", occurrence_table(picture.occurrences)]
        if picture.more:
            parts.append(f"… and {picture.more:,} more ({more or '--limit shows fewer or more'}).")
    else:
        parts += ["", "Occurrences: none by this date."]
    parts += map(line, _footers(picture))
    return "\n".join(parts)


def _slot_details(slot: SlotView) -> list[str]:
    """Under the table: a conflict's claims, or a resolved one's; the deprecated claims that
    `--all` shows."""
    listed = list(slot.candidates)
    if slot.status == "conflict" or slot.resolved_by:
        head = (
            f"resolved by preferred claim {slot.resolved_by}"
            if slot.resolved_by
            else "conflicting sources, not resolved"
        )
    elif any(c.rank == "deprecated" for c in slot.candidates):
        head = "deprecated claims, shown by --all"
        listed = [c for c in slot.candidates if c.rank == "deprecated"]
    else:
        return []
    return [
        f"  {slot.subject} / {slot.attribute}: {head}",
        *(
            f"    {with_unit(c.value, c.unit)} @ {c.date}  "
            f"{graded(c.source, c.reliability + c.credibility)}"
            f"{' ' + c.rank if c.rank != 'normal' else ''}  {short_id(c.claim)}"
            for c in listed
        ),
    ]


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
