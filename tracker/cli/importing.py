"""`tracker import`: files and folders of CSV or JSON Lines claims."""

from __future__ import annotations

from typing import Any

import click

EXIT_REJECTED = 3


def register(cli: click.Group) -> None:
    cli.add_command(import_)


@click.command("import")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--dry-run", is_flag=True, help="Check and count, append nothing.")
@click.pass_obj
def import_(app: Any, paths: tuple[str, ...], dry_run: bool) -> None:
    """Import .csv or .jsonl files (a folder: its files in name order), one transaction each.

    Re-importing is safe: unchanged rows append nothing, changed rows append a correction.
    Any invalid row rejects its whole file; every error is listed as FILE:LINE: column: message.
    """
    tracker = app.tracker()
    failed = False
    for summary in tracker.import_paths(list(paths), dry_run=dry_run):
        for warning in summary.warnings:
            click.echo(
                f"{summary.path}:{warning.line}: {warning.column}: {warning.message} (warning)",
                err=True,
            )
        for error in summary.errors:
            click.echo(f"{summary.path}:{error.line}: {error.column}: {error.message}", err=True)
        suffix = " (dry run: nothing appended)" if dry_run and not summary.errors else ""
        if summary.errors:
            failed = True
            suffix = " (file rejected: nothing appended)"
        click.echo(summary.line() + suffix, err=True)
    if failed:
        raise click.ClickException("rows were invalid; the files named above appended nothing")
