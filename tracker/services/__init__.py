"""Use cases, a module per family; `Tracker` is every family in one object. Owns the clock."""

from __future__ import annotations

from tracker.domain.errors import TrackerError
from tracker.services.admin import Admin, Info
from tracker.services.base import Cut, parse_instant, utc_now
from tracker.services.exporting import Exporting
from tracker.services.importing import FileSummary, Importing
from tracker.services.judging import Judging
from tracker.services.publishers import Graded, Publishers
from tracker.services.reading import KnownDiff, WorldDiff
from tracker.services.searching import Found, Searching, SearchResult
from tracker.services.writing import Added, Writing


class Tracker(Writing, Publishers, Judging, Importing, Exporting, Admin, Searching):
    """The application: every command goes through one of these methods."""


__all__ = [
    "Added",
    "Cut",
    "FileSummary",
    "Found",
    "Graded",
    "Info",
    "KnownDiff",
    "SearchResult",
    "Tracker",
    "TrackerError",
    "WorldDiff",
    "parse_instant",
    "utc_now",
]
