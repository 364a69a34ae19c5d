"""Sizes at and past the limits both backends share (issue 12, item 9): an id over 200
characters, a subject or attribute too large for a PostgreSQL index entry. The same answer on
SQLite and PostgreSQL: at the limit stored, past it one clear per-row error, and
`--skip-invalid` rejects only those rows. Multi-byte text is measured in UTF-8 bytes.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from reliability_support import report

from tracker.cli import cli
from tracker.domain.building import MAX_ATTRIBUTE_BYTES, MAX_ID_CHARACTERS, MAX_SUBJECT_BYTES

COLUMNS = ["type", "date", "subject", "summary", "source", "id", "attribute", "value"]
WIDE = "\U0001d538"  # four bytes in UTF-8
SIZES = {
    "id": MAX_ID_CHARACTERS,
    "subject": MAX_SUBJECT_BYTES,
    "attribute": MAX_ATTRIBUTE_BYTES,
}


def invoke(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", url, *args])


def fields(n: int, column: str = "", text: str = "") -> dict[str, str]:
    row = {
        "type": "military.force_level",
        "date": "2024",
        "subject": "Wagner",
        "summary": "Count.",
        "source": "Wire",
        "id": f"limit:{n}",
        "attribute": "fighters",
        "value": str(n + 1),
    }
    if column:
        row[column] = text
    return row


def at_and_past(column: str) -> list[tuple[str, str, bool]]:
    """(case, text, fits): ASCII and four-byte text at the limit and one past it."""
    limit = SIZES[column]
    if column == "id":  # characters
        return [
            ("ascii at the limit", "i" * limit, True),
            ("ascii past", "i" * (limit + 1), False),
            ("4-byte at the limit", WIDE * limit, True),
            ("4-byte past", WIDE * (limit + 1), False),
        ]
    return [
        ("ascii at the limit", "a" * limit, True),
        ("ascii past", "a" * (limit + 1), False),
        ("4-byte at the limit", WIDE * (limit // 4), True),
        ("4-byte past", WIDE * (limit // 4 + 1), False),
        ("far past (10 KB)", "b" * 10_000, False),
    ]


CASES = [(column, *case) for column in SIZES for case in at_and_past(column)]


def write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def test_every_size_gets_the_same_answer_from_add(db_url: str, frozen: object) -> None:
    backend = db_url.split(":", 1)[0].split("+")[0]
    seen = {}
    for n, (column, case, text, fits) in enumerate(CASES):
        args = ["add"]
        for name, value in fields(n, column, text).items():
            args += [f"--{name}", value]
        result = invoke(db_url, *args)
        seen[f"{column}: {case}"] = result.exit_code
        if fits:
            assert result.exit_code == 0, (column, case, result.stderr)
        else:
            assert result.exit_code == 1, (column, case, result.output, result.exception)
            assert isinstance(result.exception, SystemExit)
            assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
            assert "at most" in result.stderr, result.stderr
    report(f"limits_add_{backend}", seen)
    assert invoke(db_url, "verify").exit_code == 0
    assert invoke(db_url, "show", "--as-of", "2025").exit_code == 0


@pytest.mark.parametrize("skip", [False, True])
@pytest.mark.parametrize("form", ["csv", "jsonl"])
def test_an_import_rejects_only_the_rows_past_a_limit(
    db_url: str, frozen: object, tmp_path: Path, skip: bool, form: str
) -> None:
    rows = [fields(n, column, text) for n, (column, _case, text, _fits) in enumerate(CASES)]
    rows.append(fields(len(CASES)))
    path = tmp_path / f"sizes.{form}"
    if form == "csv":
        write_csv(path, rows)
    else:
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    result = invoke(db_url, "import", *(["--skip-invalid"] if skip else []), str(path))
    assert result.exception is None or isinstance(result.exception, SystemExit)
    bad = [
        (line, column)
        for line, (column, _case, _text, fits) in enumerate(CASES, start=2 if form == "csv" else 1)
        if not fits
    ]
    lines = result.stderr.splitlines()
    for line, column in bad:
        assert any(x.startswith(f"{path}:{line}: {column}: ") for x in lines), (line, lines)
    fitting = sum(1 for *_, fits in CASES if fits) + 1
    if skip:
        assert result.exit_code == 3
        assert f"{fitting} new" in result.stderr and f"{len(bad)} rejected" in result.stderr
    else:
        assert result.exit_code == 1
        assert json.loads(invoke(db_url, "info", "--format", "json").stdout)["events"] == 0
    assert invoke(db_url, "verify").exit_code == 0
