"""The errors the domain and services raise; the CLI turns each into one `Error:` line."""

from __future__ import annotations


class TrackerError(Exception):
    """Anything the user can act on: shown as one line, exit 1."""


class ValidationError(TrackerError):
    """Bad input: a malformed date, an unknown type, a missing field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class UnknownType(ValidationError):
    """A type code the catalogue does not hold: given as an option, a usage error (exit 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "type")


class NotFound(TrackerError):
    """A claim or slot the log does not know."""


class StoreError(TrackerError):
    """The database cannot be used: unreachable, not a database, behind the code's schema."""


class NoDatabase(StoreError):
    """A read asked for a SQLite file that does not exist (reading never creates one)."""


class ChainBroken(TrackerError):
    """The hash chain or the positions of the log do not verify."""


class CorruptEntry(StoreError):
    """A log row that cannot be read back as an event (changed behind the tracker's back)."""

    def __init__(self, position: int, why: str) -> None:
        super().__init__(f"log position {position} is corrupt ({why}): run `tracker verify`")
        self.position = position
        self.why = why
