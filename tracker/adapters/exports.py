"""Export formats: claims in the import format, the log as JSON Lines, TimelineJS rows."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import fields
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import Any, TextIO

from tracker.domain.building import claim_fields
from tracker.domain.dates import date_parts, parse_date
from tracker.domain.errors import TrackerError
from tracker.domain.events import LogEntry, TypeDefined, canonical_json, format_instant
from tracker.domain.fold import STATE_FIELDS, ClaimState
from tracker.domain.model import CLAIM_FIELDS, Claim, Publisher, Source
from tracker.domain.rows import COLUMNS

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

TIMELINEJS_COLUMNS = (
    "Year",
    "Month",
    "Day",
    "Time",
    "End Year",
    "End Month",
    "End Day",
    "End Time",
    "Display Date",
    "Headline",
    "Text",
    "Media",
    "Media Credit",
    "Media Caption",
    "Media Thumbnail",
    "Type",
    "Group",
    "Background",
)


def claim_rows(states: Iterable[Sequence[Any]]) -> Iterator[tuple[str | None, ...]]:
    """One import-format row per claim state (a row laid out as `STATE_FIELDS`, then its
    article's fields as `Source` lays them out), as `claim_fields` lays a claim out, with
    `op` and `rank` for its standing.

    Each row is picked in one step from the state's cells, its standing as the import format
    spells it and its source's cells, not built as a dict: this runs once per claim.
    """
    pick, standing = _PICK, _STANDING
    for state in states:
        rank = state[_RANK]
        yield pick(
            (
                *state[:standing],
                "retract" if state[_RETRACTED] else None,
                None if rank == "normal" else rank,
                None,  # reason: read from a row on import, never kept with the claim
                *state[standing:],
            )
        )


def type_row(event: TypeDefined) -> tuple[str | None, ...]:
    """A type the log defines, as the op=type row that defines it again on import."""
    cells = {"op": "type", "type": event.code, "value": event.shape, "summary": event.description}
    return tuple(cells.get(column) for column in COLUMNS)


def grade_rows(publishers: Mapping[str, Publisher]) -> Iterator[tuple[str | None, ...]]:
    """One `op=grade` row per publisher with a grade, by name. After the claims: their rows
    have set each publisher's first grade by then, so a grade row only appends a re-grade."""
    graded = sorted(
        (p for p in publishers.values() if p.grade is not None), key=lambda p: p.name.casefold()
    )
    for publisher in graded:
        cells = {"op": "grade", "source": publisher.name, "reliability": publisher.grade}
        yield tuple(cells.get(column) for column in COLUMNS)


def _layout() -> Callable[[tuple[Any, ...]], tuple[str | None, ...]]:
    """Where each import column sits in what `claim_rows` puts together for a claim.

    Read off `claim_fields` itself, given a claim and a source whose fields hold their own
    names, so this fast path cannot drift from it.
    """
    claim = Claim(*(f"claim.{name}" for name in CLAIM_FIELDS))
    source = Source(*(f"source.{name}" for name in _SOURCE_FIELDS))
    named = claim_fields(claim, source)
    cells = [
        *(f"claim.{name}" for name in STATE_FIELDS),
        "op",
        "rank",
        "reason",
        *(f"source.{name}" for name in _SOURCE_FIELDS),
    ]
    return itemgetter(*(cells.index(named.get(column) or column) for column in COLUMNS))


_SOURCE_FIELDS = tuple(f.name for f in fields(Source))
_STANDING = len(STATE_FIELDS)
_RETRACTED = STATE_FIELDS.index("retracted")
_RANK = STATE_FIELDS.index("rank")
_PICK = _layout()


def log_lines(entries: Iterable[LogEntry]) -> Iterator[str]:
    for entry in entries:
        yield (
            canonical_json(
                {
                    "position": entry.position,
                    "event_id": entry.event_id,
                    "recorded_at": format_instant(entry.recorded_at),
                    "kind": entry.kind,
                    "payload": entry.payload,
                    "hash": entry.hash,
                }
            )
            + "\n"
        )


@contextmanager
def read_log(path: Path) -> Iterator[Iterator[LogEntry]]:
    """The entries of an `export log` file, read a line at a time while the context is open
    (lines end at `\\n` only, as `log_lines` writes them); any unreadable line is an error
    naming it. The file is opened first, so a missing one is an error before anything else."""
    try:
        stream = path.open(encoding="utf-8", newline="\n")
    except OSError as error:
        raise TrackerError(f"{path}: cannot read a log export: {error}") from None
    with stream:
        yield _entries(path, stream)


def _entries(path: Path, stream: TextIO) -> Iterator[LogEntry]:
    try:
        for number, line in enumerate(stream, start=1):
            if line.strip():
                yield _log_entry(path, number, line)
    except (OSError, UnicodeDecodeError) as error:
        raise TrackerError(f"{path}: cannot read a log export: {error}") from None


def _log_entry(path: Path, number: int, line: str) -> LogEntry:
    try:
        data = json.loads(line)
        entry = LogEntry(
            int(data["position"]),
            str(data["event_id"]),
            datetime.fromisoformat(data["recorded_at"].replace("Z", "+00:00")),
            str(data["kind"]),
            dict(data["payload"]),
            str(data["hash"]),
        )
        if entry.recorded_at.tzinfo is None:
            raise ValueError("recorded_at has no time zone")
        entry.event  # noqa: B018 - decoded now, so a bad line is named here
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        raise TrackerError(f"{path}:{number}: not a log entry ({error})") from None
    return entry


def display_date(text: str) -> str:
    """How TimelineJS should label an imprecise date; empty for a plain day."""
    start, end = date_parts(text)
    if (
        "/" not in text
        and not text.startswith("[")
        and start
        and len(start) == 10
        and text == start
    ):
        return ""
    first, last = _words(start), _words(end)
    if text.startswith("["):
        label = f"between {first} and {last}"
    elif text.startswith("../"):
        label = f"by {last}"
    elif text.endswith("/.."):
        label = f"from {first}"
    elif "/" in text:
        label = f"{first} to {last}"
    else:
        label = first
    if "~" in text:
        label = f"about {label}"
    if "?" in text:
        label += " (uncertain)"
    return label


def _words(part: str | None) -> str:
    if part is None:
        return ""
    pieces = part.split("-")
    if len(pieces) == 1:
        return pieces[0]
    month = MONTHS[int(pieces[1]) - 1]
    return f"{int(pieces[2])} {month} {pieces[0]}" if len(pieces) == 3 else f"{month} {pieces[0]}"


def _ymd(part: str | None) -> list[str]:
    pieces = (part.split("-") if part else []) + ["", "", ""]
    return [pieces[0], pieces[1].lstrip("0"), pieces[2].lstrip("0")]


def timelinejs_row(state: ClaimState, source: Source) -> list[Any]:
    claim: Claim = state.claim
    start, end = date_parts(claim.date)
    valid = parse_date(claim.date)
    if start is None:  # an open start: placed at the window of its end, labelled "by …"
        start, end = end, None
    headline = (
        f"{claim.subject}: {claim.attribute} = {claim.value}"
        f"{' ' + claim.unit if claim.unit else ''}"
        if claim.attribute
        else f"{claim.subject}: {claim.type}"
    )
    text = (
        claim.summary + f" — {source.name}" + (f" ({claim.originator})" if claim.originator else "")
    )
    end_ymd = _ymd(end) if valid.is_span or claim.date.startswith("[") else ["", "", ""]
    return [
        *_ymd(start),
        "",
        *end_ymd,
        "",
        display_date(claim.date),
        headline,
        text,
        source.url or "",
        source.name,
        claim.quote or "",
        "",
        "",
        claim.subject,
        "",
    ]
