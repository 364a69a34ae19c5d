"""Import files: CSV (RFC 4180, BOM tolerated) and JSON Lines read into rows; the type catalogue."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from tracker.domain.errors import TrackerError
from tracker.domain.importing import COLUMNS, Row
from tracker.domain.model import Catalogue

SUFFIXES = (".csv", ".jsonl")


@dataclass(frozen=True)
class ImportFile:
    path: Path
    sha256: str
    rows: list[Row]
    problems: list[tuple[int, str, str]]  # line, column, message: file-level problems


def load_catalogue() -> Catalogue:
    text = (resources.files("tracker.data") / "types.csv").read_text(encoding="utf-8")
    return Catalogue({row["code"]: row["description"] for row in csv.DictReader(io.StringIO(text))})


def expand(paths: list[str]) -> list[Path]:
    """Files as given; a folder stands for its .csv and .jsonl files in name order."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found.extend(
                sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())
            )
        elif path.exists():
            if path.suffix.lower() not in SUFFIXES:
                raise TrackerError(f"{name}: not a .csv or .jsonl file")
            found.append(path)
        else:
            raise TrackerError(f"{name}: no such file or folder")
    return found


def read_import_file(path: Path) -> ImportFile:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise TrackerError(f"{path}: cannot read: {error.strerror}") from None
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TrackerError(f"{path}: not UTF-8 text (byte {error.start})") from None
    if "\x00" in text:
        raise TrackerError(f"{path}: holds NUL bytes; not a text file")
    reader = _read_jsonl if path.suffix.lower() == ".jsonl" else _read_csv
    rows, problems = reader(text)
    return ImportFile(path, digest, rows, problems)


def _read_csv(text: str) -> tuple[list[Row], list[tuple[int, str, str]]]:
    rows: list[Row] = []
    problems: list[tuple[int, str, str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return rows, [(1, "header", "the file is empty: a header row is required")]
        names = [h.strip().lower() for h in header]
        unknown = [h for h in names if h not in COLUMNS]
        if unknown:
            problems.append((1, "header", f"unknown column(s) {', '.join(unknown)}"))
        line = reader.line_num + 1
        for record in reader:
            if not any(cell.strip() for cell in record):
                line = reader.line_num + 1
                continue
            if len(record) != len(names):
                problems.append(
                    (line, "row", f"has {len(record)} cells, the header has {len(names)}")
                )
            else:
                rows.append(
                    Row(
                        line,
                        {n: (c if c != "" else None) for n, c in zip(names, record, strict=True)},
                    )
                )
            line = reader.line_num + 1
    except csv.Error as error:
        problems.append((reader.line_num, "row", f"malformed CSV: {error}"))
    return rows, problems


def _read_jsonl(text: str) -> tuple[list[Row], list[tuple[int, str, str]]]:
    rows: list[Row] = []
    problems: list[tuple[int, str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append((number, "row", f"not valid JSON: {error.msg}"))
            continue
        if not isinstance(record, dict):
            problems.append((number, "row", "not a JSON object"))
            continue
        fields = {str(k).strip().lower(): _cell(v) for k, v in record.items()}
        unknown = [k for k in fields if k not in COLUMNS]
        if unknown:
            problems.append((number, unknown[0], "unknown key"))
            continue
        rows.append(Row(number, fields))
    return rows, problems


def _cell(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)
