"""Publishers (SPEC §9): grading a source, and the list of sources."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import get_close_matches

from tracker.adapters.publishers import SourceRow
from tracker.domain.building import check_reliability
from tracker.domain.errors import NotFound, ValidationError
from tracker.domain.events import SourceGraded
from tracker.domain.model import fold_text, publisher_key
from tracker.services.base import Service, reason_text


@dataclass(frozen=True)
class Graded:
    source: str
    grade: str
    position: int | None  # None: the publisher already had that grade; nothing appended


class Publishers(Service):
    def grade(self, source: str, reliability: str, reason: str) -> Graded:
        """Append a source.graded: the publisher's reliability from now on (as known at K)."""
        if not reliability.strip():  # check_reliability reads a blank as the default, F
            raise ValidationError("reliability '' is not a grade A-F", "reliability")
        grade = check_reliability(reliability)
        why = reason_text(reason)
        with self.store.writing() as writer:
            publishers = writer.knowledge_of(set()).publishers
            publisher = publishers.get(publisher_key(source))
            if publisher is None:
                names = {p.name: p for p in publishers.values()}
                close = get_close_matches(fold_text(source), list(names), n=3, cutoff=0.6)
                hint = f"; did you mean {', '.join(close)}?" if close else "; see `tracker sources`"
                raise NotFound(f"no source {source!r} in the log{hint}")
            if publisher.grade == grade:
                return Graded(publisher.name, grade, None)
            entry = writer.append([SourceGraded(fold_text(source), grade, why)])[-1]
        return Graded(publisher.name, grade, entry.position)

    def sources(self) -> list[SourceRow]:
        """Every publisher at the head of the log, by name."""
        rows = self.store.source_rows()
        return sorted(rows, key=lambda r: (publisher_key(r.source), r.source))
