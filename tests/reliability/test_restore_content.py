"""A backup whose chain is valid but whose content no tracker could have written is refused
whole by `restore`, naming the position (issue 12, item 8); so is one recorded in the future
(item 16). The class of attack: take a real `export log`, change one field of one event to
anything JSON can hold, compute the chain again, restore. Both backends.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from freezegun.api import FrozenDateTimeFactory
from reliability_support import report

from tracker.cli import cli
from tracker.domain.events import GENESIS_HASH, chain_hash, format_instant

SEEN: dict[str, dict[str, int]] = {}


def invoke(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", url, *args])


def exported(
    tmp_path: Path, frozen: FrozenDateTimeFactory, seed_file: Path
) -> list[dict[str, Any]]:
    """A real log (sources, claims, a correction, a rank, a retraction, an import), exported."""
    url = f"sqlite:///{tmp_path / 'source.db'}"
    assert invoke(url, "import", str(seed_file)).exit_code == 0
    frozen.tick(timedelta(hours=1))
    add = ["add", "--type", "military.force_level", "--subject", "Wagner", "--source", "B"]
    for n in range(3):
        args = [*add, "--attribute", "fighters", "--value", str(100 * (n + 1))]
        result = invoke(url, *args, "--date", f"2024-0{n + 1}", "--summary", "S", "--id", f"w:{n}")
        assert result.exit_code == 0, result.output
    assert invoke(url, "correct", "w:0", "--reason", "typo", "--value", "150").exit_code == 0
    assert invoke(url, "rank", "w:1", "preferred", "--reason", "better").exit_code == 0
    assert invoke(url, "retract", "w:2", "--reason", "wrong").exit_code == 0
    assert invoke(url, "alias", "Wagner Group", "--as", "Wagner", "--reason", "r").exit_code == 0
    assert invoke(url, "distinct", "Wagner", "Haftar", "--reason", "r").exit_code == 0
    assert invoke(url, "unalias", "Wagner Group", "--reason", "r").exit_code == 0
    text = invoke(url, "export", "log").stdout
    return [json.loads(line) for line in text.split("\n") if line]


def rechained(entries: list[dict[str, Any]]) -> str:
    """The entries as an export file whose chain is valid again."""
    previous, lines = GENESIS_HASH, []
    for entry in entries:
        moment = datetime.fromisoformat(entry["recorded_at"].replace("Z", "+00:00"))
        entry["hash"] = previous = chain_hash(
            previous, entry["position"], entry["event_id"], moment, entry["kind"], entry["payload"]
        )
        lines.append(json.dumps(entry, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def first(entries: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(e for e in entries if e["kind"] == kind)


Edit = Callable[[list[dict[str, Any]]], dict[str, Any]]


def claim_field(name: str, value: Any) -> Edit:
    def edit(entries: list[dict[str, Any]]) -> dict[str, Any]:
        entry = first(entries, "claim.asserted")
        entry["payload"]["claim"][name] = value
        return entry

    return edit


def field_of(kind: str, path: tuple[str, ...], value: Any) -> Edit:
    def edit(entries: list[dict[str, Any]]) -> dict[str, Any]:
        entry = first(entries, kind)
        target = entry["payload"]
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        return entry

    return edit


def kind_of(kind: str, new: str) -> Edit:
    def edit(entries: list[dict[str, Any]]) -> dict[str, Any]:
        entry = first(entries, kind)
        entry["kind"] = new
        return entry

    return edit


def recorded_in_the_future(entries: list[dict[str, Any]]) -> dict[str, Any]:
    entry = entries[-1]
    entry["recorded_at"] = format_instant(datetime.now().astimezone() + timedelta(days=1))
    return entry


def asserted_twice(entries: list[dict[str, Any]]) -> dict[str, Any]:
    entry = json.loads(json.dumps(first(entries, "claim.asserted")))
    entry["event_id"] = "00000000-0000-4000-8000-000000000000"
    entry["position"] = len(entries) + 1
    entry["recorded_at"] = entries[-1]["recorded_at"]
    entries.append(entry)
    return entry


HOSTILE = [None, 7, 1.5, True, ["x"], {"a": "b"}, "", "   "]
CLAIM_REQUIRED = ("id", "type", "date", "subject", "summary", "source_id", "credibility")
CLAIM_OPTIONAL = ("attribute", "value", "unit", "actor", "target", "place", "quote", "originator")


def crafted() -> dict[str, Edit]:
    cases: dict[str, Edit] = {}
    for name in CLAIM_REQUIRED:
        for value in HOSTILE:
            cases[f"claim {name} = {value!r}"] = claim_field(name, value)
    for name in CLAIM_OPTIONAL:
        for value in [7, ["x"], {"a": "b"}, True]:
            cases[f"claim {name} = {value!r}"] = claim_field(name, value)
    for name, value in [
        ("type", "no.such_type"),
        ("date", "2024-13"),
        ("date", "yesterday"),
        ("date", "0000"),
        ("credibility", "9"),
        ("source_id", "src:0000000000000000"),
        ("attribute", "troops"),  # an attribute without a value
        ("id", "x" * 201),
        ("subject", "S" * 5000),
    ]:
        cases[f"claim {name} = {value[:30]!r}"] = claim_field(name, value)
    # A claim cites its article in its own event (issue 19): the article is checked there.
    for path, value in [
        (("article", "name"), None),
        (("article", "name"), 5),
        (("article", "reliability"), "Z"),
        (("article", "published"), "2024-99"),
        (("article", "retrieved"), "later"),
        (("article", "id"), None),
        (("article", "id"), "src:0000000000000000"),
    ]:
        cases[f"article {path[-1]} = {value!r}"] = field_of("claim.asserted", path, value)
    for kind in ("claim.retracted", "claim.ranked", "claim.corrected"):
        key = "supersedes" if kind == "claim.corrected" else "claim_id"
        for value in ["nobody", None, 5]:
            cases[f"{kind} of {value!r}"] = field_of(kind, (key,), value)
        for value in ["", None, 3]:
            cases[f"{kind} reason {value!r}"] = field_of(kind, ("reason",), value)
    for kind, key in [
        ("subject.aliased", "name"),
        ("subject.aliased", "canonical"),
        ("subject.aliased", "reason"),
        ("subject.unaliased", "name"),
        ("subject.distinguished", "b"),
    ]:
        for value in [None, 5, ""]:
            cases[f"{kind} {key} {value!r}"] = field_of(kind, (key,), value)
    cases["rank 'best'"] = field_of("claim.ranked", ("rank",), "best")
    cases["import sha256 'x'"] = field_of("import.recorded", ("sha256",), "x")
    cases["import counts text"] = field_of("import.recorded", ("counts", "new"), "5")
    cases["import name null"] = field_of("import.recorded", ("name",), None)
    cases["unknown kind"] = kind_of("claim.ranked", "claim.blessed")
    cases["retraction read as a ranking"] = kind_of("claim.retracted", "claim.ranked")
    cases["a claim asserted twice"] = asserted_twice
    cases["recorded in the future"] = recorded_in_the_future
    return cases


CASES = crafted()


@pytest.fixture
def log_entries(
    tmp_path_factory: pytest.TempPathFactory, frozen: FrozenDateTimeFactory, seed_file: Path
) -> list[dict[str, Any]]:
    return exported(tmp_path_factory.mktemp("export"), frozen, seed_file)


def test_a_crafted_backup_with_a_valid_chain_is_refused_naming_its_position(
    db_url: str, tmp_path: Path, log_entries: list[dict[str, Any]]
) -> None:
    backend = db_url.split(":", 1)[0].split("+")[0]
    wrong = []
    for number, (case, edit) in enumerate(CASES.items()):
        entries = json.loads(json.dumps(log_entries))
        entry = edit(entries)
        path = tmp_path / f"crafted-{number}.jsonl"
        path.write_text(rechained(entries), encoding="utf-8")
        target = db_url if number == 0 else fresh(db_url, tmp_path, number)
        result = invoke(target, "restore", str(path))
        lines = result.stderr.splitlines()
        right = (
            result.exit_code == 1
            and isinstance(result.exception, SystemExit)
            and len(lines) == 1
            and lines[0].startswith(f"Error: {path}")
            and (
                f"position {entry['position']}" in lines[0]
                or f"{path}:{entry['position']}: not a log entry" in lines[0]
            )
            and invoke(target, "info").stdout.split("events")[1].split()[0] == "0"
        )
        SEEN.setdefault(backend, {}).setdefault("refused naming the position" if right else case, 0)
        SEEN[backend]["refused naming the position" if right else case] += 1
        if not right:
            wrong.append((case, result.exit_code, result.exception, lines[-1:]))
    report(f"restore_crafted_{backend}", {"cases": len(CASES), "outcomes": SEEN[backend]})
    assert wrong == []


def fresh(db_url: str, tmp_path: Path, number: int) -> str:
    """A new empty database: a file beside the first (SQLite), the same schema emptied (PG)."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / f'target-{number}.db'}"
    return db_url  # every refused restore leaves it empty; checked above


def test_the_untouched_export_restores(
    db_url: str, tmp_path: Path, log_entries: list[dict[str, Any]]
) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text(rechained(log_entries), encoding="utf-8")
    result = invoke(db_url, "restore", str(path))
    assert result.exit_code == 0, result.output
    assert invoke(db_url, "verify").exit_code == 0


def test_the_v0003_fixture_log_still_restores(db_url: str) -> None:
    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "v0003" / "tracker.log.jsonl"
    result = invoke(db_url, "restore", str(fixture))
    assert result.exit_code == 0, result.output


def test_a_clock_behind_the_log_refuses_to_write_instead_of_pinning_time(
    db_url: str, frozen: FrozenDateTimeFactory
) -> None:
    """Item 16: within a minute the last time is kept; beyond, the write is refused."""
    add = ["add", "--type", "diplomacy.visit", "--subject", "S", "--summary", "x", "--source", "y"]
    assert invoke(db_url, *add, "--date", "2024-01").exit_code == 0
    frozen.tick(timedelta(seconds=-59))
    assert invoke(db_url, *add, "--date", "2024-02").exit_code == 0
    frozen.tick(timedelta(seconds=-2))
    result = invoke(db_url, *add, "--date", "2024-03")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: this machine's clock reads 2025-03-01T11:58:59.000000Z, more than a minute "
        "before the log's last recorded time 2025-03-01T12:00:00.000000Z: set the clock right; "
        "nothing was written\n"
    )
    assert json.loads(invoke(db_url, "info", "--format", "json").stdout)["events"] == 2
    frozen.tick(timedelta(seconds=2))
    assert invoke(db_url, *add, "--date", "2024-03").exit_code == 0


def test_restore_admits_articles_grades_and_reinstatement_but_not_a_stray_grade(
    db_url: str, tmp_path: Path, frozen: FrozenDateTimeFactory
) -> None:
    """Claims carrying their article, a re-grade and a reinstatement restore whole; a grade of
    a publisher the log never cited is refused, naming its position."""
    url = f"sqlite:///{tmp_path / 'source.db'}"
    add = ["add", "--type", "diplomacy.visit", "--date", "2025-02", "--subject", "Haftar"]
    result = invoke(url, *add, "--summary", "A visit.", "--source", "Reuters", "--id", "r:1")
    assert result.exit_code == 0, result.output
    for args in (
        ("grade", "Reuters", "B", "--reason", "track record"),
        ("retract", "r:1", "--reason", "unsure"),
        ("reinstate", "r:1", "--reason", "confirmed"),
    ):
        assert invoke(url, *args).exit_code == 0, args
    entries = [json.loads(line) for line in invoke(url, "export", "log").stdout.split("\n") if line]
    stray = first(entries, "source.graded")
    stray["payload"] = {**stray["payload"], "source": "Nobody Heard Of"}
    path = tmp_path / "stray.jsonl"
    path.write_text(rechained(entries), encoding="utf-8")
    refused = invoke(db_url, "restore", str(path))
    assert refused.exit_code == 1
    assert "not a known publisher" in refused.stderr
    stray["payload"] = {**stray["payload"], "source": "Reuters"}
    path.write_text(rechained(entries), encoding="utf-8")
    result = invoke(db_url, "restore", str(path))
    assert result.exit_code == 0, result.output
    assert invoke(db_url, "verify").exit_code == 0
