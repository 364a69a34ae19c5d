"""`export timelinejs` streams its rows from the projection, ordered by the first day there and
within a day in memory: the rows must be those of `history.timeline` over the full fold, in the
same order, on SQLite and PostgreSQL (many claims sharing a first day, windows ending apart)."""

from __future__ import annotations

import random
from pathlib import Path

from tracker.adapters.exports import timelinejs_row
from tracker.domain.fold import fold
from tracker.domain.history import timeline
from tracker.services import Tracker

DATES = ("2024", "2024-01", "2024-01-01", "2024-01/2024-03", "2024-01-01/..", "[2024-01..2024-02]")


def test_timelinejs_rows_stream_in_the_timeline_order_of_the_full_fold(
    tracker: Tracker, seed_file: Path
) -> None:
    tracker.import_paths([str(seed_file)])
    rng = random.Random(5)
    for n in range(40):
        tracker.add(
            {
                "id": f"t:{n}",
                "type": "diplomacy.visit",
                "date": rng.choice(DATES),
                "subject": rng.choice(("Wagner", "Haftar")),
                "summary": f"visit {n}",
                "source": rng.choice(("Wire", "Desk")),
            }
        )
    tracker.retract("t:3", "withdrawn")
    tracker.rank("t:4", "deprecated", "judged")
    tracker.grade("Wire", "B", "judged")
    knowledge = fold(tracker.store.entries())
    expected = [
        timelinejs_row(s, knowledge.source_of(s.claim))
        for s in timeline(knowledge)
        if s.rank != "deprecated"
    ]
    with tracker.timelinejs() as rows:
        assert list(rows) == expected
