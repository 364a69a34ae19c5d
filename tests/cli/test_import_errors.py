"""What `import` says about a file's rows (SPEC §6 rule 6, §9): every error of a rejected
row, one line each in the order of its columns, and every warning as a `warning:` line."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tracker.cli import cli

Run = Callable[..., Result]

DATE_FORMS = (
    "accepted forms: YYYY-MM-DD, YYYY-MM, YYYY, with ~ or ? after it (2024-05~), "
    "[YYYY-MM..YYYY-MM], START/END, START/.., ../END"
)
SUGGESTED = "did you mean diplomacy.visit, diplomacy.meeting, diplomacy.pledge?"


@pytest.fixture
def run(db_url: str, frozen: object) -> Run:
    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--db", db_url, *args], catch_exceptions=False)

    return invoke


def test_a_csv_row_lists_every_bad_cell_in_the_order_of_the_header(
    run: Run, tmp_path: Path
) -> None:
    feed = tmp_path / "multi.csv"
    feed.write_text(
        "id,type,date,subject,summary,source,reliability,credibility\n"
        "m:1,diplomacy.vist,2024-7,,,,G,9\n"
        "m:2,diplomacy.visit,2024-07,Haftar,A visit.,Wire,,\n",
        encoding="utf-8",
    )
    result = run("import", str(feed))
    assert (result.exit_code, result.stderr.splitlines()) == (
        1,
        [
            f"{feed}:2: type: unknown type 'diplomacy.vist'; {SUGGESTED}",
            f"{feed}:2: date: invalid date '2024-7'; {DATE_FORMS}",
            f"{feed}:2: subject: subject is required",
            f"{feed}:2: summary: summary is required",
            f"{feed}:2: source: source is required (no claim without provenance)",
            f"{feed}:2: reliability: reliability 'G' is not a grade A-F",
            f"{feed}:2: credibility: credibility '9' is not a grade 1-6",
            f"{feed}: 0 new, 0 corrected, 0 unchanged, 0 retracted, 1 rejected "
            "(file rejected: nothing appended)",
            "Error: rows were invalid; the files named above appended nothing",
        ],
    )
    assert run("info", "--format", "json").exit_code == 0
    assert json.loads(run("info", "--format", "json").stdout)["claims"] == 0


def test_a_row_without_summary_and_source_lists_both(run: Run, tmp_path: Path) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text(
        "id,type,date,subject,summary,source\nb:7,diplomacy.visit,2024-07,Haftar,,\n",
        encoding="utf-8",
    )
    assert run("import", str(feed)).stderr.splitlines()[:2] == [
        f"{feed}:2: summary: summary is required",
        f"{feed}:2: source: source is required (no claim without provenance)",
    ]


def test_a_json_line_lists_every_bad_key_in_the_order_of_its_keys(run: Run, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        '{"credibility": 9, "id": "j:1", "date": "2024-7", "type": "diplomacy.vist",'
        ' "subject": "Haftar", "attribute": "troops", "value": "2.5k", "source": "Wire"}\n',
        encoding="utf-8",
    )
    lines = run("import", str(feed)).stderr.splitlines()
    assert [line.split(": ")[1] for line in lines[:-2]] == [
        "credibility",
        "date",
        "type",
        "value",  # the value's grammar is checked too
        "summary",  # no such key: after the row's own
    ]
    assert lines[-2].endswith(
        "0 new, 0 corrected, 0 unchanged, 0 retracted, 1 rejected (file rejected: nothing appended)"
    )


def test_an_article_claim_lists_every_bad_key_at_its_own_line(run: Run, tmp_path: Path) -> None:
    article = tmp_path / "bad.toml"
    article.write_text(
        '[source]\nname = "Agency X"\nreliability = "B"\n\n'
        '[[claim]]\nid = "ax:1"\ntype = "diplomacy.visit"\ndate = "2025-03"\n'
        'subject = "Haftar"\nsummary = "ok"\n\n'
        '[[claim]]\nid = "ax:2"\ntype = "diplomacy.vist"\ndate = "2025-3"\n'
        'subject = "Haftar"\nsummary = "bad"\n',
        encoding="utf-8",
    )
    assert run("import", str(article)).stderr.splitlines()[:3] == [
        f"{article}:14: type: unknown type 'diplomacy.vist'; {SUGGESTED}",
        f"{article}:15: date: invalid date '2025-3'; {DATE_FORMS}",
        f"{article}: 0 new, 0 corrected, 0 unchanged, 0 retracted, 1 rejected "
        "(file rejected: nothing appended)",
    ]


def test_a_row_with_several_errors_is_one_row_of_the_rejects_file_with_each_error(
    run: Run, tmp_path: Path
) -> None:
    feed, rejects = tmp_path / "feed.csv", tmp_path / "rejects.csv"
    feed.write_text(
        "id,type,date,subject,summary,source\n"
        "a,diplomacy.visit,2024-07,Haftar,A visit.,Wire\n"
        "b,diplomacy.vist,2024-7,Haftar,A visit.,Wire\n"
        "c,diplomacy.visit,2024-08,Haftar,,Wire\n",
        encoding="utf-8",
    )
    result = run("import", str(feed), "--skip-invalid", "--rejects", str(rejects))
    assert result.exit_code == 3
    assert result.stderr.splitlines()[-1] == (
        f"{feed}: 1 new, 0 corrected, 0 unchanged, 0 retracted, 2 rejected"
    )
    kept = list(csv.DictReader(io.StringIO(rejects.read_text(encoding="utf-8"))))
    assert [(r["id"], r["error"].splitlines()) for r in kept] == [
        (
            "b",
            [
                f"{feed}:3: type: unknown type 'diplomacy.vist'; {SUGGESTED}",
                f"{feed}:3: date: invalid date '2024-7'; {DATE_FORMS}",
            ],
        ),
        ("c", [f"{feed}:4: summary: summary is required"]),
    ]


def test_an_observation_type_without_attribute_lists_the_refused_value_too(
    run: Run, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text(
        "id,type,date,subject,summary,source,value,attribute\n"
        "v:1,diplomacy.visit,2024-07,Haftar,A visit.,Wire,2.5k,troops\n",
        encoding="utf-8",
    )
    lines = run("import", str(feed)).stderr.splitlines()
    assert [line.split(": ")[1] for line in lines[:-2]] == ["value", "attribute"]


def test_every_warning_of_an_import_is_a_warning_line_and_stays_structured_in_json(
    run: Run, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text(
        "id,type,date,subject,summary,source,reliability\n"
        "w:1,diplomacy.visit,2024-07,Haftar,A visit.,Wire,B\n"
        "w:2,diplomacy.visit,2024-07,haftar,The visit again.,wire,D\n",
        encoding="utf-8",
    )
    retract = tmp_path / "retract.csv"
    retract.write_text("op,id\nretract,w:9\n", encoding="utf-8")
    result = run("import", str(feed), str(retract))
    assert (result.exit_code, result.stderr.splitlines()) == (
        0,
        [
            f"warning: {feed}:3: reliability: Wire is graded B; the grade D given here changes "
            'nothing (to re-grade: tracker grade "Wire" D --reason TEXT)',
            f"warning: {feed}:3: id: claim w:2 repeats w:1 (same type, subject, attribute, "
            "value, date and source under another id)",
            f"{feed}: 2 new, 0 corrected, 0 unchanged, 0 retracted, 0 rejected",
            f"warning: {retract}:2: id: claim 'w:9' is unknown; nothing to retract",
            f"{retract}: 0 new, 0 corrected, 0 unchanged, 0 retracted, 0 rejected",
        ],
    )
    again = run("import", "--format", "json", str(retract))
    assert json.loads(again.stdout)["warnings"] == [
        {"line": 2, "column": "id", "message": "claim 'w:9' is unknown; nothing to retract"}
    ]
    assert again.stderr == f"warning: {retract}:2: id: claim 'w:9' is unknown; nothing to retract\n"


def test_unknown_keys_are_listed_each_with_the_other_problems_of_their_row(
    run: Run, tmp_path: Path
) -> None:
    feed, article = tmp_path / "feed.jsonl", tmp_path / "article.toml"
    feed.write_text(
        '{"id": "u:1", "colour": "red", "type": "diplomacy.visit", "date": "2024-7",'
        ' "subject": "H", "summary": "s", "source": "E", "size": 3}\n',
        encoding="utf-8",
    )
    article.write_text(
        '[source]\nname = "A"\n\n[[claim]]\nid = "q:1"\ncolour = "red"\n'
        'type = "diplomacy.visit"\ndate = true\nsubject = "S"\nsummary = "s"\n',
        encoding="utf-8",
    )
    rejects = tmp_path / "rejects.csv"
    result = run("import", str(feed), str(article), "--skip-invalid", "--rejects", str(rejects))
    assert result.stderr.splitlines() == [
        f"{feed}:1: colour: unknown key",
        f"{feed}:1: date: invalid date '2024-7'; {DATE_FORMS}",
        f"{feed}:1: size: unknown key",
        f"{feed}: 0 new, 0 corrected, 0 unchanged, 0 retracted, 1 rejected",
        f"{article}:6: colour: unknown key",
        f"{article}:8: date: a true/false value is not a claim field",
        f"{article}: 0 new, 0 corrected, 0 unchanged, 0 retracted, 1 rejected",
    ]
    kept = list(csv.DictReader(io.StringIO(rejects.read_text(encoding="utf-8"))))
    assert [(r["id"], len(r["error"].splitlines())) for r in kept] == [("u:1", 3), ("q:1", 2)]
