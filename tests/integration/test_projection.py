"""The `claims` projection equals the full fold of the log, and readers get the same answers
from it as from the fold, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from tracker.adapters import projection
from tracker.adapters.store import Store
from tracker.adapters.tables import claims
from tracker.cli import cli
from tracker.domain.building import claim_fields
from tracker.domain.diff import compare
from tracker.domain.fold import ClaimState, fold
from tracker.domain.picture import build_picture
from tracker.domain.rows import COLUMNS
from tracker.services import Tracker

SUBJECTS = ("Russia", "russia ", "Wagner", "Haftar", "GNU")
ATTRIBUTES = ("troops_in_libya", "bases", None)
DATES = (
    "2024",
    "2024-02",
    "2024-03",
    "2024-05~",
    "2024-05-10",
    "2024-02-20",
    "2024-02/2024-06",
    "2024-01/2024-03",
    "2023-12/2024-02-15",
    "[2024-02..2024-04]",
    "../2024-04",
    "2023/..",
)
TYPES = ("military.force_level", "diplomacy.visit")


def projected_states(store: Store) -> dict[str, ClaimState]:
    with store.engine.connect() as conn:
        return {s.claim.id: s for s in projection.states(conn)}


def folded_states(store: Store) -> dict[str, ClaimState]:
    return fold(store.entries()).claims


def projection_position(store: Store) -> int:
    with store.engine.connect() as conn:
        return projection.position(conn)


def random_fields(rng: random.Random, n: int) -> dict[str, str | None]:
    attribute = rng.choice(ATTRIBUTES)
    return {
        "id": f"t:{n}",
        "type": TYPES[0] if attribute else TYPES[1],
        "date": rng.choice(DATES),
        "subject": rng.choice(SUBJECTS),
        "attribute": attribute,
        "value": str(rng.choice((800, 1800, 2000))) if attribute else None,
        "summary": f"claim {n}",
        "source": rng.choice(("New York Parrot", "Example Monitor")),
        "reliability": rng.choice(("C", "F")),
    }


def random_history(tracker: Tracker, rng: random.Random, steps: int) -> None:
    """Adds, corrections, retractions, reinstatements, rankings and grades in a random order,
    through the service."""
    ids: list[str] = []
    for n in range(steps):
        action = rng.random()
        if not ids or action < 0.5:
            ids.append(tracker.add(random_fields(rng, n)).claim_id)
            continue
        if action > 0.95:
            source = rng.choice(("new york parrot", "Example Monitor"))
            if any(r.source.casefold() == source.casefold() for r in tracker.sources()):
                tracker.grade(source, rng.choice("ABF"), "judged")
            continue
        target = rng.choice(ids)
        state = folded_states(tracker.store).get(target)
        if state is not None and state.retracted and action > 0.9:
            tracker.reinstate(target, "confirmed after all")
            continue
        if state is None or state.retracted:
            continue
        if action < 0.7:
            changed = random_fields(rng, n)
            fields = {"date": changed["date"], "summary": f"corrected {n}"}
            if state.claim.attribute is not None:
                fields["value"] = changed["value"] or "1"
            tracker.correct(target, "fix", fields)
        elif action < 0.85:
            rank = rng.choice(("preferred", "normal", "deprecated"))
            if rank != state.rank:
                tracker.rank(target, rank, "judged")
        else:
            tracker.retract(target, "withdrawn")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_projection_equals_the_fold_after_every_kind_of_write(
    tracker: Tracker, seed: int
) -> None:
    random_history(tracker, random.Random(seed), 40)
    store = tracker.store
    assert projected_states(store) == folded_states(store)
    assert projection_position(store) == store.head().position


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_show_and_diff_from_the_projection_equal_those_of_the_full_fold(
    tracker: Tracker, seed: int
) -> None:
    random_history(tracker, random.Random(seed), 60)
    knowledge = fold(tracker.store.entries())
    day = date(2023, 11, 1)
    while day < date(2024, 8, 1):
        picture, cut = tracker.show(day.isoformat(), None)
        assert cut.position == tracker.store.head().position
        assert picture == build_picture(knowledge, day)
        for subject in ("RUSSIA", "Haftar"):
            shown, _ = tracker.show(day.isoformat(), None, subject, show_all=True)
            assert shown == build_picture(knowledge, day, subject, show_all=True)
        day += timedelta(days=9)
    for start, end in (("2024-01-01", "2024-06-01"), ("2023-06", "2024-03-15")):
        a, b = date.fromisoformat(start[:7] + "-01"), date.fromisoformat(end[:7] + "-01")
        diff = tracker.diff(a.isoformat(), b.isoformat())
        after = build_picture(knowledge, b)
        assert diff.changes == compare(build_picture(knowledge, a), after)
        assert diff.changes  # the random history changes some slot between these dates
        began = [
            o for o in after.occurrences if knowledge.claims[o.claim].claim.valid.start.earliest > a
        ]
        assert diff.occurrences == began
        assert diff.occurrences  # and lists some occurrence that began between them
    assert tracker.store.projected(0) is None  # not at position 0: the fold is used there


def test_a_reader_does_not_use_a_projection_that_is_behind_the_log(
    tracker: Tracker, seed_file: Path
) -> None:
    tracker.import_paths([str(seed_file)])
    before, _ = tracker.show("2025-02", None)
    with tracker.store.engine.begin() as conn:
        conn.execute(text("DELETE FROM claims"))
        conn.execute(text("UPDATE projection SET position = 0"))
    head = tracker.store.head().position
    assert tracker.store.projected(head) is None
    assert tracker.show("2025-02", None)[0] == before  # folded from the log instead


def test_a_writer_catches_a_stale_projection_up_before_appending(
    tracker: Tracker, seed_file: Path
) -> None:
    tracker.import_paths([str(seed_file)])
    with tracker.store.engine.begin() as conn:
        conn.execute(text("DELETE FROM claims"))
        conn.execute(text("UPDATE projection SET position = 0"))
    tracker.add(random_fields(random.Random(9), 1))
    assert projected_states(tracker.store) == folded_states(tracker.store)
    assert projection_position(tracker.store) == tracker.store.head().position


def test_a_rolled_back_write_leaves_the_projection_as_it_was(
    tracker: Tracker, seed_file: Path, tmp_path: Path
) -> None:
    tracker.import_paths([str(seed_file)])
    before = projected_states(tracker.store)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,type,date,subject,summary,source\n"
        "x:1,diplomacy.visit,2024,Russia,a valid row,Src\n"
        "x:2,no.such.type,2024,Russia,an invalid row,Src\n",
        encoding="utf-8",
    )
    [summary] = tracker.import_paths([str(bad)])
    assert summary.errors and not summary.written
    assert projected_states(tracker.store) == before
    assert projection_position(tracker.store) == tracker.store.head().position


def test_db_rebuild_recreates_the_projection_from_the_log(
    db_url: str, seed_file: Path, frozen: object
) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db_url, "import", str(seed_file)]).exit_code == 0
    shown = runner.invoke(cli, ["--db", db_url, "show", "--as-of", "2025-02"]).stdout
    from tracker.db import make_engine

    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE claims SET value = 'tampered', retracted = true"))
    engine.dispose()
    tampered = runner.invoke(cli, ["--db", db_url, "show", "--as-of", "2025-02"]).stdout
    assert tampered != shown  # readers do trust the projection at the head
    caught = runner.invoke(cli, ["--db", db_url, "verify"])
    assert caught.exit_code == 1
    assert caught.stderr.startswith("Error: the log is intact but the claims projection does not")
    assert caught.stderr.rstrip().endswith("run `tracker db rebuild`")
    rebuilt = runner.invoke(cli, ["--db", db_url, "db", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert rebuilt.stdout.startswith("rebuilt the claims projection from the log: ")
    assert runner.invoke(cli, ["--db", db_url, "show", "--as-of", "2025-02"]).stdout == shown
    assert runner.invoke(cli, ["--db", db_url, "verify"]).exit_code == 0


def test_a_restored_log_has_its_projection(
    tracker: Tracker, seed_file: Path, tmp_path: Path
) -> None:
    from tracker.adapters.exports import log_lines
    from tracker.db import open_store
    from tracker.services import utc_now

    tracker.import_paths([str(seed_file)])
    random_history(tracker, random.Random(7), 15)
    backup = tmp_path / "log.jsonl"
    backup.write_text("".join(log_lines(tracker.store.entries())), encoding="utf-8")
    target = Tracker(open_store(f"sqlite:///{tmp_path / 'restored.db'}", utc_now), utc_now)
    target.restore(backup)
    assert projected_states(target.store) == folded_states(tracker.store)
    assert projection_position(target.store) == tracker.store.head().position


def test_upgrading_a_database_from_before_the_projection_fills_it(
    db_url: str, seed_file: Path
) -> None:
    from alembic import command

    from tracker.db import alembic_config, make_engine, open_store, upgrade
    from tracker.services import utc_now

    engine = make_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0002")
    engine.dispose()
    # Write events at revision 0002 the way that tracker did: rows in the log only.
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")
    old = Tracker(open_store(db_url, utc_now), utc_now)
    old.import_paths([str(seed_file)])
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0002")
    upgrade(engine)
    engine.dispose()
    store = open_store(db_url, utc_now)
    assert projection_position(store) == store.head().position > 0
    assert projected_states(store) == folded_states(store)


def test_a_pruned_read_keeps_what_the_value_before_a_possible_one_needs(tracker: Tracker) -> None:
    """On 2024-03-05 `2024-03` possibly holds; before it, `2024-02` and `2024-02-20` (neither
    later than the other) conflict. The month claim ends its window after the day claim, so
    the read must keep it although the March claim follows both."""
    for n, (day, value) in enumerate(
        (("2024-02-20", "900"), ("2024-03", "1000"), ("2024-02", "800"))
    ):
        fields = random_fields(random.Random(n), n)
        fields.update(date=day, attribute="troops_in_libya", value=value, subject="Russia")
        tracker.add(fields)
    picture, _ = tracker.show("2024-03-05", None)
    assert picture == build_picture(fold(tracker.store.entries()), date(2024, 3, 5))
    [slot] = picture.slots
    assert (slot.status, slot.claim) == ("possible", None)  # no single value before March


@pytest.mark.parametrize("damaged", ["", " WHERE attribute IS NULL"])
def test_a_projection_naming_an_unknown_source_is_a_clear_error(
    db_url: str, seed_file: Path, frozen: object, damaged: str
) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", db_url, "import", str(seed_file)]).exit_code == 0
    from tracker.db import make_engine

    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE claims SET source_id = 'src:damaged'" + damaged))
    engine.dispose()
    shown = runner.invoke(cli, ["--db", db_url, "show", "--as-of", "2025-02"])
    assert shown.exit_code == 1
    assert shown.stderr.startswith("Error: the claims projection names a source the log does not")
    assert runner.invoke(cli, ["--db", db_url, "db", "rebuild"]).exit_code == 0
    assert runner.invoke(cli, ["--db", db_url, "show", "--as-of", "2025-02"]).exit_code == 0


def claims_table(store: Store) -> list[tuple[object, ...]]:
    with store.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(claims).order_by(claims.c.id))]


@pytest.mark.parametrize("seed", [13, 14])
def test_db_rebuild_streams_the_log_in_batches_into_the_table_the_appends_built(
    tracker: Tracker, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    random_history(tracker, random.Random(seed), 60)
    built = claims_table(tracker.store)
    with tracker.store.engine.begin() as conn:
        some = conn.execute(select(claims).limit(1)).mappings().one()
        conn.execute(claims.insert().values({**some, "id": "not:in-the-log"}))
        conn.execute(text("DELETE FROM claims WHERE position % 3 = 0"))
        conn.execute(text("UPDATE claims SET value = 'stale', retracted = true"))
        conn.execute(text("UPDATE projection SET position = 0"))
    monkeypatch.setattr(projection, "_BATCH", 3)  # corrections land in later batches
    assert tracker.rebuild() == tracker.store.head().position
    assert claims_table(tracker.store) == built
    assert projected_states(tracker.store) == folded_states(tracker.store)
    assert projection_position(tracker.store) == tracker.store.head().position


def folded_rows(store: Store, include_retracted: bool) -> list[list[str | None]]:
    """`export claims` as it was before it streamed: a full fold, by position, through
    `claim_fields` with each claim's article as recorded, then the grades in force."""
    knowledge = fold(store.entries())
    rows = []
    for state in sorted(knowledge.claims.values(), key=lambda s: s.position):
        if state.retracted and not include_retracted:
            continue
        fields = claim_fields(state.claim, knowledge.sources[state.claim.source_id])
        fields["op"] = "retract" if state.retracted else None
        fields["rank"] = state.rank if state.rank != "normal" else None
        rows.append([fields.get(column) for column in COLUMNS])
    graded = sorted(
        (p for p in knowledge.publishers.values() if p.grade), key=lambda p: p.name.casefold()
    )
    for publisher in graded:
        cells = {"op": "grade", "source": publisher.name, "reliability": publisher.grade}
        rows.append([cells.get(column) for column in COLUMNS])
    return rows


def exported(tracker: Tracker, include_retracted: bool) -> list[list[str | None]]:
    with tracker.export_claims(include_retracted) as rows:
        return [list(row) for row in rows]


@pytest.mark.parametrize("seed", [10, 12])
def test_export_claims_streams_from_the_projection_the_rows_of_the_full_fold(
    tracker: Tracker, seed: int
) -> None:
    random_history(tracker, random.Random(seed), 60)
    for include_retracted in (False, True):
        assert exported(tracker, include_retracted) == folded_rows(tracker.store, include_retracted)
    everything = exported(tracker, True)
    assert {row[COLUMNS.index("op")] for row in everything} == {None, "retract", "grade"}
    assert {row[COLUMNS.index("rank")] for row in everything} == {None, "preferred", "deprecated"}
    assert len(everything) > len(exported(tracker, False))
    with tracker.store.engine.begin() as conn:
        conn.execute(text("UPDATE claims SET summary = 'read from the projection'"))
    rows = exported(tracker, True)
    summaries = {row[COLUMNS.index("summary")] for row in rows if row[1] != "grade"}
    assert summaries == {"read from the projection"}  # at the head, the log is not folded


def test_export_claims_from_a_projection_behind_the_log_is_folded_from_the_log(
    tracker: Tracker,
) -> None:
    random_history(tracker, random.Random(12), 60)
    expected = {flag: folded_rows(tracker.store, flag) for flag in (False, True)}
    with tracker.store.engine.begin() as conn:
        conn.execute(text("UPDATE claims SET summary = 'stale', retracted = false"))
        conn.execute(text("UPDATE projection SET position = position - 1"))
    for flag in (False, True):
        assert exported(tracker, flag) == expected[flag]


def test_writers_decide_from_the_log_so_a_damaged_projection_never_reaches_it(
    tracker: Tracker, seed_file: Path
) -> None:
    tracker.import_paths([str(seed_file)])
    head = tracker.store.head().position
    with tracker.store.engine.begin() as conn:
        conn.execute(text("DELETE FROM claims WHERE id IN (SELECT MIN(id) FROM claims)"))
    [again] = tracker.import_paths([str(seed_file)])
    assert again.counts["new"] == 0 and again.counts["unchanged"] == 15
    assert tracker.store.head().position == head  # nothing appended for the missing row
    assert "differs from the log" in (tracker.store.projection_mismatch() or "")


def test_show_and_diff_collect_cycles_less_often_and_restore_the_thresholds_after(
    tracker: Tracker, seed_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from tracker.heap import BULK_GC_THRESHOLD

    tracker.import_paths([str(seed_file)])
    during: list[tuple[int, ...]] = []
    read = tracker.store.pictured

    def pictured(*args: Any) -> Any:
        during.append(gc.get_threshold())
        return read(*args)

    monkeypatch.setattr(tracker.store, "pictured", pictured)
    before = gc.get_threshold()
    tracker.show("2025-02", None)
    tracker.diff("2024", "2025")
    assert during == [BULK_GC_THRESHOLD, BULK_GC_THRESHOLD]
    assert gc.get_threshold() == before != BULK_GC_THRESHOLD
