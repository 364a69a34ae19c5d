"""What the reliability tests share: the report folder RELIABILITY.md is written from, and
fresh databases of one backend per trial (a PostgreSQL schema each, named for its sessions)."""

from __future__ import annotations

import json
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# Figures for RELIABILITY.md: one folder per pytest process, so runs at once never mix.
REPORT_DIR = Path(
    os.environ.get("TRACKER_RELIABILITY_DIR")
    or Path(tempfile.gettempdir()) / "tracker-reliability" / str(os.getpid())
)


def report(name: str, figures: dict[str, Any], show: bool = True) -> None:
    """Write the observed figures where RELIABILITY.md is written from, and show them."""
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / f"{name}.json").write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    if show:
        print(f"\n{name}: {json.dumps(figures, sort_keys=True)}")


class Databases:
    """Fresh, empty databases of one backend, one per trial; schemas start with `prefix`."""

    def __init__(self, base_url: str, folder: Path, prefix: str) -> None:
        self.base = make_url(base_url)
        self.folder = folder
        self.prefix = prefix
        self.schemas: list[str] = []
        self.backend = self.base.get_backend_name()

    def fresh(self, name: str) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.folder / f'{name}.db'}"
        schema = f"{self.prefix}_{uuid.uuid4().hex[:10]}"
        with self._admin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        self.schemas.append(schema)
        url = self.base.update_query_dict(
            {"options": f"-csearch_path={schema}", "application_name": schema}
        )
        return url.render_as_string(hide_password=False)

    def settle(self, url: str) -> bool:
        """Wait until the server has ended the killed child's session; True if it had to wait."""
        if self.backend == "sqlite":
            return False
        name = make_url(url).query["application_name"]
        waited = False
        query = text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with self._admin() as conn:
                if not conn.execute(query, {"name": name}).scalar():
                    return waited
            waited = True
            time.sleep(0.05)
        raise AssertionError(f"the killed child's session {name} never ended")

    def drop_all(self) -> None:
        with self._admin() as conn:
            for schema in self.schemas:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))

    @contextmanager
    def _admin(self) -> Iterator[Any]:
        engine = create_engine(self.base.difference_update_query(["options"]))
        try:
            with engine.begin() as conn:
                yield conn
        finally:
            engine.dispose()
