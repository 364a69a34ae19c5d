"""The engine, and the schema check and Alembic upgrade run in-process."""

from __future__ import annotations

import sqlite3
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from tracker.adapters import locking
from tracker.adapters.logrows import describe, translated
from tracker.adapters.store import Clock, Store
from tracker.adapters.tables import SCHEMA_REVISION
from tracker.config import default_path
from tracker.domain.errors import NoDatabase, StoreError

SQLITE_BUSY_SECONDS = 120
_CREATES = "`tracker add` or `tracker import` creates it"


def make_engine(url: str) -> Engine:
    try:
        if url.startswith("sqlite"):
            engine = create_engine(
                url, poolclass=NullPool, connect_args={"timeout": SQLITE_BUSY_SECONDS}
            )
            _sqlite_transactions(engine)
            return engine
        return create_engine(url, poolclass=NullPool)
    except (SQLAlchemyError, ImportError, ValueError) as error:
        raise StoreError(f"cannot use database URL {url!r}: {error}") from None


def _sqlite_transactions(engine: Engine) -> None:
    """Let us issue BEGIN ourselves, so writers can take the lock up front (BEGIN IMMEDIATE)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_SECONDS * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        statement = options.get("tracker_begin", "BEGIN")
        on_wait = options.get("tracker_waiting")
        if on_wait is not None:
            outcome = _try_begin(conn, statement, locking.WAIT_NOTICE_SECONDS)
            if outcome == "begun":
                return
            if outcome == "locked":
                on_wait()
        conn.exec_driver_sql(statement)


def _try_begin(conn: Connection, statement: str, seconds: float) -> str:
    """Try `statement` with a busy timeout of `seconds`: "begun", "locked" (the caller says
    it is waiting, then waits the full timeout) or "failed" (left to the caller's own
    attempt, which reports the error as every other statement's)."""
    raw: Any = conn.connection.dbapi_connection
    raw.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
    try:
        raw.execute(statement)
        return "begun"
    except sqlite3.OperationalError as error:
        return "locked" if "locked" in str(error) or "busy" in str(error) else "failed"
    finally:
        raw.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_SECONDS * 1000}")


def migrations_path() -> Path:
    """Alembic scripts: shipped as tracker/_migrations, or migrations/ in a source checkout."""
    shipped = resources.files("tracker") / "_migrations"
    if shipped.is_dir():
        return Path(str(shipped))
    return Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_path()))
    config.attributes["connection"] = connection
    return config


def current_revision(engine: Engine) -> str | None:
    """The schema revision of the database, None for a blank one."""
    with translated(), engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        if not tables:
            return None
        if "alembic_version" not in tables:
            raise StoreError("the database holds tables but is not a tracker database")
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return str(revision) if revision is not None else None


def known_revisions() -> set[str]:
    """Every schema revision this tracker's migrations know."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {revision.revision for revision in script.walk_revisions()}


def refuse_unknown(revision: str | None) -> None:
    """A revision no migration here knows was written by a newer tracker: neither opening
    nor `db upgrade` can handle it, and "run tracker db upgrade" would be wrong advice."""
    if revision is not None and revision not in known_revisions():
        raise StoreError(
            f"the database is at schema revision {revision}, which this tracker does not "
            f"know: it was made by a newer tracker (this one goes up to {SCHEMA_REVISION}); "
            "use that tracker, or upgrade this one"
        )


def upgrade(engine: Engine) -> None:
    from alembic import command

    refuse_unknown(current_revision(engine))
    with translated(), engine.connect() as conn:
        # Take the write lock up front, so a second process creating the database waits.
        if conn.dialect.name == "sqlite":
            conn.execution_options(tracker_begin="BEGIN IMMEDIATE")
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(1953066861)"))
            command.upgrade(alembic_config(conn), "head")
            locking.catch_up(conn)


def open_store(url: str, clock: Clock, create: bool = True) -> Store:
    """A store on an up-to-date schema: a blank database is created; one behind is refused.

    Without `create`, a SQLite file that does not exist is an error and is not made: a read
    on a mistyped path must not succeed with an empty picture (SPEC §11).
    """
    path = sqlite_file(url)
    if path is not None and not path.exists():
        if not create:
            raise NoDatabase(f"no database at {path} (nothing recorded there yet; {_CREATES})")
        if path.parent == default_path().parent:
            path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    try:
        revision = current_revision(engine)
        if revision is None and not create:
            shown = path or make_url(url).render_as_string(hide_password=True)
            raise NoDatabase(f"no database at {shown} (it is empty; {_CREATES})")
        if revision is None:
            _create(engine)
        elif revision != SCHEMA_REVISION:
            refuse_unknown(revision)
            raise StoreError(
                f"the database schema is at revision {revision}, this tracker needs "
                f"{SCHEMA_REVISION}: run `tracker db upgrade`"
            )
    except DBAPIError as error:
        raise StoreError(describe(error)) from None
    return Store(engine, clock)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL; None for other databases and in-memory SQLite."""
    if not url.startswith("sqlite"):
        return None
    try:
        database = make_url(url).database
    except ArgumentError:
        return None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _create(engine: Engine) -> None:
    try:
        upgrade(engine)
    except StoreError:
        # Another process may have created it at the same moment; accept its work.
        if current_revision(engine) != SCHEMA_REVISION:
            raise
