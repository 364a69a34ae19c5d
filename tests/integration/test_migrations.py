"""Alembic migrations: a blank database upgrades to head with no drift; old schemas are refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from click.testing import CliRunner
from sqlalchemy import Engine, inspect, text

from tracker.adapters.tables import SCHEMA_REVISION, in_metadata, metadata
from tracker.cli import cli
from tracker.db import alembic_config, current_revision, make_engine, open_store, upgrade
from tracker.domain.errors import NoDatabase, StoreError

T1 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
TABLES = {
    "alembic_version",
    "log",
    "claims",
    "projection",
    "subjects",
    "attribute_names",
    "aliases",
    "distinctions",
    "publishers",
    "articles",
    "earlier_slots",
    "tallies",
}


def fixed_clock() -> datetime:
    return T1


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    made = make_engine(db_url)
    yield made
    made.dispose()


@pytest.fixture
def migrated(engine: Engine) -> Engine:
    upgrade(engine)
    return engine


def table_names(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        # The search index is apart from the metadata (one object per backend): see below.
        return {n for n in inspect(conn).get_table_names() if in_metadata(n, "table")}


def set_revision(engine: Engine, revision: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :rev"), {"rev": revision})


def test_schema_revision_is_the_head_of_the_migration_scripts() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    assert scripts.get_heads() == [SCHEMA_REVISION]
    assert scripts.get_current_head() == SCHEMA_REVISION


def test_a_blank_database_has_no_revision(engine: Engine) -> None:
    assert table_names(engine) == set()
    assert current_revision(engine) is None


def test_upgrade_head_on_a_blank_database_creates_the_log_at_head(migrated: Engine) -> None:
    assert table_names(migrated) == TABLES
    assert current_revision(migrated) == SCHEMA_REVISION


def test_the_migrated_database_matches_the_table_metadata(migrated: Engine) -> None:
    with migrated.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": in_metadata}
        )
        assert compare_metadata(context, metadata) == []


def test_upgrade_head_makes_the_search_index_of_the_backend(migrated: Engine) -> None:
    with migrated.connect() as conn:
        names = set(inspect(conn).get_table_names())
    assert "search_index" in names
    if migrated.dialect.name == "sqlite":  # FTS5 keeps its data in shadow tables
        assert "search_index_data" in names


def test_alembic_check_finds_nothing_to_generate(migrated: Engine) -> None:
    with migrated.connect() as conn:
        command.check(alembic_config(conn))


def test_drift_between_metadata_and_database_is_detected(migrated: Engine) -> None:
    with migrated.begin() as conn:
        conn.execute(text("DROP INDEX ix_log_recorded_at"))
    with migrated.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"include_name": in_metadata}), metadata
        )
    assert [(change[0], change[1].name) for change in diff] == [("add_index", "ix_log_recorded_at")]


def test_upgrading_an_up_to_date_database_again_changes_nothing(migrated: Engine) -> None:
    upgrade(migrated)
    assert current_revision(migrated) == SCHEMA_REVISION
    assert table_names(migrated) == TABLES


def test_downgrade_to_base_and_upgrade_again_round_trips(migrated: Engine) -> None:
    with migrated.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert table_names(migrated) == {"alembic_version"}
    upgrade(migrated)
    assert current_revision(migrated) == SCHEMA_REVISION
    with migrated.connect() as conn:
        assert (
            compare_metadata(
                MigrationContext.configure(conn, opts={"include_name": in_metadata}), metadata
            )
            == []
        )


def test_open_store_creates_and_migrates_a_blank_database(db_url: str) -> None:
    store = open_store(db_url, fixed_clock)
    try:
        assert current_revision(store.engine) == SCHEMA_REVISION
        assert store.count() == 0
    finally:
        store.engine.dispose()


@pytest.mark.parametrize("revision", ["0000", "ffffffffffff", "9999"])
def test_a_database_at_an_unknown_revision_is_said_to_come_from_a_newer_tracker(
    db_url: str, migrated: Engine, revision: str
) -> None:
    """Issue 12 item 15: "run tracker db upgrade" was wrong advice (the upgrade crashed)."""
    set_revision(migrated, revision)
    for attempt in (lambda: open_store(db_url, fixed_clock), lambda: upgrade(migrated)):
        with pytest.raises(StoreError, match="made by a newer tracker") as refused:
            attempt()
        assert revision in str(refused.value)
        assert SCHEMA_REVISION in str(refused.value)
    assert current_revision(migrated) == revision


def test_a_blank_database_is_refused_when_creation_is_off(db_url: str) -> None:
    with pytest.raises(NoDatabase, match=r"^no database at "):
        open_store(db_url, fixed_clock, create=False)


def test_a_database_with_foreign_tables_is_refused(db_url: str, engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY)"))
    with pytest.raises(StoreError, match="not a tracker database"):
        open_store(db_url, fixed_clock)


@pytest.mark.parametrize(
    "content",
    [
        b"this is not a database, just some text that someone saved here\n" * 20,
        bytes(range(256)) * 16,
    ],
)
def test_a_file_that_is_not_sqlite_gives_a_store_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(content)
    with pytest.raises(StoreError, match="not a SQLite database") as refused:
        open_store(f"sqlite:///{path}", fixed_clock)
    assert str(refused.value) == "the database file is not a SQLite database (or is corrupt)"
    assert path.read_bytes() == content


def test_a_sqlite_file_in_a_missing_directory_gives_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open the database file"):
        open_store(f"sqlite:///{tmp_path / 'missing' / 'tracker.db'}", fixed_clock)


def test_an_unreachable_postgresql_server_gives_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot connect to the database"):
        open_store("postgresql+psycopg://postgres@127.0.0.1:9/test?connect_timeout=2", fixed_clock)


def test_an_unusable_url_gives_a_store_error() -> None:
    with pytest.raises(StoreError, match="cannot use database URL"):
        open_store("nosuchdialect://somewhere/db", fixed_clock)


def test_a_database_one_revision_behind_is_refused_then_upgraded_in_place(
    db_url: str, seed_file: Path
) -> None:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.execution_options(tracker_begin="BEGIN IMMEDIATE")
        with conn.begin():
            command.upgrade(alembic_config(conn), "0001")
    engine.dispose()
    refused = CliRunner().invoke(cli, ["--db", db_url, "show"])
    assert refused.exit_code == 1
    assert "run `tracker db upgrade`" in refused.stderr
    upgraded = CliRunner().invoke(cli, ["--db", db_url, "db", "upgrade"])
    assert (upgraded.exit_code, upgraded.stdout) == (
        0,
        f"database at schema revision {SCHEMA_REVISION}\n",
    )
    imported = CliRunner().invoke(cli, ["--db", db_url, "import", str(seed_file)])
    assert imported.exit_code == 0
