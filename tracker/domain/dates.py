"""Valid dates: the EDTF subset of SPEC §2, each read as windows of calendar days."""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from functools import cached_property, lru_cache

from tracker.domain.errors import ValidationError

ACCEPTED_FORMS = (
    "YYYY-MM-DD, YYYY-MM, YYYY, with ~ or ? after it (2024-05~), "
    "[YYYY-MM..YYYY-MM], START/END, START/.., ../END"
)

# Months 01-12 only: EDTF reads 21-24 as seasons, which the SPEC's subset does not take.
_PART = r"[0-9]{4}(?:-(?:0[1-9]|1[0-2])(?:-[0-9]{2})?)?[~?]?"  # ASCII digits only
_POINT = re.compile(rf"^({_PART})$")
_ONE_OF = re.compile(rf"^\[({_PART})\.\.({_PART})\]$")
_SPAN = re.compile(rf"^({_PART}|\.\.)/({_PART}|\.\.)$")


@dataclass(frozen=True, order=True)
class Window:
    """The calendar days [earliest, latest] within which one unknown day lies."""

    earliest: date
    latest: date

    def __str__(self) -> str:
        return f"{self.earliest.isoformat()}..{self.latest.isoformat()}"


@dataclass(frozen=True)
class ValidDate:
    """A parsed valid date.

    `start` is the window in which the thing happened or began to hold. `end` is the window
    in which a span stopped holding (None for a single date and for an open end). An open
    start (`../2025-02`) only says "by then": its start is the window of its end.
    """

    text: str
    start: Window
    end: Window | None
    open_start: bool = False
    open_end: bool = False

    @property
    def is_span(self) -> bool:
        return "/" in self.text

    @cached_property
    def window(self) -> Window:
        """The whole stretch of days the date touches (for ordering and listing); kept, since
        parsed dates are shared through the parse cache."""
        last = self.end.latest if self.end is not None else self.start.latest
        return Window(self.start.earliest, last)

    @property
    def flagged(self) -> bool:
        return "~" in self.text or "?" in self.text

    def label(self) -> str:
        return date_label(self.text)

    def ended_by(self, day: date) -> bool:
        """True when a span with a closed end has certainly stopped holding on `day`."""
        return self.is_span and self.end is not None and self.end.latest < day


def date_label(text: str) -> str:
    """A valid date's canonical text as an analyst reads it: `by 2025-02` for an open start."""
    return "by " + text[3:] if text.startswith("../") else text


def date_parts(text: str) -> tuple[str | None, str | None]:
    """The bare date texts of a valid date's start and end (flags stripped; None for `..`).

    `2024-05~` → (2024-05, None); `[2024-02..2024-05]` and `2024-02/2024-05` → (2024-02,
    2024-05); `../2025-02` → (None, 2025-02).
    """
    inner = text[1:-1].replace("..", "/", 1) if text.startswith("[") else text
    left, _, right = inner.partition("/")

    def bare(part: str) -> str | None:
        return None if part in ("", "..") else part.rstrip("~?")

    return bare(left), bare(right)


def parse_date(text: str) -> ValidDate:
    """Parse one valid date of the EDTF subset, or raise ValidationError naming the forms."""
    return _parse_cached(text.strip())


# ~4 MB when full. A file of 1,000,000 rows has ~95,000 distinct dates; 8,192 keep 88% of hits.
@lru_cache(maxsize=8192)
def _parse_cached(text: str) -> ValidDate:
    if m := _POINT.match(text):
        w = _part_window(m.group(1), text)
        return ValidDate(text, w, None)
    if m := _ONE_OF.match(text):
        a, b = _part_window(m.group(1), text), _part_window(m.group(2), text)
        if b.latest < a.earliest:
            raise _invalid(text, "its range ends before it starts")
        return ValidDate(text, Window(a.earliest, b.latest), None)
    if m := _SPAN.match(text):
        left, right = m.group(1), m.group(2)
        if left == ".." and right == "..":
            raise _invalid(text, "a span needs at least one known end")
        if left == "..":
            return ValidDate(text, _part_window(right, text), None, open_start=True)
        start = _part_window(left, text)
        if right == "..":
            return ValidDate(text, start, None, open_end=True)
        end = _part_window(right, text)
        if end.latest < start.earliest:
            raise _invalid(text, "its end is before its start")
        return ValidDate(text, start, end)
    raise _invalid(text)


def parse_as_of(text: str) -> date:
    """A valid-time cut: a day, month or year; a coarse one means the end of that period."""
    text = text.strip()
    if not _POINT.match(text) or text[-1] in "~?":
        raise ValidationError(f"{text!r} is not a date to cut at: use YYYY-MM-DD, YYYY-MM or YYYY")
    return _part_window(text, text).latest


def _part_window(part: str, whole: str) -> Window:
    """The window of one date part (`2024`, `2024-05`, `2024-05-14`, a flag allowed after it).

    Plain calendar arithmetic: the `edtf` library agrees on every form (a test checks it on
    generated dates) but costs ~5 ms per new date text, which made `show` over 5,000 claims
    take 16 s (bench/RESULTS.md).
    """
    bare = part.rstrip("~?")
    pieces = [int(piece) for piece in bare.split("-")]
    try:
        if len(pieces) == 1:
            return Window(date(pieces[0], 1, 1), date(pieces[0], 12, 31))
        year, month = pieces[0], pieces[1]
        if len(pieces) == 2:
            return Window(date(year, month, 1), date(year, month, monthrange(year, month)[1]))
        day = date(year, month, pieces[2])
    except ValueError:
        raise _invalid(whole, f"{bare} is not a calendar date") from None
    return Window(day, day)


def _invalid(text: str, why: str = "") -> ValidationError:
    reason = f" ({why})" if why else ""
    return ValidationError(f"invalid date {text!r}{reason}; accepted forms: {ACCEPTED_FORMS}")
