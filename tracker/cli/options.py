"""Option checks shared by several commands: a bad value is a usage error (exit 2) naming
the option as given."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from tracker.domain.dates import parse_as_of, parse_date
from tracker.domain.errors import ValidationError
from tracker.domain.instants import check_when


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
            # The domain's message may start with the option; click names it already.
            message = error.message.removeprefix(f"{option} ")
            self.fail(message, param, ctx)
        return value


# --known-at and its kin: an ISO datetime, a date (end of that UTC day), `now`, `@N`.
WHEN = Checked("when", check_when)
# A valid-time cut (--as-of, --to): a day, month or year.
CUT = Checked("date", lambda text, _option: parse_as_of(text))
# A valid date in the EDTF subset (timeline and report --from: a window's start).
VALID = Checked("date", lambda text, _option: parse_date(text))
