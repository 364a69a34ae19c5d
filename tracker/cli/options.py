"""Option checks shared by several commands: a bad value is a usage error (exit 2) naming
the option as given."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from tracker.cli.terminal import escape
from tracker.domain.building import check_credibility, check_reliability, check_retrieved
from tracker.domain.dates import parse_as_of, parse_date
from tracker.domain.errors import UnknownType, ValidationError
from tracker.domain.instants import check_when
from tracker.domain.values import canonical_value


def not_blank(_ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
    """A name that is empty or only spaces matches nothing at one time and everything at
    another (a subject filter): a usage error rather than a silent guess."""
    if isinstance(value, str) and not value.strip():
        raise click.BadParameter("must not be empty")
    return value


class Checked(click.ParamType[str]):
    """Text checked for form by a domain function; the text itself is passed on."""

    def __init__(self, name: str, check: Callable[[str, str], object]) -> None:
        self.name = name
        self._check = check

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        option = param.opts[0] if param is not None and param.opts else self.name
        try:
            self._check(str(value), option)
        except ValidationError as error:
            # The domain's message may start with the option or the field (`reliability 'G'
            # is not a grade A-F`, as an import row says it); click names the option already.
            message = error.message.removeprefix(f"{option} ").removeprefix(
                f"{option.lstrip('-')} "
            )
            self.fail(message, param, ctx)
        return value


# --known-at and its kin: an ISO datetime, a date (end of that UTC day), `now`, `@N`.
WHEN = Checked("when", check_when)
# A valid-time cut (--as-of, --to): a day, month or year.
CUT = Checked("date", lambda text, _option: parse_as_of(text))
# A valid date in the EDTF subset (timeline and report --from: a window's start).
VALID = Checked("date", lambda text, _option: parse_date(text))


def _folded(text: str) -> str:
    """A claim's field as `domain.building` reads it: whitespace runs collapsed."""
    return " ".join(text.split())


def _if_given(check: Callable[[str], object]) -> Callable[[str, str], object]:
    """A check of an optional field: blank means not given, as `domain.building` reads it."""
    return lambda text, _option: check(_folded(text)) if _folded(text) else None


# The fields of a claim and its article that `add` and `correct` check before the database
# is opened (the type code is the log's catalogue's to judge: `unknown_type_names`).
CLAIM_CHECKS: dict[str, Checked] = {
    "date": Checked("date", lambda text, _option: parse_date(_folded(text))),
    "published": Checked("date", _if_given(parse_date)),
    "retrieved": Checked("datetime", _if_given(check_retrieved)),
    "reliability": Checked("grade", lambda text, _option: check_reliability(text)),
    "credibility": Checked("grade", lambda text, _option: check_credibility(text)),
    # Blank, it is missing (with --attribute, the service says a value is required).
    "value": Checked("value", _if_given(canonical_value)),
}


@contextmanager
def unknown_type_names(name: str) -> Iterator[None]:
    """Type codes are the log's catalogue's to judge: when the service refuses one that the
    option `name` (a parameter name) gave, the refusal is a usage error naming the option.
    An unknown type the option did not give (a correction keeping a recorded type) stays
    the service's error."""
    try:
        yield
    except UnknownType as error:
        ctx = click.get_current_context()
        param = next((p for p in ctx.command.params if p.name == name), None)
        if param is None or not ctx.params.get(name):
            raise
        raise click.BadParameter(escape(error.message), ctx, param) from None
