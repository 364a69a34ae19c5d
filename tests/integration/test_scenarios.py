"""SCENARIOS.md S1-S5 and S8 through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.domain.picture import Picture, SlotView
from tracker.services import Tracker

TROOPS = ("Russia", "troops_in_libya")


@pytest.fixture
def seeded(tracker: Tracker, seed_file: Path) -> Tracker:
    [summary] = tracker.import_paths([str(seed_file)])
    assert summary.written
    return tracker


def slot(picture: Picture, subject: str, attribute: str) -> SlotView | None:
    found = [s for s in picture.slots if (s.subject, s.attribute) == (subject, attribute)]
    return found[0] if found else None


def test_s1_nothing_is_observed_before_the_first_observation(seeded: Tracker) -> None:
    picture, _ = seeded.show("2024-01-15", None)
    assert slot(picture, *TROOPS) is None
    assert picture.occurrences == ()
    assert [(s.subject, s.attribute) for s in picture.slots] == [
        ("US Libya Stabilisation Act of 2023", "status")
    ]


def test_s2_a_month_precision_value_is_current_after_its_month(seeded: Tracker) -> None:
    picture, _ = seeded.show("2024-03-15", None)
    troops = slot(picture, *TROOPS)
    assert troops is not None
    assert (troops.status, troops.value, troops.date) == ("current", "800", "2024-02")


def test_s2_a_month_precision_value_is_only_possible_inside_its_month(seeded: Tracker) -> None:
    picture, _ = seeded.show("2024-02-10", None)
    troops = slot(picture, *TROOPS)
    assert troops is not None
    assert (troops.status, troops.value) == ("possible", None)
    assert [c.value for c in troops.candidates] == ["800"]


def test_s3_inside_the_window_of_a_change_the_old_value_is_definite(seeded: Tracker) -> None:
    picture, _ = seeded.show("2024-05-15", None)
    troops = slot(picture, *TROOPS)
    assert troops is not None
    assert (troops.status, troops.value, troops.date) == ("possible", "800", "2024-02")
    assert [c.value for c in troops.candidates] == ["1800"]


def test_s3_a_coarse_as_of_means_the_end_of_the_period(seeded: Tracker) -> None:
    picture, _ = seeded.show("2024-05", None)
    troops = slot(picture, *TROOPS)
    assert troops is not None
    assert (troops.status, troops.value) == ("current", "1800")


def test_s5_nothing_is_known_before_it_was_recorded(seeded: Tracker) -> None:
    picture, cut = seeded.show("2024-06-01", "2025-02-28")
    assert cut.position == 0
    assert picture.slots == () and picture.occurrences == ()


def test_known_at_a_position_shows_the_log_up_to_it(seeded: Tracker) -> None:
    picture, cut = seeded.show("2025-03", "@0")
    assert cut.position == 0
    assert picture.slots == () and picture.occurrences == ()
    full, _ = seeded.show("2025-03", "@16")
    assert len(full.slots) == 8 and len(full.occurrences) == 6


def test_open_start_occurrences_are_not_listed_before_their_window(seeded: Tracker) -> None:
    january, _ = seeded.show("2025-01-31", None)
    assert all(o.date != "../2025-02" for o in january.occurrences)
    march, _ = seeded.show("2025-03-01", None)
    forum = [o for o in march.occurrences if o.type == "diplomacy.forum_planned"]
    assert [(o.label, o.certainty) for o in forum] == [("by 2025-02", "definite")]


def test_s8_reimporting_the_seed_appends_nothing(seeded: Tracker, seed_file: Path) -> None:
    before = seeded.store.head()
    [summary] = seeded.import_paths([str(seed_file)])
    assert summary.counts == {
        "new": 0,
        "corrected": 0,
        "unchanged": 15,
        "retracted": 0,
        "rejected": 0,
    }
    assert not summary.written
    assert seeded.store.head() == before
    assert seeded.verify() == before.position


def test_rows_without_id_get_a_derived_id_and_reimport_as_no_ops(
    tracker: Tracker, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text(
        "type,date,subject,summary,source\n"
        "diplomacy.visit,2025-02,Khalifa Haftar,Visit to Minsk.,New York Parrot\n",
        encoding="utf-8",
    )
    first = tracker.import_paths([str(feed)])[0]
    second = tracker.import_paths([str(feed)])[0]
    assert (first.counts["new"], second.counts["new"], second.counts["unchanged"]) == (1, 0, 1)
    [claim] = tracker.knowledge(tracker.cut(None)).claims
    assert claim.startswith("clm:")


def test_an_invalid_row_rejects_the_whole_file(tracker: Tracker, tmp_path: Path) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text(
        "id,type,date,subject,summary,source\n"
        "a,diplomacy.visit,2025-02,Haftar,Visit.,NYP\n"
        "b,diplomacy.vist,2025-02,Haftar,Visit.,NYP\n"
        "c,diplomacy.visit,2025-5,Haftar,Visit.,NYP\n",
        encoding="utf-8",
    )
    [summary] = tracker.import_paths([str(feed)])
    assert not summary.written
    assert [(e.line, e.column) for e in summary.errors] == [(3, "type"), (4, "date")]
    assert "diplomacy.visit" in summary.errors[0].message
    assert tracker.store.head().position == 0


def test_a_changed_row_is_one_correction(seeded: Tracker, seed_file: Path, tmp_path: Path) -> None:
    edited = tmp_path / seed_file.name
    original = seed_file.read_text(encoding="utf-8")
    changed = original.replace(
        ",just as Haftar began a diplomatic visit to Belarus,", ",Haftar began a visit,", 1
    )
    assert changed != original
    edited.write_text(changed, encoding="utf-8")
    [summary] = seeded.import_paths([str(edited)])
    assert (summary.counts["corrected"], summary.counts["unchanged"]) == (1, 14)
    kinds = [e.kind for e in seeded.store.entries(after=16)]
    assert kinds == ["claim.corrected", "import.recorded"]
