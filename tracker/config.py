"""One resolver for the database: --db > TRACKER_DATABASE_URL > the user's data directory."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "TRACKER_DATABASE_URL"


def default_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("tracker", appauthor=False)) / "tracker.db"


def resolve_url(option: str | None) -> str:
    """The SQLAlchemy URL to use, read at command time. A plain path means a SQLite file."""
    chosen = option or os.environ.get(ENV_VAR) or str(default_path())
    if "://" in chosen:
        if chosen.startswith("postgresql://") or chosen.startswith("postgres://"):
            return "postgresql+psycopg://" + chosen.split("://", 1)[1]
        return chosen
    path = Path(chosen).expanduser()
    return f"sqlite:///{path.resolve()}"
