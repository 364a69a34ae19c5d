"""SCENARIOS.md S4, S6 and S7 through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from freezegun.api import FrozenDateTimeFactory

from tracker.domain.errors import NotFound, ValidationError
from tracker.domain.picture import Picture, SlotView
from tracker.services import Tracker

T2 = "2025-03-05T09:00:00Z"
MONITOR_2000 = {
    "type": "military.force_level",
    "date": "2024-05~",
    "subject": "Russia",
    "attribute": "troops_in_libya",
    "value": "2000",
    "unit": "troops",
    "summary": "2,000 Russian troops in Libya.",
    "source": "Example Monitor",
    "id": "ex:2000",
}
VISIT = {
    "type": "diplomacy.visit",
    "date": "2024-02",
    "subject": "Khalifa Haftar",
    "summary": "Haftar began a diplomatic visit to Belarus.",
    "source": "New York Parrot",
    "id": "visit",
}


@pytest.fixture
def seeded(tracker: Tracker, seed_file: Path) -> Tracker:
    tracker.import_paths([str(seed_file)])
    return tracker


def troops(picture: Picture) -> SlotView:
    [slot] = [s for s in picture.slots if s.attribute == "troops_in_libya"]
    return slot


def test_s4_diff_reports_the_troop_change_with_delta_and_percent(seeded: Tracker) -> None:
    result = seeded.diff("2024-03-01", "2024-06-01")
    [change] = result.changes
    assert (change.subject, change.attribute, change.change) == (
        "Russia",
        "troops_in_libya",
        "changed",
    )
    assert change.before is not None and change.after is not None
    assert (change.before.value, change.after.value) == ("800", "1800")
    assert (change.delta, change.percent) == (1000, 125)
    assert result.occurrences == []


def test_diff_lists_slots_that_appeared_and_occurrences_in_the_range(seeded: Tracker) -> None:
    result = seeded.diff("2024-01-01", "2025-03-01")
    kinds = {(c.attribute, c.change) for c in result.changes}
    assert ("troops_in_libya", "appeared") in kinds
    assert ("role", "appeared") in kinds
    assert len(result.occurrences) == 6


def test_diff_refuses_a_range_that_runs_backwards(seeded: Tracker) -> None:
    with pytest.raises(ValidationError, match="before"):
        seeded.diff("2024-06-01", "2024-03-01")


def test_s6_a_second_source_makes_a_conflict(
    seeded: Tracker, frozen: FrozenDateTimeFactory
) -> None:
    frozen.move_to(T2)
    seeded.add(MONITOR_2000)
    slot = troops(seeded.show("2024-06-01", None)[0])
    assert (slot.status, slot.value) == ("conflict", None)
    assert {(c.value, c.source, c.reliability, c.credibility) for c in slot.candidates} == {
        ("1800", "New York Parrot", "F", "3"),
        ("2000", "Example Monitor", "F", "6"),
    }


def test_s6_before_the_second_report_the_value_was_current(
    seeded: Tracker, frozen: FrozenDateTimeFactory
) -> None:
    frozen.move_to(T2)
    seeded.add(MONITOR_2000)
    slot = troops(seeded.show("2024-06-01", "2025-03-02")[0])
    assert (slot.status, slot.value) == ("current", "1800")


def test_s6_deprecating_the_second_report_hides_and_counts_it(
    seeded: Tracker, frozen: FrozenDateTimeFactory
) -> None:
    frozen.move_to(T2)
    seeded.add(MONITOR_2000)
    seeded.rank("ex:2000", "deprecated", "single unnamed source")
    picture = seeded.show("2024-06-01", None)[0]
    assert (troops(picture).status, troops(picture).value) == ("current", "1800")
    assert picture.deprecated_hidden == 1
    # --all shows it, still judged: listed with its rank, it brings no conflict back.
    shown = seeded.show("2024-06-01", None, show_all=True)[0]
    assert (troops(shown).status, troops(shown).value) == ("current", "1800")
    assert [c.rank for c in troops(shown).candidates] == ["normal", "deprecated"]
    assert shown.deprecated_hidden == 0


def test_s6_a_preferred_claim_resolves_the_conflict_and_says_so(seeded: Tracker) -> None:
    seeded.add(MONITOR_2000)
    seeded.rank("ex:2000", "preferred", "confirmed by two officials")
    slot = troops(seeded.show("2024-06-01", None)[0])
    assert (slot.status, slot.value, slot.resolved_by) == ("current", "2000", "ex:2000")
    assert len(slot.candidates) == 2


def test_s6_knowledge_diff_lists_the_assertion_the_rank_and_the_slot(
    seeded: Tracker, frozen: FrozenDateTimeFactory
) -> None:
    frozen.move_to(T2)
    seeded.add(MONITOR_2000)
    seeded.rank("ex:2000", "deprecated", "single unnamed source")
    result = seeded.diff_known("2025-03-02", "now", "2024-06-01")
    assert [(e.kind, e.claim) for e in result.events] == [
        ("claim.asserted", "ex:2000"),
        ("claim.ranked", "ex:2000"),
    ]
    assert result.events[1].detail == "deprecated"
    assert [(c.attribute, c.change) for c in result.changes] == [("troops_in_libya", "changed")]


def test_s7_a_view_before_a_correction_shows_what_was_believed(
    tracker: Tracker, frozen: FrozenDateTimeFactory
) -> None:
    frozen.move_to("2025-03-10T10:00:00Z")
    tracker.add(VISIT)
    frozen.move_to("2025-03-11T10:00:00Z")
    tracker.correct("visit", "year mistyped", {"date": "2025-02"})
    then, _ = tracker.show("2024-03-01", "2025-03-10T12:00:00Z")
    assert [(o.claim, o.date) for o in then.occurrences] == [("visit", "2024-02")]
    assert then.changed_later == ("visit",)
    now, _ = tracker.show("2024-03-01", None)
    assert now.occurrences == ()
    february, _ = tracker.show("2025-02-10", None)
    assert [(o.claim, o.certainty) for o in february.occurrences] == [("visit", "possible")]


def test_s7_a_retracted_claim_leaves_the_picture_but_not_the_history(
    tracker: Tracker, frozen: FrozenDateTimeFactory
) -> None:
    frozen.move_to("2025-03-10T10:00:00Z")
    tracker.add(VISIT)
    frozen.move_to("2025-03-12T10:00:00Z")
    tracker.retract("visit", "the visit was denied")
    assert tracker.show("2024-03-01", None)[0].occurrences == ()
    before, _ = tracker.show("2024-03-01", "2025-03-11")
    assert [o.claim for o in before.occurrences] == ["visit"]
    assert [(r.kind, r.reason) for r in tracker.history("visit")] == [
        ("claim.asserted", None),
        ("claim.retracted", "the visit was denied"),
    ]


def test_changing_an_unknown_or_retracted_claim_is_refused(tracker: Tracker) -> None:
    with pytest.raises(NotFound):
        tracker.retract("nope", "why")
    tracker.add(VISIT)
    tracker.retract("visit", "denied")
    with pytest.raises(ValidationError, match="retracted"):
        tracker.retract("visit", "again")
    with pytest.raises(ValidationError, match="retracted"):
        tracker.correct("visit", "fix", {"date": "2025-02"})
    with pytest.raises(ValidationError, match="retracted"):
        tracker.rank("visit", "preferred", "why")


def test_a_correction_needs_a_reason_and_a_change(tracker: Tracker) -> None:
    tracker.add(VISIT)
    with pytest.raises(ValidationError, match="reason"):
        tracker.correct("visit", "  ", {"date": "2025-02"})
    with pytest.raises(ValidationError, match="changes nothing"):
        tracker.correct("visit", "same", {"date": "2024-02"})


def test_a_world_change_is_two_observations_not_a_correction(seeded: Tracker) -> None:
    rows = seeded.history("Russia/troops_in_libya")
    assert [(r.kind, r.value, r.date) for r in rows] == [
        ("claim.asserted", "800", "2024-02"),
        ("claim.asserted", "1800", "2024-05"),
    ]


def test_timeline_is_in_valid_time_order_with_filters(seeded: Tracker) -> None:
    states, _ = seeded.timeline("russia", None, None, None)
    assert [s.claim.date for s in states] == ["2024-02", "2024-05", "../2025-02"]
    states, _ = seeded.timeline(None, "2025-01", "2025-02", "diplomacy.visit")
    assert [s.claim.id for s in states] == ["nyp-2025-02:haftar-belarus-visit"]


def test_history_of_a_subject_covers_all_its_claims(seeded: Tracker) -> None:
    rows = seeded.history("khalifa haftar")
    assert {r.claim for r in rows} == {
        "nyp-2025-02:wilson-warning",
        "nyp-2025-02:haftar-belarus-visit",
        "nyp-2025-02:haftar-minsk-talks",
        "nyp-2025-02:cia-pressure-on-haftar",
        "nyp-2025-02:haftar-role",
    }
    with pytest.raises(NotFound):
        seeded.history("Atlantis")
