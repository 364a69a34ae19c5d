"""Full-text search (SPEC §11) on SQLite FTS5 and PostgreSQL text search: ranked, words of
any script, retractions honoured, and `--known-at` folding the log."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from tracker.cli import cli
from tracker.domain.errors import TrackerError, ValidationError
from tracker.domain.filters import ClaimFilter
from tracker.services import Tracker

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "v0003"


def add(tracker: Tracker, claim_id: str, **fields: str) -> None:
    row: dict[str, str | None] = {
        "id": claim_id,
        "type": "diplomacy.visit",
        "date": "2025-02",
        "subject": "Khalifa Haftar",
        "summary": "A visit.",
        "source": "Reuters",
        "reliability": "B",
    }
    row.update(fields)
    tracker.add(row)


@pytest.fixture
def searchable(tracker: Tracker) -> Tracker:
    add(tracker, "s:minsk", summary="Haftar visited Minsk and met Lukashenko.")
    add(
        tracker,
        "s:quote",
        subject="Alexander Lukashenko",
        summary="Belarus pledged support.",
        quote="We welcome Haftar.",
        source="Belta",
        reliability="D",
    )
    add(
        tracker,
        "s:arabic",
        subject="خليفة حفتر",
        summary="زار خليفة حفتر مينسك في شباط",
        source="Al Wasat",
    )
    add(
        tracker,
        "s:french",
        subject="Khalifa Haftar",
        summary="Le maréchal Haftar a effectué une visite à Minsk.",
        place="Minsk",
        source="Le Monde",
        reliability="C",
        credibility="2",
    )
    add(tracker, "s:other", subject="Russia", summary="Troops arrived in Tobruk.")
    return tracker


def ids(tracker: Tracker, text: str, known_at: str | None = None, **filters: Any) -> list[str]:
    where = ClaimFilter.of(**filters) if filters else None
    return [f.state.claim.id for f in tracker.search(text, known_at, where).found]


def test_search_ranks_a_claim_about_the_word_above_one_that_quotes_it(
    searchable: Tracker,
) -> None:
    found = ids(searchable, "haftar")
    assert set(found) == {"s:minsk", "s:quote", "s:french"}
    assert found[-1] == "s:quote"  # only its quote has the word


def test_search_needs_every_word(searchable: Tracker) -> None:
    assert sorted(ids(searchable, "Haftar Lukashenko")) == ["s:minsk", "s:quote"]
    assert ids(searchable, "Haftar Lukashenko visited") == ["s:minsk"]
    assert sorted(ids(searchable, "minsk HAFTAR")) == ["s:french", "s:minsk"]
    assert ids(searchable, "tobruk belarus") == []


def test_search_finds_arabic_and_french_words(searchable: Tracker) -> None:
    assert ids(searchable, "حفتر") == ["s:arabic"]
    assert ids(searchable, "مينسك") == ["s:arabic"]
    assert ids(searchable, "maréchal") == ["s:french"]
    assert ids(searchable, "effectué visite") == ["s:french"]


def test_search_finds_the_source_place_and_applies_filters(searchable: Tracker) -> None:
    assert ids(searchable, "wasat") == ["s:arabic"]
    assert ids(searchable, "belta") == ["s:quote"]
    assert ids(searchable, "minsk", places=["minsk"]) == ["s:french"]
    assert ids(searchable, "haftar", min_reliability="B") == ["s:minsk"]
    assert ids(searchable, "haftar", min_credibility="2") == ["s:french"]


def test_a_retracted_claim_is_found_only_as_known_before_its_retraction(
    searchable: Tracker,
) -> None:
    before = searchable.store.head().position
    searchable.retract("s:other", "wrong town")
    assert ids(searchable, "tobruk") == []
    assert ids(searchable, "tobruk", f"@{before}") == ["s:other"]


def test_a_correction_is_searched_by_its_new_words_only(searchable: Tracker) -> None:
    searchable.correct("s:other", "town", {"summary": "Troops arrived in Sirte."})
    assert ids(searchable, "tobruk") == []
    assert ids(searchable, "sirte") == ["s:other"]


def test_the_fold_finds_what_the_index_finds(searchable: Tracker) -> None:
    searchable.add(
        {
            "id": "s:last",
            "type": "statement.warning",
            "date": "2025-03",
            "subject": "GNU",
            "summary": "Nothing about the marshal.",
            "source": "Reuters",
            "reliability": "B",
        }
    )
    at = f"@{searchable.store.head().position - 1}"  # before the last claim: the log folded
    for words in ("haftar", "Minsk", "حفتر", "maréchal", "belta", "wasat", "troops"):
        assert sorted(ids(searchable, words, at)) == sorted(ids(searchable, words))


def test_the_index_is_rebuilt_with_the_projection(searchable: Tracker) -> None:
    searchable.rebuild()
    assert sorted(ids(searchable, "haftar")) == ["s:french", "s:minsk", "s:quote"]
    assert ids(searchable, "حفتر") == ["s:arabic"]


def test_a_search_without_a_word_is_refused(searchable: Tracker) -> None:
    with pytest.raises(ValidationError, match="at least one word"):
        searchable.search(" -- ")


def test_a_database_from_schema_0003_is_searchable_after_db_upgrade(tmp_path: Path) -> None:
    copy = tmp_path / "tracker.db"
    shutil.copy(FIXTURE / "tracker.db", copy)
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(copy), "db", "upgrade"]).exit_code == 0
    result = runner.invoke(cli, ["--db", str(copy), "search", "moscow", "--format", "csv"])
    assert result.exit_code == 0, result.stderr
    assert [row.split(",")[0] for row in result.stdout.splitlines()] == ["claim", "mon:4"]
    assert runner.invoke(cli, ["--db", str(copy), "verify"]).exit_code == 0


def test_verify_notices_a_search_index_out_of_step(searchable: Tracker) -> None:
    assert searchable.verify() == searchable.store.head().position
    with searchable.store.engine.begin() as conn:
        key = "position" if conn.dialect.name == "postgresql" else "rowid"
        first = f"(SELECT min({key}) FROM search_index)"
        conn.execute(text(f"DELETE FROM search_index WHERE {key} = {first}"))
    with pytest.raises(TrackerError, match="search index holds 4 claims of 5"):
        searchable.verify()
    searchable.rebuild()
    assert searchable.verify() == searchable.store.head().position
