"""SPEC §9's source half through the services, on SQLite and PostgreSQL: publishers and their
grades as known at K, reinstating, near-duplicates, and the export round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from freezegun.api import FrozenDateTimeFactory
from sqlalchemy import text

from tracker.db import open_store
from tracker.domain.errors import NotFound, TrackerError, ValidationError
from tracker.domain.events import ClaimAsserted, SourceRegistered
from tracker.domain.picture import Picture, SlotView
from tracker.services import Tracker, utc_now

T7 = "2025-03-07T09:00:00Z"
HEAD = ("id", "type", "date", "subject", "attribute", "value", "summary", "source")


@pytest.fixture
def seeded(tracker: Tracker, seed_file: Path) -> Tracker:
    tracker.import_paths([str(seed_file)])
    return tracker


def troops(picture: Picture) -> SlotView:
    [found] = [s for s in picture.slots if s.attribute == "troops_in_libya"]
    return found


def fields(claim_id: str | None = None, **changes: str | None) -> dict[str, str | None]:
    base: dict[str, str | None] = {
        "id": claim_id,
        "type": "military.force_level",
        "date": "2024-05",
        "subject": "Russia",
        "attribute": "troops_in_libya",
        "value": "2000",
        "summary": "About 2,000 troops.",
        "source": "Example Monitor",
    }
    return base | changes


def feed(path: Path, *rows: str, header: str = ",".join(HEAD)) -> str:
    path.write_text(header + "\n" + "".join(row + "\n" for row in rows), encoding="utf-8")
    return str(path)


def reliabilities(slot: SlotView) -> list[tuple[str, str]]:
    return [(c.source, c.reliability) for c in slot.candidates]


def test_s10_a_regraded_publisher_shows_its_grade_as_known_at_k(
    seeded: Tracker, frozen: FrozenDateTimeFactory
) -> None:
    frozen.move_to(T7)
    graded = seeded.grade("New York Parrot", "C", "track record checked")
    assert (graded.source, graded.grade, graded.position) == ("New York Parrot", "C", 17)
    now, _ = seeded.show("2024-06-01", None)
    assert reliabilities(troops(now)) == [("New York Parrot", "C")]
    before, _ = seeded.show("2024-06-01", "2025-03-07T08:59:59Z")
    assert reliabilities(troops(before)) == [("New York Parrot", "F")]
    added = seeded.add(
        fields(summary="x", source="new york parrot", value="1800", date="2024-06", unit="troops")
    )
    assert added.appended and added.warnings == ()
    later, _ = seeded.show("2024-07-01", None)
    assert reliabilities(troops(later)) == [("New York Parrot", "C")]
    [row] = seeded.sources()
    assert (row.source, row.reliability, row.claims, row.articles) == (
        "New York Parrot",
        "C",
        16,
        2,
    )
    assert (row.first_published, row.last_published) == ("2025-02", "2025-02")


def test_grading_the_grade_in_force_appends_nothing(seeded: Tracker) -> None:
    seeded.grade("new york  parrot", "C", "checked")
    head = seeded.store.head().position
    assert seeded.grade("New York Parrot", "c", "again").position is None
    assert seeded.store.head().position == head


def test_grading_an_unknown_source_names_the_close_ones(seeded: Tracker) -> None:
    with pytest.raises(NotFound, match=r"no source .New York Parot.*did you mean New York Parrot"):
        seeded.grade("New York Parot", "B", "typo")
    with pytest.raises(ValidationError, match="not a grade A-F"):
        seeded.grade("New York Parrot", "G", "bad")


def test_a_row_sets_the_first_grade_and_a_later_different_one_warns_and_changes_nothing(
    tracker: Tracker,
) -> None:
    first = tracker.add(fields("a", reliability="B"))
    assert first.warnings == ()
    second = tracker.add(fields("b", reliability="D", date="2024-06"))
    assert second.appended
    assert second.warnings == (
        "warning: Example Monitor is graded B; the grade D given here changes nothing "
        '(to re-grade: tracker grade "Example Monitor" D --reason TEXT)',
    )
    picture, _ = tracker.show("2024-07-01", None)
    assert {c.reliability for c in troops(picture).candidates} == {"B"}
    [row] = tracker.sources()
    assert (row.reliability, row.claims, row.articles) == ("B", 2, 2)


def test_a_known_claims_row_with_another_grade_keeps_its_article_and_changes_nothing(
    tracker: Tracker, tmp_path: Path
) -> None:
    header = ",".join((*HEAD, "reliability"))
    row = "a,military.force_level,2024-05,Russia,troops_in_libya,2000,About.,Example Monitor,{}"
    tracker.import_paths([feed(tmp_path / "one.csv", row.format("B"), header=header)])
    head = tracker.store.head().position
    [summary] = tracker.import_paths([feed(tmp_path / "two.csv", row.format("C"), header=header)])
    assert summary.counts["unchanged"] == 1 and not summary.written
    assert [(w.line, w.column) for w in summary.warnings] == [(2, "reliability")]
    assert tracker.store.head().position == head


def test_a_correction_cannot_regrade_a_publisher(tracker: Tracker) -> None:
    tracker.add(fields("a"))
    with pytest.raises(ValidationError, match='tracker grade "Example Monitor" B'):
        tracker.correct("a", "regrade", {"reliability": "B"})


def test_new_claims_carry_their_article_and_register_no_source(
    tracker: Tracker, tmp_path: Path
) -> None:
    rows = [f"r{n},diplomacy.visit,2024-05-0{n},Haftar,,,Visit {n}.,Agence" for n in range(1, 4)]
    header = ",".join((*HEAD, "source_url"))
    path = feed(
        tmp_path / "f.csv",
        *(f"{r},https://example.org/{i}" for i, r in enumerate(rows)),
        header=header,
    )
    tracker.import_paths([path])
    events = [e.event for e in tracker.store.entries()]
    assert not any(isinstance(e, SourceRegistered) for e in events)
    articles = [e.article for e in events if isinstance(e, ClaimAsserted)]
    assert [a.url if a else None for a in articles] == [
        f"https://example.org/{i}" for i in range(3)
    ]
    [row] = tracker.sources()
    assert (row.source, row.claims, row.articles) == ("Agence", 3, 3)
    assert tracker.import_paths([path])[0].written is False


def test_op_grade_rows_grade_idempotently_and_refuse_unknown_sources(
    seeded: Tracker, tmp_path: Path
) -> None:
    header = "op,source,reliability,reason"
    path = feed(tmp_path / "g.csv", "grade,new york parrot,B,checked", header=header)
    [summary] = seeded.import_paths([path])
    assert summary.written and summary.counts["new"] == 1
    [row] = seeded.sources()
    assert row.reliability == "B"
    again = seeded.import_paths([path])[0]
    assert not again.written and again.counts["unchanged"] == 1
    bad = feed(tmp_path / "h.csv", "grade,Nobody,B,x", header=header)
    [refused] = seeded.import_paths([bad])
    assert [(e.line, e.column) for e in refused.errors] == [(2, "source")]


def test_reinstate_brings_a_retracted_claim_back(
    tracker: Tracker, frozen: FrozenDateTimeFactory
) -> None:
    tracker.add(fields("a"))
    tracker.retract("a", "denied")
    frozen.move_to("2025-03-02T12:00:00Z")
    again = tracker.add(fields("a"))
    assert not again.appended
    assert again.warnings == (
        "warning: claim a is retracted; nothing appended "
        "(to bring it back: tracker reinstate a --reason TEXT)",
    )
    entry = tracker.reinstate("a", "confirmed")
    assert (entry.kind, entry.position) == ("claim.reinstated", 3)
    picture, _ = tracker.show("2024-06-01", None)
    assert troops(picture).value == "2000"
    earlier, _ = tracker.show("2024-06-01", "2025-03-01T23:00:00Z")
    assert earlier.slots == ()  # retracted then, as the log knew it
    with pytest.raises(ValidationError, match="not retracted"):
        tracker.reinstate("a", "again")
    with pytest.raises(NotFound):
        tracker.reinstate("nope", "x")


def test_importing_a_retracted_claims_content_appends_nothing_and_says_so(
    tracker: Tracker, tmp_path: Path
) -> None:
    row = "a,military.force_level,2024-05,Russia,troops_in_libya,2000,About.,Example Monitor"
    path = feed(tmp_path / "a.csv", row)
    tracker.import_paths([path])
    tracker.retract("a", "denied")
    [summary] = tracker.import_paths([path])
    assert not summary.written
    assert [(w.line, w.message) for w in summary.warnings] == [
        (
            2,
            "claim a is retracted; nothing appended "
            "(to bring it back: tracker reinstate a --reason TEXT)",
        )
    ]


def test_a_near_duplicate_is_written_with_a_warning_naming_it(
    tracker: Tracker, tmp_path: Path
) -> None:
    tracker.add(fields("hand", summary="Typed by hand."))
    other = tracker.add(fields("feed:1", subject="russia ", summary="From the feed."))
    assert other.appended
    assert other.warnings == (
        "warning: claim feed:1 repeats hand (same type, subject, attribute, value, date and "
        "source under another id)",
    )
    assert tracker.add(fields("x", source="Reuters")).warnings == ()  # another publisher
    assert tracker.add(fields("y", value="2100")).warnings == ()  # another value
    row = "feed:2,military.force_level,2024-05,RUSSIA,troops_in_libya,2000,Again.,example monitor"
    [summary] = tracker.import_paths([feed(tmp_path / "a.csv", row)])
    assert summary.written
    assert [w.message for w in summary.warnings] == [
        "claim feed:2 repeats feed:1, hand (same type, subject, attribute, value, date and "
        "source under another id)"
    ]
    tracker.retract("hand", "duplicate")
    assert tracker.add(fields("z", summary="Once more.")).warnings == (
        "warning: claim z repeats feed:1, feed:2 (same type, subject, attribute, value, date "
        "and source under another id)",
    )


def test_export_claims_round_trip_keeps_grades_and_retracted_claims(
    seeded: Tracker, tmp_path: Path, db_url: str, frozen: FrozenDateTimeFactory
) -> None:
    from tracker.adapters.files import write_csv
    from tracker.domain.rows import COLUMNS

    seeded.add(fields("ex:1", reliability="B", unit="troops"))
    seeded.grade("Example Monitor", "D", "second thoughts")
    seeded.grade("New York Parrot", "C", "checked")
    seeded.retract("ex:1", "withdrawn")
    out = tmp_path / "claims.csv"
    with seeded.export_claims(include_retracted=True) as rows, out.open("w") as handle:
        write_csv(handle, COLUMNS, list(rows))
    again = seeded.import_paths([str(out)])[0]
    assert not again.written
    empty = Tracker(open_store(f"sqlite:///{tmp_path / 'empty.db'}", utc_now), utc_now)
    [summary] = empty.import_paths([str(out)])
    assert summary.written and summary.warnings == []
    for as_of in ("2024-06-01", "2025-02"):
        one, two = seeded.show(as_of, None)[0], empty.show(as_of, None)[0]
        assert (one.slots, one.occurrences) == (two.slots, two.occurrences)
    assert [(r.source, r.reliability) for r in empty.sources()] == [
        ("Example Monitor", "D"),
        ("New York Parrot", "C"),
    ]
    state = empty.knowledge(empty.cut(None)).claims["ex:1"]
    assert state.retracted
    assert empty.reinstate("ex:1", "back").kind == "claim.reinstated"


def test_verify_finds_a_damaged_publishers_table_and_rebuild_repairs_it(seeded: Tracker) -> None:
    seeded.grade("New York Parrot", "C", "checked")
    with seeded.store.engine.begin() as conn:
        conn.execute(text("UPDATE publishers SET grade = 'A'"))
    with pytest.raises(TrackerError, match="the publishers differ from the log"):
        seeded.verify()
    seeded.rebuild()
    assert seeded.verify() == seeded.store.head().position
    assert [r.reliability for r in seeded.sources()] == ["C"]


def test_each_moment_shows_the_grade_known_then(
    tracker: Tracker, frozen: FrozenDateTimeFactory
) -> None:
    """Ungraded, then graded B by a row, re-graded A, then F: `--known-at` sees each in turn,
    as do the pictures of a diff between two recorded moments."""
    tracker.add(fields("a"))  # T1: no grade given
    frozen.move_to("2025-03-02T12:00:00Z")
    tracker.add(fields("b", reliability="B", date="2024-06", value="2100"))
    frozen.move_to("2025-03-03T12:00:00Z")
    tracker.grade("Example Monitor", "A", "checked")
    frozen.move_to("2025-03-04T12:00:00Z")
    tracker.grade("Example Monitor", "F", "cannot be judged after all")
    seen = {}
    for day in ("2025-03-01", "2025-03-02", "2025-03-03", "2025-03-04"):
        picture, _ = tracker.show("2024-05-31", day)
        seen[day] = troops(picture).candidates[0].reliability
    assert seen == {"2025-03-01": "F", "2025-03-02": "B", "2025-03-03": "A", "2025-03-04": "F"}
    with pytest.raises(ValidationError, match="not a grade"):
        tracker.grade("Example Monitor", "", "empty")


def test_a_near_duplicate_is_found_through_the_aliases_in_force(
    tracker: Tracker, tmp_path: Path
) -> None:
    tracker.add(fields("a"))
    tracker.add(fields("b", subject="Russian Federation", value="900"))
    tracker.alias("Russian Federation", "Russia", "same state")
    added = tracker.add(fields("c", subject="russian federation", attribute="Troops In Libya"))
    assert added.warnings[0] == (
        "warning: claim c repeats a (same type, subject, attribute, value, date and source "
        "under another id)"
    )
    row = (
        "d,military.force_level,2024-05,Russian Federation,troops in libya,2000,D.,Example Monitor"
    )
    [summary] = tracker.import_paths([feed(tmp_path / "d.csv", row)])
    assert [w.message for w in summary.warnings] == [
        "claim d repeats a, c (same type, subject, attribute, value, date and source under "
        "another id)"
    ]
