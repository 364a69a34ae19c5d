"""`tracker import`: files and folders of CSV, JSON Lines or article (TOML) claims, or stdin."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from tracker.cli.terminal import escape

EXIT_REJECTED = 3
INPUT_FORMATS = ("csv", "jsonl", "toml")
PROGRESS_LINES = 2000


def register(cli: click.Group) -> None:
    cli.add_command(import_)


@contextmanager
def progress_bar(path: Path, lines: int) -> Iterator[Callable[[int], None]]:
    """A progress bar by lines on a terminal for long files; told the line reached."""
    if lines < PROGRESS_LINES or not sys.stderr.isatty():
        yield lambda _line: None
        return
    with click.progressbar(length=lines, label=str(path), file=sys.stderr) as bar:
        yield lambda line: bar.update(line - bar.pos)


@click.command("import")
@click.argument("paths", nargs=-1, metavar="PATH...")
@click.option("--dry-run", is_flag=True, help="Check and count, append nothing.")
@click.option(
    "--skip-invalid", is_flag=True, help="Import the valid rows; report the invalid ones (exit 3)."
)
@click.option(
    "--rejects",
    metavar="FILE",
    help="With --skip-invalid: add the rejected rows to FILE, with an error column. Rows "
    "already in FILE are kept (a new file gets a header; an existing one must have it).",
)
@click.option(
    "--input-format",
    type=click.Choice(INPUT_FORMATS),
    default="csv",
    show_default=True,
    help="The format of standard input (PATH `-`).",
)
@click.option("--template", is_flag=True, help="Print a commented article file and exit.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one summary object per file on stdout (JSON Lines), for monitoring.",
)
@click.pass_obj
def import_(
    app: Any,
    paths: tuple[str, ...],
    dry_run: bool,
    skip_invalid: bool,
    rejects: str | None,
    input_format: str,
    template: bool,
    fmt: str,
) -> None:
    """Import .csv, .jsonl or .toml (article) files, one transaction each; `-` reads stdin.

    A folder stands for its files in name order. An article file (.toml) writes its source
    once in [source] and one [[claim]] per fact (`tracker import --template`). Re-importing
    is safe: unchanged rows append nothing, changed rows append a correction. By default any
    invalid row rejects its whole file; every error is listed as FILE:LINE: column: message,
    and a summary per file goes to stderr (with --format json, to stdout as one JSON object
    per file). Each file stands alone: one that cannot be read (not UTF-8, NUL bytes) is
    listed and refused, and the others are still imported.

    \b
    Examples:
      tracker import events/
      tracker import --template > article.toml
      tracker import article.toml --dry-run
      tracker import feeds/ --skip-invalid --format json
      curl -s https://example.com/feed.jsonl | tracker import - --input-format jsonl
    """
    if template:
        from importlib import resources

        click.echo((resources.files("tracker.data") / "article.toml").read_text("utf-8"), nl=False)
        return
    if not paths:
        raise click.UsageError("Missing argument 'PATH...'.")
    if rejects and not skip_invalid:
        raise click.UsageError("--rejects goes with --skip-invalid")
    with standard_input(paths, input_format) as (files, shown):
        _import(app, files, shown, dry_run, skip_invalid, rejects, fmt)


def _import(
    app: Any,
    paths: list[str],
    shown: dict[Path, str],
    dry_run: bool,
    skip_invalid: bool,
    rejects: str | None,
    fmt: str,
) -> None:
    from tracker.adapters.importfiles import expand
    from tracker.adapters.outputs import RejectsFile
    from tracker.domain.rows import COLUMNS

    # Checked before the database is opened: a mistyped path makes no database.
    files = [str(path) for path in expand(paths)]
    # Opened first: a rejects file that cannot be written stops the run before any commit.
    kept = RejectsFile(rejects, [*COLUMNS, "error"], app.own_files()) if rejects else None
    rejected_rows: list[list[str | None]] = []
    refused = invalid = False
    try:
        summaries = app.tracker().import_each(files, dry_run, skip_invalid, progress_bar)
        for summary in summaries:
            if summary.path in shown:
                summary = replace(summary, path=Path(shown[summary.path]))
            _report(summary, rejected_rows, dry_run, skip_invalid, fmt)
            refused |= summary.refused is not None
            invalid |= bool(summary.errors)
    finally:
        if kept is not None:
            kept.add(rejected_rows)
    if (refused or invalid) and not skip_invalid:
        what = {
            (False, True): "rows were invalid",
            (True, False): "files could not be read",
            (True, True): "files could not be read or rows were invalid",
        }[refused, invalid]
        raise click.ClickException(f"{what}; the files named above appended nothing")
    if rejected_rows:
        sys.exit(EXIT_REJECTED)


def summary_json(summary: Any) -> dict[str, Any]:
    """One file's summary for machines: its counts and its warnings."""
    counts = summary.counts
    return {
        "file": str(summary.path),
        **{key: counts[key] for key in ("new", "corrected", "unchanged", "retracted", "rejected")},
        "warnings": [
            {"line": w.line, "column": w.column, "message": w.message} for w in summary.warnings
        ],
    }


def _report(
    summary: Any, rejected_rows: list[list[str | None]], dry_run: bool, skip: bool, fmt: str
) -> None:
    """Print one file's warnings, errors and summary; keep its rejected rows."""
    from tracker.domain.rows import COLUMNS

    for warning in summary.warnings:
        where = f"{summary.path}:{warning.line}: {warning.column}: {warning.message}"
        click.echo(escape(f"warning: {where}"), err=True)
    for hint in summary.hints:
        click.echo(escape(hint), err=True)
    if summary.refused:
        click.echo(summary.refused, err=True)
        rejected_rows.append([None] * len(COLUMNS) + [summary.refused])
    for errors in _by_row(summary.errors):
        lines = [f"{summary.path}:{e.line}: {e.column}: {e.message}" for e in errors]
        for line in lines:
            click.echo(escape(line), err=True)
        # One row of the rejects file a rejected row, its errors one a line of `error`.
        rejected_rows.append([errors[0].fields.get(c) for c in COLUMNS] + ["\n".join(lines)])
    if fmt == "json":
        click.echo(json.dumps(summary_json(summary), ensure_ascii=False))
    else:
        click.echo(summary.line() + _suffix(summary, dry_run, skip), err=True)


def _by_row(errors: list[Any]) -> Iterator[list[Any]]:
    """A file's errors (listed row after row) grouped by the row they are about."""
    group: list[Any] = []
    for error in errors:
        if group and (error.fields is not group[0].fields or error.row_line != group[0].row_line):
            yield group
            group = []
        group.append(error)
    if group:
        yield group


@contextmanager
def standard_input(
    paths: tuple[str, ...], input_format: str
) -> Iterator[tuple[list[str], dict[Path, str]]]:
    """PATH `-` is standard input, copied to a private file (an import reads its file twice:
    checked and hashed, then read row by row); that file is shown as `-`."""
    if "-" not in paths:
        yield list(paths), {}
        return
    with tempfile.TemporaryDirectory(prefix="tracker-stdin-") as folder:
        spooled = Path(folder) / f"stdin.{input_format}"
        with spooled.open("wb") as out:
            shutil.copyfileobj(sys.stdin.buffer, out)
        yield [str(spooled) if p == "-" else p for p in paths], {spooled: "-"}


def _suffix(summary: Any, dry_run: bool, skip_invalid: bool) -> str:
    if summary.refused:
        return " (file refused: nothing read)"
    if summary.errors and not skip_invalid:
        return " (file rejected: nothing appended)"
    if dry_run:
        return " (dry run: nothing appended)"
    return ""
