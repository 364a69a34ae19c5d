"""What users recorded at schema 0003 (tests/fixtures/v0003) under publishers: the database
upgrades and the log restores, both verify, and give the pictures written then, apart from
what publishers deliberately change; re-imports append what they did before."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tracker.cli.show import picture_json
from tracker.db import make_engine, open_store, upgrade
from tracker.domain.errors import StoreError
from tracker.services import Tracker, utc_now

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "v0003"
SEED = FIXTURE.parent.parent.parent / "events"
AS_OF = ("2024-06-01", "2024-12", "2025-02")


def expected(as_of: str) -> dict[str, Any]:
    """The picture printed at 0003, with what publishers change on purpose: `new york parrot`
    is the publisher first recorded as `New York Parrot`, and mon:3's article (no grade
    given) is read under its publisher's grade, C."""
    data: dict[str, Any] = json.loads((FIXTURE / f"show-{as_of}.json").read_text("utf-8"))
    for item in data["slots"] + data["occurrences"]:
        item["sources"] = [
            "New York Parrot" if s == "new york parrot" else s for s in item["sources"]
        ]
        for candidate in item.get("candidates", ()):
            if candidate["claim"] == "mon:3":
                candidate["reliability"] = "C"
    return data


def pictures(tracker: Tracker) -> dict[str, dict[str, Any]]:
    return {d: picture_json(*tracker.show(d, "@43")) for d in AS_OF}


@pytest.fixture
def upgraded(tmp_path: Path, frozen: object) -> Tracker:
    path = tmp_path / "tracker.db"
    shutil.copy(FIXTURE / "tracker.db", path)
    url = f"sqlite:///{path}"
    with pytest.raises(StoreError, match="tracker db upgrade"):
        open_store(url, utc_now, create=False)
    upgrade(make_engine(url))
    return Tracker(open_store(url, utc_now), utc_now)


@pytest.fixture
def restored(tracker: Tracker) -> Tracker:
    assert tracker.restore(FIXTURE / "tracker.log.jsonl") == 43
    return tracker


def test_the_upgraded_database_verifies_and_gives_the_pictures_of_0003(upgraded: Tracker) -> None:
    assert upgraded.verify() == 43
    for as_of, picture in pictures(upgraded).items():
        assert picture == expected(as_of), as_of


def test_the_restored_log_verifies_and_gives_the_pictures_of_0003(restored: Tracker) -> None:
    assert restored.verify() == 43
    for as_of, picture in pictures(restored).items():
        assert picture == expected(as_of), as_of


def test_the_sources_of_0003_are_publishers(restored: Tracker) -> None:
    rows = [(r.source, r.reliability, r.claims, r.articles) for r in restored.sources()]
    assert rows == [
        ("Example Monitor", "C", 4, 4),
        ("New York Parrot", "F", 17, 3),
        ("Reuters", "B", 4, 4),
        ("Some Blog", "F", 0, 1),
    ]


def test_reimporting_what_0003_imported_appends_what_it_did_then(restored: Tracker) -> None:
    """The seed appends nothing. feed.csv corrects mon:3 back to its row, as at 0003 (it was
    corrected by hand after the import), and notes that mon:8 is retracted."""
    [seed] = restored.import_paths([str(SEED)])
    assert not seed.written and seed.counts["unchanged"] == 15
    [feed] = restored.import_paths([str(FIXTURE / "feed.csv")])
    assert (feed.counts["new"], feed.counts["corrected"], feed.counts["unchanged"]) == (0, 1, 7)
    assert [(w.line, w.column) for w in feed.warnings] == [(9, "id")]
    kinds = [e.kind for e in restored.store.entries(after=43)]
    assert kinds == ["claim.corrected", "import.recorded"]
    assert restored.import_paths([str(FIXTURE / "feed.csv")])[0].written is False


def test_export_claims_of_0003_keeps_its_rows_and_adds_the_grades(restored: Tracker) -> None:
    import io

    from tracker.adapters.files import write_csv
    from tracker.domain.importing import COLUMNS

    out = io.StringIO()
    with restored.export_claims(include_retracted=True) as rows:
        write_csv(out, COLUMNS, list(rows))
    before = (FIXTURE / "claims.csv").read_text("utf-8").splitlines()
    assert out.getvalue().splitlines() == [
        *before,
        ",grade,,,,,,,,,,,Example Monitor,,,,,,,C,,,",
        ",grade,,,,,,,,,,,Reuters,,,,,,,B,,,",
    ]
