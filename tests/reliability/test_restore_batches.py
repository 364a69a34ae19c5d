"""`restore` streams its file a batch of lines at a time and admits each batch against the
projection it builds in the same transaction, never holding the whole log. With batches of
one and of two entries, so every reference (a correction, a retraction, a grade, an alias)
reaches back into an earlier batch: every crafted backup of `test_restore_content` is still
refused naming its position with nothing restored, and the untouched export still restores
whole, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from freezegun.api import FrozenDateTimeFactory
from test_restore_content import CASES, exported, rechained

from tracker.cli import cli
from tracker.services import exporting


def invoke(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", url, *args])


def events(url: str) -> int:
    return int(invoke(url, "info").stdout.split("events")[1].split()[0])


@pytest.fixture(params=[1, 2])
def batch(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    size = int(request.param)
    monkeypatch.setattr(exporting, "_RESTORE_BATCH", size)
    return size


@pytest.fixture
def log_entries(
    tmp_path_factory: pytest.TempPathFactory, frozen: FrozenDateTimeFactory, seed_file: Path
) -> list[dict[str, Any]]:
    return exported(tmp_path_factory.mktemp("export"), frozen, seed_file)


def test_the_untouched_export_restores_batch_by_batch(
    db_url: str, tmp_path: Path, log_entries: list[dict[str, Any]], batch: int
) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text(rechained(log_entries), encoding="utf-8")
    result = invoke(db_url, "restore", str(path))
    assert result.exit_code == 0, result.output
    assert invoke(db_url, "verify").exit_code == 0
    restored = invoke(db_url, "export", "log").stdout.splitlines()
    assert [json.loads(line) for line in restored] == log_entries


def test_every_crafted_backup_is_refused_batch_by_batch(
    db_url: str, tmp_path: Path, log_entries: list[dict[str, Any]], batch: int
) -> None:
    wrong = []
    for number, (case, edit) in enumerate(CASES.items()):
        entries = json.loads(json.dumps(log_entries))
        entry = edit(entries)
        path = tmp_path / f"crafted-{number}.jsonl"
        path.write_text(rechained(entries), encoding="utf-8")
        target = db_url
        if db_url.startswith("sqlite"):
            target = f"sqlite:///{tmp_path / f'target-{number}.db'}"
        result = invoke(target, "restore", str(path))
        lines = result.stderr.splitlines()
        refused = (
            result.exit_code == 1
            and len(lines) == 1
            and (
                f"position {entry['position']}" in lines[0]
                or f"{path}:{entry['position']}: not a log entry" in lines[0]
            )
        )
        if not refused or events(target) != 0:
            wrong.append((case, result.exit_code, lines[-1:]))
    assert wrong == []


def test_a_broken_chain_is_named_before_a_refused_event_further_up(
    db_url: str, tmp_path: Path, log_entries: list[dict[str, Any]], batch: int
) -> None:
    """What a check of the whole file names first is named, though the refusal of an early
    event is met batches before the break."""
    entries = json.loads(json.dumps(log_entries))
    CASES["rank 'best'"](entries)
    text = rechained(entries).splitlines(keepends=True)
    last = json.loads(text[-1])
    last["hash"] = "0" * 64
    text[-1] = json.dumps(last) + "\n"
    path = tmp_path / "both.jsonl"
    path.write_text("".join(text), encoding="utf-8")
    result = invoke(db_url, "restore", str(path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}: the log is broken at position {last['position']}: hash does not "
        "match its content and the previous hash; nothing restored\n"
    )
    assert events(db_url) == 0
