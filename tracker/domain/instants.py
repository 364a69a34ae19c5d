"""Recorded-time instants as users write them: an ISO datetime, or a date meaning its end."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from tracker.domain.errors import ValidationError


def parse_instant(text: str, option: str = "--known-at") -> datetime:
    """An ISO datetime (naive means UTC) or a date, meaning the end of that UTC day.

    `option` is the option the text was given to, so the message names it.
    """
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time.max, UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(
            f"{option} {text!r} is not an ISO datetime, a date, `now` or `@N`"
        ) from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        # Before year 1 or after 9999 in UTC: before or after anything the log can hold.
        edge = datetime.min if moment.year == 1 else datetime.max
        return edge.replace(tzinfo=UTC)


def check_when(text: str, option: str = "--known-at") -> str:
    """A --known-at style value checked for form (`now`, `@N`, or an instant); returned as is.
    Whether @N is within the log is for the log to say."""
    stripped = text.strip()
    if stripped == "now":
        return text
    if stripped.startswith("@"):
        if not stripped[1:].isdigit():
            raise ValidationError(f"{option} {stripped!r}: @N needs a whole number")
        return text
    parse_instant(stripped, option)
    return text
