"""Shared fixtures: a frozen clock, and databases (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from freezegun import freeze_time
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tracker.db import open_store
from tracker.services import Tracker, utc_now

# Imported before any test freezes the clock: psycopg's C module checks the size of
# `datetime.date` when it loads, and freezegun's stand-in would fail that check. Without it
# the PostgreSQL tests skip.
with contextlib.suppress(ImportError):
    import psycopg  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "events" / "2025-02-new-york-parrot-us-warns-haftar.csv"
T1 = "2025-03-01T12:00:00Z"
PG_ENV = "TRACKER_TEST_POSTGRES_URL"


def postgres_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        return None
    return (
        url.replace("postgresql://", "postgresql+psycopg://", 1)
        if "+" not in url.split("://", 1)[0]
        else url
    )


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped afterwards."""
    admin = postgres_admin_url()
    if admin is None:
        if os.environ.get("TRACKER_REQUIRE_POSTGRES"):
            pytest.fail(
                f"{PG_ENV} is not set but TRACKER_REQUIRE_POSTGRES is: PostgreSQL "
                "tests must run here"
            )
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (e.g. postgresql://postgres@127.0.0.1/test)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(admin).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tracker.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Every store test runs against SQLite and against PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def frozen() -> Iterator[object]:
    """The clock, frozen at T1; move it with frozen.move_to(...)."""
    with freeze_time(T1) as frozen_time:
        yield frozen_time


@pytest.fixture
def seed_file() -> Path:
    """The seed article as the importable file in events/."""
    return SEED


@pytest.fixture
def tracker(db_url: str, frozen: object) -> Tracker:
    return Tracker(open_store(db_url, utc_now), utc_now)


@pytest.fixture(autouse=True)
def _no_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see whole cells, as a pipe does, unless they set COLUMNS themselves."""
    monkeypatch.delenv("COLUMNS", raising=False)
