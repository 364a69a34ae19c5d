"""`tracker alias`, `unalias`, `distinct`, `subjects` and the identity hints: exact output,
one-line errors, exit codes (SPEC §9); the held-out style case on the events/ folder."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tracker.cli import cli

ROOT = Path(__file__).resolve().parents[2]
T5 = "2025-03-05T09:00:00Z"
T6 = "2025-03-06T09:00:00Z"

Run = Callable[..., Result]

VARIANT = [
    "add",
    "--type",
    "military.force_level",
    "--date",
    "2024-05",
    "--subject",
    "Russian Federation",
    "--attribute",
    "Troops in Libya",
    "--value",
    "2000",
    "--unit",
    "troops",
    "--summary",
    "About two thousand troops.",
    "--source",
    "Example Monitor",
]


@pytest.fixture
def run(tmp_path: Path, frozen: Any) -> Run:
    db = str(tmp_path / "cli.db")

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)

    return invoke


@pytest.fixture
def seeded(run: Run) -> Run:
    assert run("import", str(ROOT / "events")).exit_code == 0
    return run


def troops(run: Run, *options: str) -> list[dict[str, Any]]:
    shown = json.loads(run("show", "--as-of", "2024-06-01", "--format", "json", *options).stdout)
    return [s for s in shown["slots"] if s["attribute"] == "troops_in_libya"]


def test_held_out_variant_spelling_conflicts_once_aliased_and_not_before(
    seeded: Run, frozen: Any
) -> None:
    frozen.move_to(T5)
    added = seeded(*VARIANT)
    assert added.exit_code == 0
    assert added.stderr == (
        "warning: new subject 'Russian Federation' resembles 'Russia': small edit distance; "
        "if they are one: tracker alias 'Russian Federation' --as Russia --reason TEXT\n"
    )
    assert [(s["subject"], s["status"]) for s in troops(seeded)] == [
        ("Russia", "current"),
        ("Russian Federation", "current"),
    ]
    frozen.move_to(T6)
    aliased = seeded("alias", "Russian Federation", "--as", "Russia", "--reason", "same state")
    assert (aliased.exit_code, aliased.stdout) == (
        0,
        "Russian Federation aliased as Russia at log position 18\n",
    )
    [merged] = troops(seeded)
    assert (merged["subject"], merged["status"], merged["aliases"]) == (
        "Russia",
        "conflict",
        ["Russian Federation"],
    )
    assert sorted(c["value"] for c in merged["candidates"]) == [1800, 2000]
    assert [s["status"] for s in troops(seeded, "--known-at", T5)] == ["current", "current"]
    assert [s["status"] for s in troops(seeded, "--known-at", "@17")] == ["current", "current"]


def test_alias_again_and_unalias_say_what_they_did(seeded: Run) -> None:
    seeded(*VARIANT)
    seeded("alias", "Russian Federation", "--as", "Russia", "--reason", "same state")
    again = seeded("alias", "russian federation", "--as", "RUSSIA", "--reason", "again")
    assert again.stdout == "russian federation is already an alias of RUSSIA; nothing appended\n"
    undone = seeded("unalias", "Russian Federation", "--reason", "test")
    assert undone.stdout == "Russian Federation unaliased at log position 19\n"
    assert [s["subject"] for s in troops(seeded)] == ["Russia", "Russian Federation"]


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ("alias", "Russia", "--as", " russia", "--reason", "x"),
            "Error: 'Russia' cannot be an alias of itself\n",
        ),
        (
            ("alias", "Russia", "--as", "Russian Federation", "--reason", "x"),
            "Error: aliasing 'Russia' to 'Russian Federation' would make a cycle: "
            "'Russian Federation' already resolves to 'Russia'\n",
        ),
        (
            ("unalias", "Russia", "--reason", "x"),
            "Error: 'Russia' is not an alias; see `tracker subjects`\n",
        ),
        (
            ("distinct", "Russia", "RUSSIA", "--reason", "x"),
            "Error: 'Russia' and 'RUSSIA' are the same name\n",
        ),
        (
            ("alias", "Wagner", "--as", "PMC", "--reason", "  "),
            "Error: a reason is required\n",
        ),
    ],
)
def test_bad_judgements_are_one_error_line_and_append_nothing(
    seeded: Run, args: tuple[str, ...], error: str
) -> None:
    seeded(*VARIANT)
    seeded("alias", "Russian Federation", "--as", "Russia", "--reason", "same state")
    result = seeded(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", error)
    assert "ok: 18 events" in seeded("verify").stdout


def test_subjects_lists_entities_after_aliases(seeded: Run) -> None:
    seeded(*VARIANT)
    seeded("alias", "Russian Federation", "--as", "Russia", "--reason", "same state")
    listed = seeded("subjects", "--format", "csv")
    assert listed.stdout.splitlines() == [
        "subject,aliases,claims,attributes,first,last",
        "Abdul Hadi Al-Huwaij,,1,1,2025-02-01,2025-02-28",
        "Alexander Lukashenko,,2,1,2025-02-01,2025-02-28",
        "Government of National Unity,,1,1,2025-02-01,2025-02-28",
        "Joe Wilson,,1,1,2025-02-01,2025-02-28",
        "Khalifa Haftar,,5,1,2025-02-01,2025-02-28",
        "Libyan-Russian forum,,1,0,2025-02-01,2025-02-28",
        "Russia,Russian Federation,4,2,2024-02-01,2025-02-28",
        "US Libya Stabilisation Act of 2023,,1,1,2023-01-01,2023-12-31",
    ]


def test_subjects_similar_suggests_and_distinct_removes(seeded: Run) -> None:
    for name in ("Hifter", "Khaled Haftar"):
        seeded(
            "add",
            "--type",
            "diplomacy.visit",
            "--date",
            "2025-01",
            "--subject",
            name,
            "--summary",
            "A visit.",
            "--source",
            "Example Monitor",
        )
    similar = json.loads(seeded("subjects", "--similar", "--format", "json").stdout)
    assert similar == [
        {
            "a": "Hifter",
            "b": "Khaled Haftar",
            "why": "one name inside the other",
            "command": "tracker alias Hifter --as 'Khaled Haftar' --reason TEXT",
        },
        {
            "a": "Hifter",
            "b": "Khalifa Haftar",
            "why": "one name inside the other",
            "command": "tracker alias Hifter --as 'Khalifa Haftar' --reason TEXT",
        },
        {
            "a": "Khaled Haftar",
            "b": "Khalifa Haftar",
            "why": "small edit distance",
            "command": "tracker alias 'Khaled Haftar' --as 'Khalifa Haftar' --reason TEXT",
        },
    ]
    judged = seeded("distinct", "Khaled Haftar", "Khalifa Haftar", "--reason", "son and father")
    assert judged.stdout == "Khaled Haftar and Khalifa Haftar judged distinct at log position 19\n"
    table = seeded("subjects", "--similar").stdout
    assert "Khaled Haftar  Khalifa Haftar" not in table
    assert table.splitlines()[0] == "A       B               WHY                        COMMAND"


def test_a_subject_matching_nothing_says_so_with_the_closest(seeded: Run) -> None:
    result = seeded("show", "--subject", "Haftar", "--format", "json")
    assert result.exit_code == 0
    assert result.stderr == "note: no subject 'Haftar' is known; closest: Khalifa Haftar\n"
    assert json.loads(result.stdout)["slots"] == []
    timeline = seeded("timeline", "--subject", "Nobody At All")
    assert (timeline.exit_code, timeline.stderr) == (
        0,
        "note: no subject 'Nobody At All' is known\n",
    )


def test_import_prints_one_hint_per_new_resembling_subject(seeded: Run, tmp_path: Path) -> None:
    feed = tmp_path / "feed.csv"
    feed.write_text(
        "id,type,date,subject,summary,source\n"
        "m:1,diplomacy.visit,2025-01,Hifter,A visit.,Monitor\n"
        "m:2,diplomacy.visit,2025-01,hifter,Another visit.,Monitor\n"
        "m:3,diplomacy.visit,2025-01,Tripoli,A visit.,Monitor\n"
    )
    result = seeded("import", str(feed))
    assert result.stderr.splitlines() == [
        # m:2 says what m:1 says (an occurrence has no value): a near-duplicate (issue 19).
        f"warning: {feed}:3: id: claim m:2 repeats m:1 (same type, subject, attribute, value, "
        "date and source under another id)",
        "warning: new subject 'Hifter' resembles 'Khalifa Haftar': one name inside the other; "
        "if they are one: tracker alias Hifter --as 'Khalifa Haftar' --reason TEXT",
        f"{feed}: 3 new, 0 corrected, 0 unchanged, 0 retracted, 0 rejected",
    ]


def test_history_of_a_subject_lists_its_judgements(seeded: Run) -> None:
    seeded(*VARIANT)
    seeded("alias", "Russian Federation", "--as", "Russia", "--reason", "same state")
    shown = json.loads(seeded("history", "Russian Federation", "--format", "json").stdout)
    rows = shown["events"]
    assert [r["kind"] for r in rows][-2:] == ["claim.asserted", "subject.aliased"]
    assert rows[-1]["names"] == "Russian Federation → Russia"
    assert len([r for r in rows if r["kind"] == "claim.asserted"]) == 4
    table = seeded("history", "Russia").stdout.splitlines()
    assert "subject.aliased Russian Federation → Russia" in table[-1]
