"""The domain is pure: the standard library only, no database, CLI, files or environment."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "tracker" / "domain"
DOMAIN_MODULES = sorted(DOMAIN.rglob("*.py"))

FORBIDDEN = (
    "sqlalchemy",
    "click",
    "alembic",
    "psycopg",
    "platformdirs",
    "tracker.adapters",
    "tracker.cli",
    "tracker.services",
    "tracker.db",
    "tracker.config",
    "os",
    "pathlib",
)
ALLOWED_THIRD_PARTY: tuple[str, ...] = ()


def imported_modules(source: str, module: str) -> list[str]:
    """Every module a source imports, anywhere in it (also inside functions), absolute."""
    package = module.rsplit(".", 1)[0]
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.append(target)
            # `from tracker import db` imports the module tracker.db
            found.extend(f"{target}.{alias.name}" for alias in node.names)
    return found


def is_under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def impurities(source: str, module: str) -> list[str]:
    """The imports that break the domain's purity."""
    bad = []
    for name in imported_modules(source, module):
        top = name.split(".")[0]
        if any(is_under(name, forbidden) for forbidden in FORBIDDEN):
            bad.append(name)
        elif top == "tracker":
            if not is_under(name, "tracker.domain") and name != "tracker":
                bad.append(name)
        elif top not in sys.stdlib_module_names and top not in ALLOWED_THIRD_PARTY:
            bad.append(name)
    return sorted(set(bad))


def module_name(path: Path) -> str:
    relative = path.relative_to(DOMAIN.parent.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def test_the_domain_package_has_modules_to_check() -> None:
    names = {path.name for path in DOMAIN_MODULES}
    assert {"__init__.py", "dates.py", "events.py", "model.py", "errors.py"} <= names


@pytest.mark.parametrize("path", DOMAIN_MODULES, ids=lambda path: path.name)
def test_a_domain_module_imports_only_the_standard_library_and_the_domain(path: Path) -> None:
    assert impurities(path.read_text(encoding="utf-8"), module_name(path)) == []


@pytest.mark.parametrize(
    ("source", "bad"),
    [
        ("import sqlalchemy", ["sqlalchemy"]),
        ("from sqlalchemy.engine import Engine", ["sqlalchemy.engine", "sqlalchemy.engine.Engine"]),
        ("import click", ["click"]),
        ("import os", ["os"]),
        ("from os import environ", ["os", "os.environ"]),
        ("import os.path", ["os.path"]),
        ("from pathlib import Path", ["pathlib", "pathlib.Path"]),
        ("def f():\n    import psycopg\n", ["psycopg"]),
        (
            "from tracker.adapters.store import Store",
            ["tracker.adapters.store", "tracker.adapters.store.Store"],
        ),
        ("from tracker import services", ["tracker.services"]),
        ("from tracker.db import open_store", ["tracker.db", "tracker.db.open_store"]),
        ("from .. import config", ["tracker.config"]),
        ("from ..cli import main", ["tracker.cli", "tracker.cli.main"]),
        ("import platformdirs", ["platformdirs"]),
        ("import alembic.command", ["alembic.command"]),
        ("import requests", ["requests"]),
        ("from edtf import parse_edtf", ["edtf", "edtf.parse_edtf"]),
    ],
)
def test_the_purity_check_catches_forbidden_imports(source: str, bad: list[str]) -> None:
    assert impurities(source, "tracker.domain.example") == bad


@pytest.mark.parametrize(
    "source",
    [
        "import re\nfrom datetime import date\nfrom dataclasses import dataclass",
        "def f():\n    from calendar import monthrange\n",
        "from tracker.domain.errors import ValidationError",
        "from .errors import ValidationError",
        "from . import model",
        "from __future__ import annotations",
    ],
)
def test_the_purity_check_allows_the_standard_library_and_the_domain(source: str) -> None:
    assert impurities(source, "tracker.domain.example") == []
