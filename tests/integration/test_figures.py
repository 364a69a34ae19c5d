"""SPEC §10 and SCENARIOS S11 through the services, on SQLite and PostgreSQL: hedged figures
agree or conflict by their intervals, deltas follow them, each candidate keeps its unit."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.domain.diff import SlotChange
from tracker.domain.errors import ValidationError
from tracker.domain.events import ClaimAsserted, SourceRegistered
from tracker.domain.model import Claim, Source
from tracker.domain.picture import SlotView
from tracker.services import Tracker

TROOPS = ("Russia", "troops_in_libya")


@pytest.fixture
def seeded(tracker: Tracker, seed_file: Path) -> Tracker:
    [summary] = tracker.import_paths([str(seed_file)])
    assert summary.written
    return tracker


def add(tracker: Tracker, value: str, date: str = "2024-05", **more: str) -> str:
    fields = {
        "type": "military.force_level",
        "date": date,
        "subject": "Russia",
        "attribute": "troops_in_libya",
        "value": value,
        "unit": "troops",
        "summary": f"Troops: {value}.",
        "source": "Example Monitor",
        **more,
    }
    return tracker.add(fields).claim_id


def troops(tracker: Tracker, as_of: str = "2024-06-01", subject: str = "Russia") -> SlotView:
    picture, _ = tracker.show(as_of, None)
    [found] = [s for s in picture.slots if s.subject == subject]
    return found


def test_s11_a_bound_the_figure_satisfies_agrees_with_it(seeded: Tracker) -> None:
    added = add(seeded, ">1500")
    slot = troops(seeded)
    assert (slot.status, slot.value, slot.claim) == (
        "current",
        "1800",
        "nyp-2025-02:russia-troops-2024-05",
    )
    assert sorted(c.claim for c in slot.candidates) == sorted(
        [added, "nyp-2025-02:russia-troops-2024-05"]
    )


def test_s11_about_another_figure_is_a_conflict(seeded: Tracker) -> None:
    add(seeded, "~2000")
    slot = troops(seeded)
    assert (slot.status, slot.value) == ("conflict", None)
    assert [c.value for c in slot.candidates] == ["1800", "~2000"]


def test_s11_the_seed_delta_still_holds(seeded: Tracker) -> None:
    add(seeded, ">1500")
    [change] = seeded.diff("2024-03-01", "2024-06-01", None).changes
    assert (change.delta, change.percent) == (1000, 125)


def test_two_lower_bounds_agree_on_the_higher(tracker: Tracker) -> None:
    first = add(tracker, ">15000")
    second = add(tracker, ">17000", summary="More than 17,000.")
    slot = troops(tracker)
    assert (slot.status, slot.value, slot.claim) == ("current", ">17000", second)
    assert {c.claim for c in slot.candidates} == {first, second}
    figure = slot.figure
    assert figure is not None and (figure.low, figure.high, figure.low_open) == (17000, None, True)


def test_two_approximate_figures_that_differ_conflict(tracker: Tracker) -> None:
    add(tracker, "~450")
    add(tracker, "~400")
    assert troops(tracker).status == "conflict"


def test_a_range_and_a_figure_inside_it_agree_on_the_figure(tracker: Tracker) -> None:
    add(tracker, "300..350")
    exact = add(tracker, "320")
    slot = troops(tracker)
    assert (slot.status, slot.value, slot.claim, slot.sources) == (
        "current",
        "320",
        exact,
        ("Example Monitor",),
    )


def test_bounds_with_no_figure_between_agree_on_the_interval(tracker: Tracker) -> None:
    add(tracker, ">1000")
    add(tracker, "<2000", source="Reuters")
    slot = troops(tracker)
    assert (slot.status, slot.value) == ("current", ">1000 and <2000")
    assert slot.sources == ("Example Monitor", "Reuters")


def change(tracker: Tracker) -> SlotChange:
    [found] = tracker.diff("2024-03-01", "2024-06-01", None).changes
    return found


def test_a_range_to_an_approximate_figure_gives_a_range_delta(tracker: Tracker) -> None:
    add(tracker, "300..350", date="2024-02")
    add(tracker, "~1000", date="2024-05")
    difference = change(tracker).difference
    assert difference is not None
    assert (difference.low, difference.high, difference.approximate) == (650, 700, True)
    assert change(tracker).delta is None


def test_a_change_to_an_open_bound_is_listed_with_no_delta(tracker: Tracker) -> None:
    add(tracker, "800", date="2024-02")
    add(tracker, ">1000", date="2024-05")
    found = change(tracker)
    assert found.change == "changed" and found.after is not None
    assert found.after.value == ">1000"
    assert (found.difference, found.delta, found.percent) == (None, None, None)


def test_no_delta_across_units(tracker: Tracker) -> None:
    add(tracker, "800", date="2024-02")
    add(tracker, "2", date="2024-05", unit="battalions")
    found = change(tracker)
    assert found.change == "changed" and found.delta is None


def test_each_candidate_keeps_its_own_unit(tracker: Tracker) -> None:
    add(tracker, "1800")
    add(tracker, "2", unit="battalions")
    slot = troops(tracker)
    assert slot.status == "conflict"
    assert [(c.value, c.unit) for c in slot.candidates] == [
        ("1800", "troops"),
        ("2", "battalions"),
    ]


def test_a_new_unit_in_a_slot_is_warned_of(tracker: Tracker) -> None:
    fields = {
        "type": "military.force_level",
        "date": "2024-05",
        "subject": "Russia",
        "attribute": "troops_in_libya",
        "summary": "x",
        "source": "Example Monitor",
    }
    first = tracker.add({**fields, "value": "1800", "unit": "troops"})
    same = tracker.add({**fields, "value": "1900", "unit": "troops"})
    other = tracker.add({**fields, "value": "2", "unit": "battalions"})
    assert (first.warnings, same.warnings) == ((), ())
    assert other.warnings == (
        "warning: Russia / troops_in_libya is in troops; this claim brings battalions "
        "(no delta is given across units)",
    )
    fixed = tracker.correct(other.claim_id, "unit", {"unit": "troops", "value": "2000"})
    assert fixed.warning is None


def test_an_import_bringing_a_new_unit_warns_on_its_line(seeded: Tracker, tmp_path: Path) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text(
        "type,date,subject,attribute,value,unit,summary,source\n"
        "military.force_level,2024-06,Russia,troops_in_libya,~2000,troops,a,M\n"
        "military.force_level,2024-07,Russia,troops_in_libya,3,battalions,b,M\n"
        "military.force_level,2024-08,Russia,troops_in_libya,4,battalions,c,M\n",
        encoding="utf-8",
    )
    [summary] = seeded.import_paths([str(feed)])
    assert summary.written
    assert [(w.line, w.column) for w in summary.warnings] == [(3, "unit")]


def test_an_import_correcting_a_claims_unit_warns_on_its_line(
    seeded: Tracker, tmp_path: Path
) -> None:
    """A correction re-imported with another unit is a write bringing its slot that unit
    (SPEC §10), as `tracker correct` is; a correction keeping its unit is not warned of."""
    feed = tmp_path / "feed.csv"
    row = "f:1,military.force_level,2024-06,Russia,troops_in_libya,{value},{unit},{summary},M\n"
    header = "id,type,date,subject,attribute,value,unit,summary,source\n"
    feed.write_text(header + row.format(value=2000, unit="troops", summary="a"), "utf-8")
    [first] = seeded.import_paths([str(feed)])
    assert first.counts["new"] == 1 and first.warnings == []
    feed.write_text(header + row.format(value=2000, unit="troops", summary="b"), "utf-8")
    [kept] = seeded.import_paths([str(feed)])
    assert kept.counts["corrected"] == 1 and kept.warnings == []
    feed.write_text(header + row.format(value=3, unit="battalions", summary="b"), "utf-8")
    [moved] = seeded.import_paths([str(feed)])
    assert moved.counts["corrected"] == 1
    assert [(w.line, w.column) for w in moved.warnings] == [(2, "unit")]


UNIT_WARNING = (
    "warning: Russian Federation / troops in libya is in troops; this claim brings soldiers "
    "(no delta is given across units)"
)


def test_a_new_unit_under_an_aliased_name_is_warned_of(seeded: Tracker) -> None:
    seeded.alias("Russian Federation", "Russia", "same state")
    named = {"subject": "Russian Federation", "attribute": "troops in libya"}
    other = seeded.add(
        {
            "type": "military.force_level",
            "date": "2024-07",
            **named,
            "value": "1900",
            "unit": "soldiers",
            "summary": "u",
            "source": "Example Monitor",
        }
    )
    assert other.warnings == (UNIT_WARNING,)
    fixed = seeded.correct(other.claim_id, "unit", {"unit": "battalions"})
    assert fixed.warning == (
        "Russian Federation / troops in libya is in troops; this claim brings battalions "
        "(no delta is given across units)"
    )


def test_an_import_under_an_aliased_name_warns_on_its_line(seeded: Tracker, tmp_path: Path) -> None:
    # Before the alias, in a slot of its own: soldiers, no warning.
    add(seeded, "1900", "2024-04", subject="Russian Federation", unit="soldiers")
    feed = tmp_path / "feed.csv"
    feed.write_text(
        "op,type,date,subject,attribute,value,unit,summary,source,reason\n"
        ",military.force_level,2024-06,Russia,troops_in_libya,2000,troops,a,M,\n"
        "alias,,,Russian Federation,,Russia,,,,same state\n"
        ",military.force_level,2024-07,Russia,troops_in_libya,2100,soldiers,b,M,\n"
        ",military.force_level,2024-08,Russian Federation,troops in libya,3,battalions,c,M,\n",
        encoding="utf-8",
    )
    # One row a batch: the units read before the alias row are read again after it.
    summary = seeded.import_file(feed, batch=1)
    assert summary.written
    assert [(w.line, w.column) for w in summary.warnings] == [(5, "unit")]
    assert summary.warnings[0].message == (
        "Russian Federation / troops in libya is in soldiers, troops; this claim brings "
        "battalions (no delta is given across units)"
    )


def test_a_refused_value_is_an_error_naming_the_forms(tracker: Tracker) -> None:
    with pytest.raises(ValidationError) as refused:
        add(tracker, "2.5k")
    assert refused.value.field == "value"
    assert tracker.store.head().position == 0


def test_csv_and_json_lines_give_the_same_claims(
    db_url: str, tracker: Tracker, tmp_path: Path
) -> None:
    csv_file = tmp_path / "a.csv"
    csv_file.write_text(
        "id,type,date,subject,attribute,value,summary,source\n"
        'a,military.force_level,2024-05,R,t,"1,800",s,M\n'
        "b,military.force_level,2024-05,R,u,2.50,s,M\n"
        "c,military.force_level,2024-05,R,v,~1800,s,M\n",
        encoding="utf-8",
    )
    jsonl = tmp_path / "a.jsonl"
    common = (
        '"type":"military.force_level","date":"2024-05","subject":"R","summary":"s","source":"M"'
    )
    jsonl.write_text(
        f'{{"id":"a",{common},"attribute":"t","value":1800}}\n'
        f'{{"id":"b",{common},"attribute":"u","value":2.50}}\n'
        f'{{"id":"c",{common},"attribute":"v","value":"~1,800"}}\n',
        encoding="utf-8",
    )
    [first] = tracker.import_paths([str(csv_file)])
    [second] = tracker.import_paths([str(jsonl)])
    assert first.counts["new"] == 3
    assert second.counts["unchanged"] == 3 and not second.written


def test_json_lines_numbers_are_exact_and_nan_is_refused(tracker: Tracker, tmp_path: Path) -> None:
    jsonl = tmp_path / "a.jsonl"
    common = (
        '"type":"military.force_level","date":"2024-05","subject":"R","summary":"s","source":"M"'
    )
    jsonl.write_text(
        f'{{"id":"a",{common},"attribute":"t","value":0.1000000000000000000000000001}}\n'
        f'{{"id":"b",{common},"attribute":"u","value":NaN}}\n'
        f'{{"id":"c",{common},"attribute":"v","value":1e999999999}}\n',
        encoding="utf-8",
    )
    [summary] = tracker.import_paths([str(jsonl)], skip_invalid=True)
    assert [(e.line, e.column) for e in summary.errors] == [(2, "row"), (3, "value")]
    claims = tracker.knowledge(tracker.cut(None)).claims
    assert claims["a"].claim.value == "0.1000000000000000000000000001"


def test_a_value_recorded_before_the_grammar_reads_and_can_be_corrected_around(
    tracker: Tracker, tmp_path: Path
) -> None:
    source = Source(id="src:m", name="M")
    old = Claim(
        id="old:1",
        type="military.force_level",
        date="2024-05",
        subject="Russia",
        summary="s",
        source_id="src:m",
        attribute="troops_in_libya",
        value="2.5k",
    )
    with tracker.store.writing() as writer:
        writer.append([SourceRegistered(source), ClaimAsserted(old)])
    assert troops(tracker).value == "2.5k"
    tracker.correct("old:1", "summary", {"summary": "better"})
    assert tracker.knowledge(tracker.cut(None)).claims["old:1"].claim.value == "2.5k"
    with pytest.raises(ValidationError):
        tracker.correct("old:1", "value", {"value": "3.5k"})
