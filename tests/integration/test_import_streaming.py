"""Import in batches (issue 6): the SPEC §6 rules hold across batch boundaries, and a file
that appends nothing leaves the log untouched though earlier batches were appended."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

import pytest

from tracker.adapters.writer import Writer
from tracker.db import open_store
from tracker.services import FileSummary, Tracker, utc_now

ROOT = Path(__file__).resolve().parents[2]
HEADER = "id,op,type,date,subject,summary,source,quote,reason\n"


def row(claim_id: str, summary: str = "Visit.", date: str = "2025-02") -> str:
    return f"{claim_id},,diplomacy.visit,{date},Haftar,{summary},NYP,q,\n"


def write(path: Path, *rows: str) -> str:
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return str(path)


def picture(summary: FileSummary) -> tuple[Any, ...]:
    return (
        summary.counts,
        [(e.line, e.column, e.message) for e in summary.errors],
        [(w.line, w.column, w.message) for w in summary.warnings],
        summary.written,
    )


def claim_ids(tracker: Tracker) -> list[str]:
    return [
        e.payload["claim"]["id"]
        for e in tracker.store.entries()
        if e.kind in ("claim.asserted", "claim.corrected")
    ]


@pytest.fixture
def appends(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many events each Writer.append call was given, rolled back or not."""
    sizes: list[int] = []
    append = Writer.append

    def counted(self: Writer, events: Any) -> Any:
        if events:
            sizes.append(len(events))
        return append(self, events)

    monkeypatch.setattr(Writer, "append", counted)
    return sizes


def test_rule_5_rejects_an_id_whose_rows_are_in_different_batches(
    tracker: Tracker, tmp_path: Path, appends: list[int]
) -> None:
    feed = write(tmp_path / "a.csv", row("a"), row("b"), row("c"), row("d"), row("a", "Other."))
    summary = tracker.import_file(Path(feed), skip_invalid=True, batch=2)
    message = "id 'a' appears on lines 2, 6 with different content"
    assert [(e.line, e.column, e.message) for e in summary.errors] == [
        (2, "id", message),
        (6, "id", message),
    ]
    assert summary.counts == {
        "new": 3,
        "corrected": 0,
        "unchanged": 0,
        "retracted": 0,
        "rejected": 2,
    }
    assert claim_ids(tracker) == ["b", "c", "d"]
    assert tracker.verify() == 4  # three claims, the import record
    assert len(appends) > 2  # the first pass had appended `a` before it met line 6


def test_a_later_batch_repeating_a_row_counts_it_unchanged(
    tracker: Tracker, tmp_path: Path
) -> None:
    feed = write(tmp_path / "a.csv", row("a"), row("b"), row("c"), row("a"))
    summary = tracker.import_file(Path(feed), batch=2)
    assert (summary.counts["new"], summary.counts["unchanged"]) == (3, 1)
    assert claim_ids(tracker) == ["a", "b", "c"]


def test_a_retraction_repeated_in_a_later_batch_is_one_retraction_and_no_warning(
    tracker: Tracker, tmp_path: Path
) -> None:
    tracker.import_file(Path(write(tmp_path / "a.csv", row("a"))))
    retract = "a,retract,,,,,,,gone\n"
    feed = write(tmp_path / "r.csv", retract, row("b"), row("c"), retract)
    summary = tracker.import_file(Path(feed), batch=2)
    assert (summary.counts["retracted"], summary.counts["unchanged"]) == (1, 1)
    # c repeats b (the rows differ only by id); a, retracted first, is repeated by no one.
    assert [(w.line, w.message) for w in summary.warnings] == [
        (
            4,
            "claim c repeats b (same type, subject, attribute, value, date and source "
            "under another id)",
        )
    ]


def test_an_invalid_row_in_a_late_batch_rolls_back_the_batches_appended_before_it(
    tracker: Tracker, tmp_path: Path, appends: list[int]
) -> None:
    tracker.import_file(Path(write(tmp_path / "first.csv", row("z"))))
    head = tracker.store.head()
    rows = [row(f"c{n}") for n in range(7)] + [row("bad", date="2025-13")]
    summary = tracker.import_file(Path(write(tmp_path / "a.csv", *rows)), batch=3)
    assert appends[2:] == [3, 3, 1]  # the claims of three batches, all rolled back
    assert not summary.written
    assert summary.counts == {
        "new": 0,
        "corrected": 0,
        "unchanged": 0,
        "retracted": 0,
        "rejected": 1,
    }
    assert [(e.line, e.column) for e in summary.errors] == [(9, "date")]
    assert tracker.store.head() == head
    assert tracker.verify() == head.position


def test_a_conflict_across_batches_rejects_the_whole_file_by_default(
    tracker: Tracker, tmp_path: Path
) -> None:
    feed = write(tmp_path / "a.csv", row("a"), row("b"), row("c"), row("a", date="2025-03"))
    summary = tracker.import_file(Path(feed), batch=2)
    assert (summary.counts["rejected"], summary.written) == (2, False)
    assert tracker.store.head().position == 0


def test_a_dry_run_in_batches_counts_like_an_import_and_appends_nothing(
    tracker: Tracker, seed_file: Path
) -> None:
    dry = tracker.import_file(seed_file, dry_run=True, batch=4)
    assert tracker.store.head().position == 0
    real = tracker.import_file(seed_file, batch=4)
    assert dry.counts == real.counts and dry.counts["new"] == 15
    assert (dry.written, real.written) == (False, True)


def test_skip_invalid_across_batches_keeps_the_valid_rows_and_lists_the_rest_by_line(
    tracker: Tracker, tmp_path: Path
) -> None:
    rows = [
        row("a"),
        row("b", date="2025-13"),
        row("c"),
        "d,,diplomacy.visit,2025-02,Haftar\n",
        row("e"),
        row("f", date="nope"),
        row("g"),
    ]
    feed = Path(write(tmp_path / "a.csv", *rows))
    summary = tracker.import_file(feed, skip_invalid=True, batch=2)
    assert [(e.line, e.column) for e in summary.errors] == [(3, "date"), (5, "row"), (7, "date")]
    assert (summary.counts["new"], summary.counts["rejected"], summary.written) == (4, 3, True)
    assert claim_ids(tracker) == ["a", "c", "e", "g"]
    [last] = list(tracker.store.entries(after=tracker.store.head().position - 1))
    assert last.kind == "import.recorded"
    assert last.payload["sha256"] == hashlib.sha256(feed.read_bytes()).hexdigest()
    assert last.payload["counts"] == summary.counts
    again = tracker.import_file(feed, skip_invalid=True, batch=3)
    assert (again.counts["unchanged"], again.written) == (4, False)


def test_batches_give_the_counts_and_log_of_one_batch_on_the_bench_files(
    db_url: str, frozen: object, tmp_path: Path
) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from generate import generate  # type: ignore[import-not-found]
        from generate import write as write_rows
    finally:
        sys.path.remove(str(ROOT / "bench"))
    claims, changes = generate(400, 6)
    write_rows(tmp_path / "claims.csv", claims)
    write_rows(tmp_path / "changes.csv", changes)
    files = [tmp_path / "claims.csv", tmp_path / "changes.csv"]

    def run(url: str, batch: int) -> tuple[list[tuple[Any, ...]], list[Any]]:
        tracker = Tracker(open_store(url, utc_now), utc_now)
        summaries = [
            picture(tracker.import_file(f, skip_invalid=True, batch=batch))
            for f in [*files, *files]
        ]
        log = [(e.kind, e.payload) for e in tracker.store.entries()]
        return summaries, log

    one = run(db_url, 10**6)
    batched = run(f"sqlite:///{tmp_path / 'batched.db'}", 7)
    assert batched == one
    assert one[0][0][0]["new"] == 400 and one[0][1][0]["corrected"] > 0


@pytest.mark.parametrize(
    ("content", "byte"),
    [
        (b"id\n" + b"a" * 9 + b"\xe2\x82", 12),  # a character cut by the end of the file
        (b"id\n" + b"a" * 5 + b"\xe2\x82\xac" + b"\xff", 11),  # one after a character split
        (b"\xef\xbb\xbfid\n\xc3", 6),  # the byte in the file, the BOM counted
    ],
)
def test_bytes_that_are_not_utf8_are_named_by_their_offset_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes, byte: int
) -> None:
    from tracker.adapters import importfiles as files
    from tracker.domain.errors import TrackerError

    monkeypatch.setattr(files, "_CHUNK", 4)
    feed = tmp_path / "bad.csv"
    feed.write_bytes(content)
    with pytest.raises(TrackerError, match=rf"bad\.csv: not UTF-8 text \(byte {byte}\)$"):
        files.open_import_file(feed)


def test_the_first_pass_hashes_the_whole_file_and_counts_its_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.adapters import importfiles as files

    monkeypatch.setattr(files, "_CHUNK", 5)
    feed = tmp_path / "a.jsonl"
    # Line breaks other than "\n" do not end a JSON line: U+2028 and U+0085 inside a string.
    data = '{"id": "a", "summary": "caf\u00e9\\n\u2028x\x85"}\n\n{"id": "b"}\r\n'.encode()
    feed.write_bytes(data)
    checked = files.open_import_file(feed)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert checked.lines == 4
    from tracker.domain.rows import Row

    rows = list(checked.rows())
    assert [(r.line, r.fields) for r in rows if isinstance(r, Row)] == [
        (1, {"id": "a", "summary": "caf\u00e9\n\u2028x\x85"}),
        (3, {"id": "b"}),
    ]
    assert len(rows) == 2


def test_the_progress_is_told_the_lines_reached_batch_after_batch(
    tracker: Tracker, tmp_path: Path
) -> None:
    from collections.abc import Callable, Iterator
    from contextlib import contextmanager

    seen: list[tuple[str, int]] = []

    @contextmanager
    def progress(path: Path, lines: int) -> Iterator[Callable[[int], None]]:
        seen.append(("lines", lines))
        yield lambda line: seen.append(("at", line))

    feed = write(tmp_path / "a.csv", *(row(f"c{n}") for n in range(5)))
    tracker.import_paths([feed], progress=progress)
    tracker.import_file(Path(feed), progress=progress, batch=2)
    assert seen == [("lines", 7), ("at", 7), ("lines", 7), ("at", 3), ("at", 5), ("at", 7)]


@pytest.mark.parametrize("valid", [True, False], ids=["imported", "rejected"])
def test_an_import_collects_cycles_less_often_and_restores_the_thresholds_after(
    tracker: Tracker, tmp_path: Path, valid: bool
) -> None:
    import gc
    from collections.abc import Callable, Iterator
    from contextlib import contextmanager

    from tracker.heap import BULK_GC_THRESHOLD

    during: list[tuple[int, ...]] = []

    @contextmanager
    def progress(path: Path, lines: int) -> Iterator[Callable[[int], None]]:
        during.append(gc.get_threshold())
        yield lambda line: None

    before = gc.get_threshold()
    assert before != BULK_GC_THRESHOLD
    feed = write(tmp_path / "a.csv", row("c1"), row("c2", date="2025-02" if valid else "soon"))
    summary = tracker.import_file(Path(feed), progress=progress)
    assert summary.written is valid
    assert during == [BULK_GC_THRESHOLD]
    assert gc.get_threshold() == before
