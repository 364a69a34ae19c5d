"""SPEC §6: one test per re-import rule, and S8 in full, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.services import Tracker

HEADER = "id,type,date,subject,summary,source,quote\n"


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def kinds_after(tracker: Tracker, position: int) -> list[str]:
    return [e.kind for e in tracker.store.entries(after=position)]


def test_rule_1_same_id_same_content_appends_nothing(tracker: Tracker, tmp_path: Path) -> None:
    feed = write(tmp_path / "a.csv", HEADER + "a,diplomacy.visit,2025-02,Haftar,Visit.,NYP,q\n")
    tracker.import_paths([feed])
    head = tracker.store.head()
    [summary] = tracker.import_paths([feed])
    assert summary.counts["unchanged"] == 1 and tracker.store.head() == head


def test_rule_1_whitespace_and_case_of_headers_do_not_count_as_change(
    tracker: Tracker, tmp_path: Path
) -> None:
    tracker.import_paths(
        [write(tmp_path / "a.csv", HEADER + "a,diplomacy.visit,2025-02,Haftar,Visit.,NYP,q\n")]
    )
    again = write(
        tmp_path / "b.csv",
        "ID, Type ,DATE,subject,summary,source,quote\n"
        "a,diplomacy.visit, 2025-02 ,Haftar ,Visit.,  NYP,q\n",
    )
    [summary] = tracker.import_paths([again])
    assert summary.counts["unchanged"] == 1 and not summary.written


def test_rule_2_same_id_changed_content_is_one_correction(tracker: Tracker, tmp_path: Path) -> None:
    tracker.import_paths(
        [write(tmp_path / "a.csv", HEADER + "a,diplomacy.visit,2025-02,Haftar,Visit.,NYP,q\n")]
    )
    head = tracker.store.head().position
    [summary] = tracker.import_paths(
        [
            write(
                tmp_path / "a.csv",
                HEADER + "a,diplomacy.visit,2025-02,Haftar,Visit.,NYP,new quote\n",
            )
        ]
    )
    assert summary.counts["corrected"] == 1
    assert kinds_after(tracker, head) == ["claim.corrected", "import.recorded"]


def test_rule_3_retract_of_an_active_claim_then_of_a_retracted_one(
    tracker: Tracker, tmp_path: Path
) -> None:
    tracker.import_paths(
        [write(tmp_path / "a.csv", HEADER + "a,diplomacy.visit,2025-02,Haftar,Visit.,NYP,q\n")]
    )
    retract = write(tmp_path / "r.csv", "id,op,reason\na,retract,denied\nzzz,retract,typo\n")
    [first] = tracker.import_paths([retract])
    assert first.counts["retracted"] == 1
    assert [w.line for w in first.warnings] == [3]
    head = tracker.store.head()
    [second] = tracker.import_paths([retract])
    assert second.counts["retracted"] == 0 and len(second.warnings) == 2
    assert tracker.store.head() == head


def test_rule_4_rows_without_id_get_the_same_derived_id(tracker: Tracker, tmp_path: Path) -> None:
    text = "type,date,subject,summary,source\ndiplomacy.visit,2025-02,Haftar,Visit.,NYP\n"
    tracker.import_paths([write(tmp_path / "a.csv", text)])
    [summary] = tracker.import_paths([write(tmp_path / "b.csv", text)])
    assert summary.counts == {
        "new": 0,
        "corrected": 0,
        "unchanged": 1,
        "retracted": 0,
        "rejected": 0,
    }


def test_rule_5_one_id_twice_with_different_content_rejects_both(
    tracker: Tracker, tmp_path: Path
) -> None:
    feed = write(
        tmp_path / "a.csv",
        HEADER + "a,diplomacy.visit,2025-02,Haftar,Visit.,NYP,q\n"
        "b,diplomacy.visit,2025-02,Haftar,Other.,NYP,q\n"
        "a,diplomacy.visit,2025-03,Haftar,Visit.,NYP,q\n",
    )
    [summary] = tracker.import_paths([feed], skip_invalid=True)
    assert [(e.line, e.column) for e in summary.errors] == [(2, "id"), (4, "id")]
    assert summary.counts["new"] == 1 and summary.counts["rejected"] == 2


def test_rule_6_an_invalid_row_rejects_the_file_unless_skipping(
    tracker: Tracker, tmp_path: Path
) -> None:
    feed = write(
        tmp_path / "a.csv",
        HEADER + "a,diplomacy.visit,2025-02,Haftar,Visit.,NYP,q\n"
        "b,diplomacy.visit,2025-13,Haftar,Visit.,NYP,q\n",
    )
    [strict] = tracker.import_paths([feed])
    assert not strict.written and tracker.store.head().position == 0
    [skipping] = tracker.import_paths([feed], skip_invalid=True)
    assert skipping.written and skipping.counts["new"] == 1
    assert [(e.line, e.column) for e in skipping.errors] == [(3, "date")]


def test_dry_run_counts_and_appends_nothing(tracker: Tracker, seed_file: Path) -> None:
    [summary] = tracker.import_paths([str(seed_file)], dry_run=True)
    assert summary.counts["new"] == 15 and not summary.written
    assert tracker.store.head().position == 0


def test_an_import_that_changed_the_log_is_recorded_with_its_sha256(
    tracker: Tracker, seed_file: Path
) -> None:
    import hashlib

    tracker.import_paths([str(seed_file)])
    [last] = list(tracker.store.entries(after=15))
    assert last.kind == "import.recorded"
    assert last.payload["name"] == seed_file.name
    assert last.payload["sha256"] == hashlib.sha256(seed_file.read_bytes()).hexdigest()
    assert last.payload["counts"]["new"] == 15


def test_json_lines_import_like_csv(tracker: Tracker, tmp_path: Path) -> None:
    lines = [
        {
            "id": "j1",
            "type": "military.force_level",
            "date": "2024-02",
            "subject": "Russia",
            "attribute": "troops_in_libya",
            "value": 800,
            "summary": "800.",
            "source": "NYP",
        },
        {
            "id": "j2",
            "type": "diplomacy.visit",
            "date": "2025-02",
            "subject": "Haftar",
            "summary": "Visit.",
            "source": "NYP",
        },
    ]
    feed = write(tmp_path / "a.jsonl", "\n".join(json.dumps(line) for line in lines) + "\n")
    [summary] = tracker.import_paths([feed])
    assert summary.counts["new"] == 2
    assert tracker.knowledge(tracker.cut(None)).claims["j1"].claim.value == "800"


def test_a_folder_imports_its_files_in_name_order(tracker: Tracker, tmp_path: Path) -> None:
    write(tmp_path / "b.csv", HEADER + "b,diplomacy.visit,2025-02,Haftar,B.,NYP,q\n")
    write(
        tmp_path / "a.jsonl",
        json.dumps(
            {
                "id": "a",
                "type": "diplomacy.visit",
                "date": "2025-02",
                "subject": "Haftar",
                "summary": "A.",
                "source": "NYP",
            }
        )
        + "\n",
    )
    write(tmp_path / "notes.txt", "ignored")
    summaries = tracker.import_paths([str(tmp_path)])
    assert [s.path.name for s in summaries] == ["a.jsonl", "b.csv"]


@pytest.mark.parametrize("content", [b"\xff\xfe not utf-8", b"id,type\x00\n"])
def test_an_unreadable_file_is_refused_with_a_clear_reason_and_the_next_is_read(
    tracker: Tracker, tmp_path: Path, content: bytes
) -> None:
    """Issue 12 item 2: each file stands alone."""
    (tmp_path / "bad.csv").write_bytes(content)
    (tmp_path / "good.csv").write_text(
        "type,date,subject,summary,source\ndiplomacy.visit,2025,S,x,W\n", encoding="utf-8"
    )
    bad, good = tracker.import_paths([str(tmp_path)])
    assert bad.refused is not None and bad.refused.startswith(f"{tmp_path / 'bad.csv'}: ")
    assert (bad.written, good.refused, good.written, good.counts["new"]) == (False, None, True, 1)


def test_s8_in_full(tracker: Tracker, seed_file: Path, tmp_path: Path) -> None:
    first = tracker.import_paths([str(seed_file)])[0]
    assert first.counts["new"] == 15 and tracker.verify() == 16
    second = tracker.import_paths([str(seed_file)])[0]
    assert (second.counts["new"], second.counts["corrected"], second.counts["unchanged"]) == (
        0,
        0,
        15,
    )
    assert tracker.verify() == 16
    edited = tmp_path / seed_file.name
    text = seed_file.read_text(encoding="utf-8")
    changed = text.replace(",President Alexander Lukashenko,,F,", ",Alexander Lukashenko,,F,")
    assert changed != text
    edited.write_text(changed, encoding="utf-8")
    third = tracker.import_paths([str(edited)])[0]
    assert (third.counts["corrected"], third.counts["unchanged"]) == (1, 14)
    assert kinds_after(tracker, 16) == ["claim.corrected", "import.recorded"]
    assert tracker.verify() == 18


def test_a_rank_column_ranks_claims(tracker: Tracker, tmp_path: Path) -> None:
    feed = write(
        tmp_path / "a.csv",
        "id,type,date,subject,summary,source,rank\n"
        "a,diplomacy.visit,2025-02,Haftar,Visit.,NYP,deprecated\n",
    )
    [summary] = tracker.import_paths([feed])
    assert summary.counts["new"] == 1
    assert tracker.knowledge(tracker.cut(None)).claims["a"].rank == "deprecated"
    assert not tracker.import_paths([feed])[0].written


def test_a_writer_reads_claims_through_the_index_exactly_as_the_full_fold(
    tracker: Tracker, seed_file: Path
) -> None:
    tracker.import_paths([str(seed_file)])
    tracker.correct("nyp-2025-02:gnu-mandate", "typo", {"value": "lapsed"})
    tracker.rank("nyp-2025-02:russia-troops-2024-05", "preferred", "two sources")
    tracker.retract("nyp-2025-02:wilson-role", "not in the article")
    full = tracker.knowledge(tracker.cut(None))
    wanted = {
        "nyp-2025-02:gnu-mandate",
        "nyp-2025-02:russia-troops-2024-05",
        "nyp-2025-02:wilson-role",
        "nyp-2025-02:haftar-role",
        "unknown-id",
    }
    with tracker.store.writing() as writer:
        part = writer.knowledge_of(wanted)
    assert part.claims == {k: v for k, v in full.claims.items() if k in wanted}
    assert part.sources == full.sources
