"""What users recorded at schema 0003 (tests/fixtures/v0003) under publishers: its sources
are publishers, its export keeps its rows and adds the grades, and a re-import says what is
retracted. (The pictures and re-imports: `test_v0003_identity`.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from freezegun.api import FrozenDateTimeFactory

from tracker.services import Tracker

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "v0003"


@pytest.fixture
def restored(tracker: Tracker, frozen: FrozenDateTimeFactory) -> Tracker:
    frozen.move_to("2026-12-01T00:00:00Z")  # the fixture was recorded on 2026-11-29
    assert tracker.restore(FIXTURE / "tracker.log.jsonl") == 43
    return tracker


def test_the_sources_of_0003_are_publishers(restored: Tracker) -> None:
    rows = [(r.source, r.reliability, r.claims, r.articles) for r in restored.sources()]
    assert rows == [
        ("Example Monitor", "C", 4, 4),
        ("New York Parrot", "F", 17, 3),
        ("Reuters", "B", 4, 4),
        ("Some Blog", "F", 0, 1),
    ]


def test_reimporting_feed_csv_says_that_mon_8_is_retracted(restored: Tracker) -> None:
    """As `test_v0003_identity` checks, feed.csv corrects mon:3 back to its row; its row of
    mon:8, retracted since, appends nothing and says how to reinstate it."""
    [feed] = restored.import_paths([str(FIXTURE / "feed.csv")])
    assert (feed.counts["new"], feed.counts["corrected"], feed.counts["unchanged"]) == (0, 1, 7)
    assert [(w.line, w.message) for w in feed.warnings] == [
        (
            9,
            "claim mon:8 is retracted; nothing appended "
            "(to bring it back: tracker reinstate mon:8 --reason TEXT)",
        )
    ]
    kinds = [e.kind for e in restored.store.entries(after=43)]
    assert kinds == ["claim.corrected", "import.recorded"]
    assert restored.import_paths([str(FIXTURE / "feed.csv")])[0].written is False


def test_export_claims_of_0003_keeps_its_rows_and_adds_the_grades(restored: Tracker) -> None:
    import io

    from tracker.adapters.files import write_csv
    from tracker.domain.rows import COLUMNS

    out = io.StringIO()
    with restored.export_claims(include_retracted=True) as rows:
        write_csv(out, COLUMNS, list(rows))
    before = (FIXTURE / "claims.csv").read_text("utf-8").splitlines()
    assert out.getvalue().splitlines() == [
        *before,
        ",grade,,,,,,,,,,,Example Monitor,,,,,,,C,,,",
        ",grade,,,,,,,,,,,Reuters,,,,,,,B,,,",
    ]
