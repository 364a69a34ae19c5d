"""Values: the figure grammar of SPEC §10, each figure read as an interval of numbers.

A value is either a *figure* or *text*. A figure is read as an interval with an
`approximate` flag; the boundary rules:

- `1800`, `1,800`: exactly, [1800, 1800]. `~1800`: about, [1800, 1800] with `approximate`
  set. "About" does not widen the interval: `~450` and `~400` are still different figures.
- `>1000` is (1000, inf), open; `>=1000` is [1000, inf), closed. `<2000` is (-inf, 2000),
  `<=2000` is (-inf, 2000]. `300..350` is [300, 350], both ends closed.
- Only a single figure can be approximate: `~` goes with neither a bound nor a range.
- Figures may carry a sign and decimals; thousands separators are commas in groups of
  three. A dot is always the decimal point, but `1.800` (one to three digits, not starting
  with 0, a dot and exactly three digits) is refused as ambiguous: it is 1800 where the dot
  separates thousands. `0.125`, `1.8`, `1.8000` and `1,800.5` are not ambiguous.
- A number holds at most `MAX_DIGITS` digits: no stored value can make a read slow.
- Any other text that starts like a number (`2.5k`, `12%`, `1.800.000`, `1800 troops`) is
  refused; any other text is a text value.

Several figures *agree* when some number lies in every interval (`common`): their common
part is itself a figure, approximate only when one of its ends rests on approximate figures
alone. Reading (`read_value`) never refuses: a stored value the grammar does not take is
text, so claims recorded before this grammar still read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, localcontext
from functools import lru_cache

from tracker.domain.errors import ValidationError

FORMS = (
    "1800 or 1,800 (exactly), ~1800 (about), >1000, >=1000, <2000, <=2000, "
    "300..350 (between); a unit goes in unit"
)
MAX_DIGITS = 30

# ASCII digits only: `\d` would take other scripts' digits, which Decimal() accepts.
_NUM = r"[+-]?(?:(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+)"
_SINGLE = re.compile(rf"^(~|>=|<=|>|<)? *({_NUM})$")
_RANGE = re.compile(rf"^({_NUM}) *\.\. *({_NUM})$")
# Only in what the tracker itself writes for a common part with an open end (never input).
_BOTH = re.compile(rf"^(>=|>)({_NUM}) and (<=|<)({_NUM})$")
_AMBIGUOUS = re.compile(r"^[+-]?[1-9][0-9]{0,2}\.[0-9]{3}$")
# Starts like a number: signs, comparison or "about" marks (≈ ≤ ≥ and the minus sign too),
# then a digit or a decimal point.
_NUMBER_LIKE = re.compile("^[~\u2248<>=\u2264\u2265+\\-\u2212\\s]*\\.?[0-9]")
# Differences of two figures of MAX_DIGITS digits each are exact at this precision.
_EXACT_PRECISION = 4 * MAX_DIGITS
_CACHED_LENGTH = 2 * MAX_DIGITS


@dataclass(frozen=True)
class Figure:
    """A value as an interval of numbers (`low`/`high` None: unbounded), or a text value.

    `text` is the canonical text. For a text value `numeric` is False and the bounds are None.
    """

    text: str
    numeric: bool = False
    low: Decimal | None = None
    high: Decimal | None = None
    low_open: bool = False
    high_open: bool = False
    approximate: bool = False

    @property
    def single(self) -> Decimal | None:
        """The number when the figure is one number (exact or approximate)."""
        if self.numeric and self.low is not None and self.low == self.high:
            return self.low
        return None

    @property
    def bounded(self) -> bool:
        """Both ends known and closed: a number or a range, not a bound."""
        return (
            self.numeric
            and self.low is not None
            and self.high is not None
            and not self.low_open
            and not self.high_open
        )


def number_text(number: Decimal) -> str:
    """The canonical text of a number: no exponent, no trailing zeros, `0` for zero."""
    if number == 0:
        return "0"
    # Every digit kept: the default context would round to 28 significant digits.
    exact = Context(prec=len(number.as_tuple().digits), Emax=MAX_EMAX, Emin=MIN_EMIN)
    return format(number.normalize(exact), "f")


def canonical_value(raw: str) -> str:
    """A value as given (whitespace folded) in its stored form; raises ValidationError for
    number-like text the grammar does not take, naming the forms it does."""
    text = " ".join(raw.split())
    figure = _figure(text, reading=False)
    if figure is not None:
        return figure.text
    if _NUMBER_LIKE.match(text):
        raise _refused(text, "")
    return text


def read_value(text: str | None) -> Figure | None:
    """A stored value as a figure, or as text when the grammar does not take it. Never raises."""
    if text is None:
        return None
    # Long texts are not figures; left out of the cache, which then stays small.
    return _read(text) if len(text) <= _CACHED_LENGTH else _read.__wrapped__(text)


@lru_cache(maxsize=8192)
def _read(text: str) -> Figure:
    try:
        figure = _figure(text, reading=True)
    except ValidationError:
        figure = None
    return figure if figure is not None else Figure(text)


def _figure(text: str, reading: bool) -> Figure | None:
    """The figure `text` spells, None if it spells none; a refused figure raises."""
    if m := _SINGLE.match(text):
        mark, number = m.group(1) or "", _number(m.group(2), text)
        if mark in ("", "~"):
            return _point(number, approximate=mark == "~")
        low = number if mark.startswith(">") else None
        high = number if mark.startswith("<") else None
        return _interval(low, high, low_open=mark == ">", high_open=mark == "<")
    if m := _RANGE.match(text):
        low, high = _number(m.group(1), text), _number(m.group(2), text)
        if high < low:
            raise _refused(text, f" (its range ends below its start: {m.group(2)})")
        return _interval(low, high)
    if reading and (m := _BOTH.match(text)):
        low, high = _number(m.group(2), text), _number(m.group(4), text)
        return _interval(low, high, low_open=m.group(1) == ">", high_open=m.group(3) == "<")
    return None


def _number(spelled: str, whole: str) -> Decimal:
    if _AMBIGUOUS.match(spelled):
        thousands = whole.replace(spelled, spelled.replace(".", "").lstrip("+"), 1)
        decimal = whole.replace(spelled, number_text(Decimal(spelled)), 1)
        raise ValidationError(
            f"value {_shown(whole)} is ambiguous: write {thousands} if the dot separates "
            f"thousands, or {decimal} for the decimal (thousands separators are commas)",
            "value",
        )
    if sum(c.isdigit() for c in spelled) > MAX_DIGITS:
        raise _refused(whole, f" (a figure holds at most {MAX_DIGITS} digits)")
    return Decimal(spelled.replace(",", ""))


def _point(number: Decimal, approximate: bool = False) -> Figure:
    text = number_text(number)
    shown = "~" + text if approximate else text
    return Figure(shown, True, number, number, approximate=approximate)


def _interval(
    low: Decimal | None,
    high: Decimal | None,
    low_open: bool = False,
    high_open: bool = False,
) -> Figure:
    """The figure of an interval with at least one known end, in its canonical spelling."""
    if low is not None and low == high and not low_open and not high_open:
        return _point(low)
    lower = f"{'>' if low_open else '>='}{number_text(low)}" if low is not None else ""
    upper = f"{'<' if high_open else '<='}{number_text(high)}" if high is not None else ""
    if low is not None and high is not None and not low_open and not high_open:
        text = f"{number_text(low)}..{number_text(high)}"
    else:
        text = " and ".join(part for part in (lower, upper) if part)
    return Figure(text, True, low, high, low_open, high_open)


def _refused(text: str, why: str) -> ValidationError:
    return ValidationError(
        f"value {_shown(text)} is not a figure{why}; figures are: {FORMS}", "value"
    )


def _shown(text: str) -> str:
    """A value quoted in a message, cut short: a refused value may be very long."""
    return repr(text if len(text) <= _CACHED_LENGTH else text[: _CACHED_LENGTH - 1] + "…")


def common(figures: Sequence[Figure]) -> Figure | None:
    """The part every figure allows, None when no single number satisfies them all.

    Text values agree only when they are the same text (their common part is that text); a
    figure and a text never agree. The common part of a single number is approximate only
    when one of its ends is pinned by approximate figures alone (`~1800` and `1800` give
    `1800`; `~1800` and `>1000` give `~1800`).
    """
    if not figures:
        return None
    if not all(f.numeric for f in figures):
        return figures[0] if len({f.text for f in figures}) == 1 else None
    low, low_open = _tightest(figures, lower=True)
    high, high_open = _tightest(figures, lower=False)
    if (
        low is not None
        and high is not None
        and (high < low or (high == low and (low_open or high_open)))
    ):
        return None
    part = _interval(low, high, low_open, high_open)
    if part.single is None:
        return part
    point = part.single
    pinned_low = any(f.low == point and not f.approximate for f in figures)
    pinned_high = any(f.high == point and not f.approximate for f in figures)
    return part if pinned_low and pinned_high else _point(point, approximate=True)


def _tightest(figures: Sequence[Figure], lower: bool) -> tuple[Decimal | None, bool]:
    """The tightest end on one side, open when any figure holding that end has it open."""
    ends = [(f.low, f.low_open) if lower else (f.high, f.high_open) for f in figures]
    known = [(value, is_open) for value, is_open in ends if value is not None]
    if not known:
        return None, False
    best = max(v for v, _ in known) if lower else min(v for v, _ in known)
    return best, any(is_open for value, is_open in known if value == best)


@dataclass(frozen=True)
class Delta:
    """after - before: one number, or a range of them when either side is a range."""

    low: Decimal
    high: Decimal
    approximate: bool
    percent: Decimal | None  # only between two single figures, from a non-zero one

    @property
    def single(self) -> Decimal | None:
        return self.low if self.low == self.high else None


def delta(before: Figure | None, after: Figure | None) -> Delta | None:
    """The change between two figures in one unit; None when either has an open or unknown
    end (a bound says too little for a change) or is text. The caller checks the units."""
    if before is None or after is None or not (before.bounded and after.bounded):
        return None
    assert before.low is not None and before.high is not None
    assert after.low is not None and after.high is not None
    with localcontext() as context:
        context.prec = _EXACT_PRECISION
        low, high = after.low - before.high, after.high - before.low
        percent = None
        if before.single is not None and after.single is not None and before.single != 0:
            percent = low * 100 / before.single
    return Delta(low, high, before.approximate or after.approximate, percent)


def numeric(value: str | None) -> Decimal | None:
    """The number of a value that is a single figure (exact or `~`); None for anything else."""
    figure = read_value(value)
    return figure.single if figure is not None else None


def same_value(a: str | None, b: str | None) -> bool:
    """Two stored values say the same, read through the grammar (`~1,800` is `~1800`)."""
    if a == b:
        return True
    first, second = read_value(a), read_value(b)
    return first is not None and second is not None and first.text == second.text


_LEGACY_NUMBER = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$")
_LEGACY_GROUPED = re.compile(r"^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")


def legacy_spelling(raw: str) -> str:
    """A value spelled as schema 0003 stored it, which derived claim ids hash, so that they
    never move: plain numbers canonical (`1,800` and `1800.0` are `1800`), any other text
    folded. It agrees with `canonical_value` on every plain number, and differs on figures
    that were text then (`~1,800` was kept as it was; it is stored `~1800` now)."""
    text = " ".join(raw.split())
    candidate = text.replace(",", "") if _LEGACY_GROUPED.match(text) else text
    return number_text(Decimal(candidate)) if _LEGACY_NUMBER.match(candidate) else text
