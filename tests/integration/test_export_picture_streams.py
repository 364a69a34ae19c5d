"""`export picture` and `export diff` stream their occurrences from the projection and find the
slots' claims slot by slot: the CSV must be byte for byte what the in-memory picture gives
(`show`/`diff` and their CSV), on SQLite and PostgreSQL, with aliases, conflicts, corrections,
retractions, deprecated claims, grades and filters; and at a cut behind the head (folded)."""

from __future__ import annotations

import io
import random
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tracker.adapters import picture_rows as picture_reads
from tracker.adapters import publishers, slot_page, streamed
from tracker.adapters.files import write_csv
from tracker.cli import cli
from tracker.cli.change import CHANGE_COLUMNS, world_csv, world_rows
from tracker.cli.show import CSV_COLUMNS, picture_csv, picture_rows
from tracker.domain.diff import compare
from tracker.domain.filters import ClaimFilter
from tracker.domain.fold import Knowledge, fold
from tracker.domain.picture import build_picture
from tracker.services import Cut, Tracker, WorldDiff

SUBJECTS = ("Russia", "Wagner", "Wagner Group", "Haftar", "Khalifa Haftar", "GNU", "=Cell")
ATTRIBUTES = ("troops", "bases", "leader")
DATES = (
    "2024",
    "2024-02",
    "2024-03",
    "2024-05~",
    "2024-05-10",
    "2024-02/2024-06",
    "2024-01/2024-03",
    "[2024-02..2024-04]",
    "../2024-04",
    "2023/..",
)
VALUES = ("800", "1800", "~1000", ">1500", "300..350", "Haftar")
SOURCES = (("Reuters", "B"), ("Example Monitor", "C"), ("+Parrot", "F"))
FILTERS = [
    None,
    ClaimFilter.of(types=["diplomacy.visit"]),
    ClaimFilter.of(mentions=["wagner group"]),
    ClaimFilter.of(min_reliability="B", min_credibility="3"),
    ClaimFilter.of(places=["Tripoli"], sources=["reuters"]),
]


def add_random(tracker: Tracker, rng: random.Random, n: int) -> str:
    observation = rng.random() < 0.5
    source, grade = rng.choice(SOURCES)
    return tracker.add(
        {
            "id": f"s:{n:03d}",
            "type": "military.force_level"
            if observation
            else rng.choice(("diplomacy.visit", "statement.warning")),
            "date": rng.choice(DATES),
            "subject": rng.choice(SUBJECTS),
            "attribute": rng.choice(ATTRIBUTES) if observation else None,
            "value": rng.choice(VALUES) if observation else None,
            "actor": rng.choice((*SUBJECTS, None)),
            "place": rng.choice(("Tripoli", "Benghazi", None)),
            "summary": rng.choice((f"claim {n}", f"-claim {n}", f'a "quoted"\nclaim {n}')),
            "source": source,
            "reliability": grade,
            "credibility": rng.choice("1236"),
        }
    ).claim_id


@pytest.fixture(params=[1, 7, 5000], ids=["pages of one slot", "pages of 7", "one page"])
def world(
    request: pytest.FixtureRequest, tracker: Tracker, monkeypatch: pytest.MonkeyPatch
) -> tuple[Tracker, int]:
    """Claims in few slots (conflicts, ranges, ended spans), then judgements; and the log
    position before the judgements (a cut that the fold answers)."""
    monkeypatch.setattr(streamed, "_PAGE", request.param)  # claims per page of slots
    rng = random.Random(17)
    ids = [add_random(tracker, rng, n) for n in range(120)]
    middle = tracker.store.head().position
    tracker.alias("Wagner Group", "Wagner", "same group")
    tracker.alias("Khalifa Haftar", "Haftar", "same man")
    for claim_id in rng.sample(ids, 10):
        tracker.retract(claim_id, "withdrawn")
    for claim_id in rng.sample(ids, 10):
        tracker.rank(claim_id, rng.choice(("deprecated", "preferred")), "judged")
    tracker.correct(ids[1], "moved", {"place": "Misrata", "date": "2024-04"})
    tracker.grade("Example Monitor", "A", "judged")
    return tracker, middle


def as_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    write_csv(out, columns, rows)
    return out.getvalue()


def days() -> list[date]:
    return [date(2023, 12, 1) + timedelta(days=29 * k) for k in range(9)]


def folded_diff(knowledge: Knowledge, a: date, b: date, cut: Cut) -> WorldDiff:
    """`diff` as the fold gives it (`Reading.diff` when the projection is not at the cut)."""
    before = build_picture(knowledge, a, occurrences=())
    after = build_picture(knowledge, b)
    listed = [
        o for o in after.occurrences if knowledge.claims[o.claim].claim.valid.start.earliest > a
    ]
    return WorldDiff(a, b, cut, compare(before, after), listed)


def test_the_streamed_picture_csv_is_the_in_memory_one(world: tuple[Tracker, int]) -> None:
    tracker, middle = world
    folded = fold(tracker.store.entries())
    for day in days():
        for where in FILTERS:
            whole = build_picture(where.keep(folded) if where else folded, day)
            for known_at in (None, f"@{middle}"):  # the projection, then the fold
                shown, _ = tracker.show(day.isoformat(), known_at, where=where)
                with tracker.picture_streamed(day.isoformat(), known_at, where) as stream:
                    written = as_csv(CSV_COLUMNS, picture_rows(stream.slots, stream.occurrences))
                    assert stream.deprecated_hidden == shown.deprecated_hidden, (day, where)
                    assert stream.changed_later == shown.changed_later, (day, where)
                assert written == picture_csv(shown), (day, where, known_at)
                if known_at is None:
                    assert written == picture_csv(whole), (day, where)


def test_the_streamed_diff_csv_is_the_in_memory_one(world: tuple[Tracker, int]) -> None:
    tracker, middle = world
    folded = fold(tracker.store.entries())
    for start in days():
        for end in days()[::3]:
            if end < start:
                continue
            for known_at in (None, f"@{middle}"):
                a, b = start.isoformat(), end.isoformat()
                whole = tracker.diff(a, b, known_at)
                with tracker.diff_streamed(a, b, known_at) as stream:
                    written = as_csv(CHANGE_COLUMNS, world_rows(stream.changes, stream.occurrences))
                assert written == world_csv(whole), (a, b, known_at)
                if known_at is None:
                    expected = folded_diff(folded, start, end, whole.cut)
                    assert written == world_csv(expected), (a, b)


def test_observations_found_slot_by_slot_are_those_found_all_at_once(
    world: tuple[Tracker, int],
) -> None:
    tracker, _ = world
    with tracker.store.engine.connect() as conn:
        known = publishers.read_publishers(conn)
        for where in FILTERS:
            for pair in zip(days(), days()[2:], strict=False):
                expected = picture_reads._usable(conn, list(pair), None, where, known)
                found = streamed.usable_slots(conn, list(pair), where, known)
                assert sorted(i for _, ids in found for i in ids) == expected, (pair, where)


def test_an_export_that_fails_half_way_leaves_no_file(
    world: tuple[Tracker, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracker, _ = world
    url = tracker.store.engine.url.render_as_string(hide_password=False)
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "picture.csv"
    written = []

    def failing(slots: Any, occurrences: Iterable[Any]) -> Any:
        for n, row in enumerate(picture_rows(slots, occurrences)):
            if n == 5:
                raise OSError(28, "No space left on device")
            written.append(row)
            yield row

    monkeypatch.setattr("tracker.cli.export.picture_rows", failing)
    result = CliRunner().invoke(
        cli, ["--db", url, "export", "picture", "--as-of", "2024-09", "--out", str(target)]
    )
    assert result.exit_code == 1, result.output
    assert len(written) == 5
    assert "cannot write: the disk is full" in result.stderr
    assert list(folder.iterdir()) == []


def test_the_streamed_picture_is_the_same_when_the_database_is_asked_for_code_point_order(
    world: tuple[Tracker, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL with a collation of its language's rules orders the slots `COLLATE "C"`
    (this test's database sorts by code point already: pretend it does not)."""
    tracker, _ = world
    written = []
    for asked in (False, True):
        if asked:
            monkeypatch.setattr(slot_page, "_CODE_POINT_ORDER", set())
        with tracker.picture_streamed("2024-09", None) as stream:
            written.append(as_csv(CSV_COLUMNS, picture_rows(stream.slots, stream.occurrences)))
    assert written[0] == written[1]
    assert written[0].count("\nslot,") > 3
