"""What users recorded at schema 0012 (tests/fixtures/v0012): the database upgrades and
verifies, its log restores, and both print what they printed then; re-importing its files
appends nothing. Where a later change alters these outputs on purpose, say so here (as
`test_v0003_identity` does), never by regenerating the fixture."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from freezegun.api import FrozenDateTimeFactory

from tracker.cli import cli

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "v0012"
EVENTS = Path(__file__).resolve().parents[2] / "events"
HEAD = 46
# Each recorded output, and the command that printed it.
PRINTED = {
    "show-2024-06-01.json": ("show", "--as-of", "2024-06-01", "--known-at", "@46"),
    "show-2024-12.json": ("show", "--as-of", "2024-12", "--known-at", "@46"),
    "show-2025-03.json": ("show", "--as-of", "2025-03", "--known-at", "@46"),
    "show-2025-03-at-41.json": ("show", "--as-of", "2025-03", "--known-at", "@41"),
    "diff-2024-06-2025-02.json": (
        "diff",
        "--from",
        "2024-06",
        "--to",
        "2025-02",
        "--known-at",
        "@46",
    ),
    "subjects.json": ("subjects",),
    "sources.json": ("sources",),
}


def tracker(db: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)


def printed(db: str) -> dict[str, str]:
    outputs = {}
    for name, args in PRINTED.items():
        result = tracker(db, *args, "--format", "json")
        assert result.exit_code == 0, (name, result.output)
        outputs[name] = result.stdout
    return outputs


def recorded() -> dict[str, str]:
    return {name: (FIXTURE / name).read_text("utf-8") for name in PRINTED}


@pytest.fixture
def upgraded(tmp_path: Path, frozen: FrozenDateTimeFactory) -> str:
    """A copy of the 0012 database, upgraded to this schema."""
    frozen.move_to("2026-12-01T00:00:00Z")  # the fixture was recorded on 2026-11-30
    path = tmp_path / "v0012.db"
    shutil.copy(FIXTURE / "tracker.db", path)
    assert tracker(str(path), "db", "upgrade").exit_code == 0
    return str(path)


def test_the_fixture_is_what_the_readme_says() -> None:
    """The outputs were printed at log position 46 of 46 (a guard on the files themselves)."""
    log = (FIXTURE / "tracker.log.jsonl").read_text("utf-8").splitlines()
    assert len(log) == HEAD
    assert '"position": 46' in recorded()["show-2025-03.json"]


def test_a_v0012_database_upgrades_verifies_and_prints_what_it_printed(upgraded: str) -> None:
    verified = tracker(upgraded, "verify")
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.startswith(f"ok: {HEAD} events")
    assert printed(upgraded) == recorded()


def test_a_v0012_log_restores_and_prints_what_it_printed(
    db_url: str, frozen: FrozenDateTimeFactory, tmp_path: Path
) -> None:
    frozen.move_to("2026-12-01T00:00:00Z")
    restored = tracker(db_url, "restore", str(FIXTURE / "tracker.log.jsonl"))
    assert restored.exit_code == 0, restored.output
    assert printed(db_url) == recorded()
    again = tmp_path / "again.jsonl"
    assert tracker(db_url, "export", "log", "--out", str(again)).exit_code == 0
    assert again.read_bytes() == (FIXTURE / "tracker.log.jsonl").read_bytes()


def test_re_importing_the_v0012_files_appends_nothing(upgraded: str) -> None:
    for path in (EVENTS, FIXTURE / "feed.csv", FIXTURE / "article.toml"):
        result = tracker(upgraded, "import", str(path))
        assert result.exit_code == 0, result.output
        assert " 0 new, 0 corrected," in result.stderr, result.stderr
    assert "events         46" in tracker(upgraded, "info").stdout
    assert printed(upgraded) == recorded()


def test_v0012_claims_csv_gives_the_same_pictures_in_an_empty_database(
    db_url: str, frozen: FrozenDateTimeFactory
) -> None:
    """`export claims --all` carries the catalogue's own types and the judgements in force
    (SPEC §9): imported into an empty database it gives the pictures the log gives, at
    other positions and times."""
    result = tracker(db_url, "import", str(FIXTURE / "claims.csv"))
    assert result.exit_code == 0, result.output
    for name in ("show-2024-12.json", "show-2025-03.json"):
        args = PRINTED[name][:3]
        mine = tracker(db_url, *args, "--format", "json").stdout
        assert without_cut(mine) == without_cut(recorded()[name]), name


def without_cut(text: str) -> object:
    shown = json.loads(text)
    return {k: v for k, v in shown.items() if k not in ("known_at", "position")}
